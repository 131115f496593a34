import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { LABEL } from './labels.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

type PolicySpec = NonNullable<INetworkPolicy['spec']>;

/**
 * spec/004 phase 4, exactly its three policies: ingress is denied by default and opened to the
 * namespace itself and to the tenant's own ingress controller.
 *
 * No egress rules. spec/004's isolation table wants egress to the control plane and to the
 * database endpoints allowed and the internet blocked (except connector services), but names
 * neither the control-plane namespace, nor the database addresses, nor which pods are
 * connectors. A default-deny egress without those allows (and one for cluster DNS) would cut the
 * tenant off from its own database; guessed allows would be isolation in name only. Egress stays
 * open until those selectors are known; the table's "to internet: blocked" is not enforced yet.
 */
function policies(tenant: TenantFacts): [string, PolicySpec][] {
  return [
    ['default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }],
    ['allow-same-namespace', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }],
    [
      'allow-ingress-controller',
      {
        podSelector: {},
        ingress: [
          {
            // One peer with both selectors (AND): the ingress-nginx pods of the namespace carrying
            // this tenant's slug. spec/004 phase 6 runs that controller in the tenant's namespace.
            from: [
              {
                namespaceSelector: { matchLabels: { [LABEL.tenantSlug]: tenant.slug } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
              },
            ],
          },
        ],
      },
    ],
  ];
}

export function networkPolicyManifests(tenant: TenantFacts): KubeObject[] {
  return policies(tenant).map(([name, spec]) => {
    const policy: INetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: tenantMeta(tenant, StepName.CONFIGURE_NETWORKING, name),
      spec,
    };
    return toKubeObject(policy);
  });
}
