import { StepName } from '../domain/plans.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

/** spec/004 phase 4: the three NetworkPolicies of tenant isolation. */
export function configureNetworking(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.CONFIGURE_NETWORKING, drivers, (ctx) => {
    const ns = ctx.tenant.namespace;
    return [
      resource('NetworkPolicy', `${ns}/default-deny-ingress`, { podSelector: {}, policyTypes: ['Ingress'] }),
      resource('NetworkPolicy', `${ns}/allow-same-namespace`, { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
      resource('NetworkPolicy', `${ns}/allow-ingress-controller`, {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'matih.ai/tenant-slug': ctx.tenant.slug } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }] }],
      }),
    ];
  });
}
