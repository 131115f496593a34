import { StepName } from '../domain/plans.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';
import { tenantLabels } from './tenant-labels.js';

/** spec/004 phase 1: namespace with labels and annotations, ServiceAccount, Role, RoleBinding. */
export function createNamespace(drivers: StepDrivers): StepHandler {
  return declarativeStep(
    StepName.CREATE_NAMESPACE,
    drivers,
    (ctx) => {
      const ns = ctx.tenant.namespace;
      return [
        resource('Namespace', ns, { labels: tenantLabels(ctx.tenant), annotations: { 'matih.ai/provisioned-by': ctx.tenant.adminEmail } }),
        resource('ServiceAccount', `${ns}/tenant-workload`),
        resource('Role', `${ns}/tenant-namespace-admin`, { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }),
        resource('RoleBinding', `${ns}/tenant-namespace-admin`, { role: 'tenant-namespace-admin', subject: 'tenant-workload' }),
      ];
    },
    (ctx) => ({ outputs: { namespace: ctx.tenant.namespace }, placement: { kubernetesNamespace: ctx.tenant.namespace } }),
  );
}
