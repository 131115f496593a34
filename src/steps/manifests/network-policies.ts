import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { parseCidr, strictlyContains } from '../../domain/cidr.js';
import { FEATURES, type FeatureName, tierIncludes } from '../../domain/features.js';
import type { AddressAllow, NetworkIsolation } from '../../domain/network-isolation.js';
import { StepName } from '../../domain/plans.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { INGRESS_CONTROLLER_RELEASE } from './ingress-controller.js';
import { LABEL } from './labels.js';
import { tenantMeta, toKubeObject } from './object-meta.js';
import { LOKI, PLATFORM_ALERTMANAGER, PLATFORM_PROMETHEUS, TEMPO } from './telemetry.js';

type PolicySpec = NonNullable<INetworkPolicy['spec']>;
type EgressRule = NonNullable<PolicySpec['egress']>[number];
type Peer = NonNullable<EgressRule['to']>[number];
type Selector = NonNullable<Peer['podSelector']>;

/**
 * spec/004 phase 4 and its "Isolation Guarantees" table, both directions.
 *
 * Ingress: the spec's three policies verbatim (deny by default; open to the namespace itself and
 * to the tenant's own ingress controller), plus one the spec's three leave out: the world may
 * reach the ingress controller's HTTP and HTTPS ports, without which the tenant's LoadBalancer
 * (phase 6) would lead nowhere.
 *
 * Egress: denied by default, then one policy per row of the table that allows something, each
 * naming its destination as precisely as a NetworkPolicy can (network-isolation.ts says where
 * each comes from): the cluster DNS (without which nothing resolves a Service name), the
 * namespace itself, the control-plane namespace, the platform's shared services (the
 * configured namespaces and addresses, and the telemetry namespaces the tenant's own manifests
 * address), the database endpoint on its port, the API server for the three pods that watch it,
 * and the internet on the allowed ports for the connector services, when the tier has them.
 * Namespaces are selected by `kubernetes.io/metadata.name`, which the API server sets to the
 * name and nobody can put on another namespace.
 */

/** The name label the charts put on their pods; the tenant Prometheus relabels by it too (prometheus-values.ts). */
const NAME = 'app.kubernetes.io/name';
const NAMESPACE_NAME = 'kubernetes.io/metadata.name';

/** The ingress-nginx chart's controller pods (the release is named after the chart). */
const INGRESS_CONTROLLER_PODS: Selector = {
  matchLabels: { [NAME]: INGRESS_CONTROLLER_RELEASE, 'app.kubernetes.io/component': 'controller' },
};

/**
 * The pods that list and watch the API server: the ingress controller (Ingresses, Services,
 * EndpointSlices, its leader lease), the tenant Prometheus (its service discovery) and Grafana
 * (its dashboard sidecar watches the namespace's ConfigMaps, grafana-values.ts). The Prometheus
 * Operator names its Prometheus pods `prometheus` whatever the release; the grafana chart, `grafana`.
 */
const API_CLIENT_PODS: Selector = { matchExpressions: [{ key: NAME, operator: 'In', values: [INGRESS_CONTROLLER_RELEASE, 'prometheus', 'grafana'] }] };

/**
 * spec/004's "connector services": the ones that pull data from sources outside the platform.
 * Of the fourteen, that is the pipeline service (data pipeline orchestration: ingestion).
 */
export const CONNECTOR_SERVICES: readonly string[] = ['pipeline-service'];

/**
 * The tier feature that sells connectors: full analytics, whose description lists pipelines.
 * Free's basic analytics works on data already in the platform, so its pipelines stay inside.
 * By the tier alone: this step knows the tenant's tier, not its per-tenant overrides (CONFIGURE
 * reads those), so an override switching the feature off leaves the allow in place.
 */
export const INTERNET_FEATURE: FeatureName = 'analytics.full';

function tierHasConnectors(tenant: TenantFacts): boolean {
  const feature = FEATURES.find((f) => f.name === INTERNET_FEATURE);
  return feature !== undefined && tierIncludes(tenant.tier, feature);
}

/**
 * Where the telemetry the tenant sends and reads lives (telemetry.ts): the namespaces of Loki,
 * Tempo and the platform Prometheus (by their addresses), and of the platform Alertmanager.
 */
export function telemetryNamespaces(): string[] {
  const namespaces = [LOKI.otlp, LOKI.query, TEMPO.otlpGrpc, TEMPO.query, PLATFORM_PROMETHEUS].map((address) => {
    // service.namespace.svc[:port][/path], with or without a scheme.
    const host = address.replace(/^[a-z]+:\/\//, '').split(/[:/]/)[0] ?? '';
    const namespace = host.split('.')[1];
    if (!namespace) throw new Error(`telemetry address ${address} names no namespace`);
    return namespace;
  });
  return [...new Set([...namespaces, PLATFORM_ALERTMANAGER.namespace])];
}

const namespaceNamed = (names: readonly string[]): Peer => ({
  namespaceSelector: names.length === 1 ? { matchLabels: { [NAMESPACE_NAME]: names[0] ?? '' } } : { matchExpressions: [{ key: NAMESPACE_NAME, operator: 'In', values: [...names] }] },
});

const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: 'TCP' as const, port }));

/** Addresses, each an ipBlock, less whichever of `excepted` lie inside it. */
function addresses(cidrs: readonly string[], excepted: readonly string[] = []): Peer[] {
  const cut = excepted.map(parseCidr).filter((c) => c !== undefined);
  return cidrs.map((text) => {
    const block = parseCidr(text);
    const except = block ? cut.filter((p) => strictlyContains(block, p)).map((p) => p.text) : [];
    return { ipBlock: except.length > 0 ? { cidr: text, except } : { cidr: text } };
  });
}

const egressOnly = (podSelector: Selector, egress: EgressRule[]): PolicySpec => ({ podSelector, policyTypes: ['Egress'], egress });

const toAddresses = (allow: AddressAllow, excepted?: readonly string[]): EgressRule => ({ to: addresses(allow.cidrs, excepted), ports: tcp(allow.ports) });

function ingressPolicies(tenant: TenantFacts): [string, PolicySpec][] {
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
                podSelector: { matchLabels: { [NAME]: INGRESS_CONTROLLER_RELEASE } },
              },
            ],
          },
        ],
      },
    ],
    // From anywhere (no `from`): the clients of the tenant's hosts, and the load balancer's
    // probes. 80 and 443 are the chart's container ports; the metrics port stays namespace-only.
    ['allow-external-to-ingress-controller', { podSelector: INGRESS_CONTROLLER_PODS, policyTypes: ['Ingress'], ingress: [{ ports: tcp([80, 443]) }] }],
  ];
}

function egressPolicies(tenant: TenantFacts, isolation: NetworkIsolation): [string, PolicySpec][] {
  const dns: EgressRule = {
    to: [{ ...namespaceNamed([isolation.clusterDns.namespace]), podSelector: { matchLabels: { ...isolation.clusterDns.podLabels } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const platform = [...new Set([...isolation.platformNamespaces, ...telemetryNamespaces()])];
  const policies: [string, PolicySpec][] = [
    ['default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }],
    ['allow-egress-dns', egressOnly({}, [dns])],
    ['allow-egress-same-namespace', egressOnly({}, [{ to: [{ podSelector: {} }] }])],
    ['allow-egress-control-plane', egressOnly({}, [{ to: [namespaceNamed([isolation.controlPlaneNamespace])] }])],
    ['allow-egress-platform', egressOnly({}, [{ to: [namespaceNamed(platform), ...addresses(isolation.platformCidrs)] }])],
    ['allow-egress-database', egressOnly({}, [toAddresses(isolation.tenantDatabase)])],
    ['allow-egress-kubernetes-api', egressOnly(API_CLIENT_PODS, [toAddresses(isolation.kubernetesApi)])],
  ];
  if (tierHasConnectors(tenant)) {
    const connectors: Selector = { matchExpressions: [{ key: NAME, operator: 'In', values: [...CONNECTOR_SERVICES] }] };
    // A public API server address is cut out too: the API server is for the three pods above.
    const api = isolation.kubernetesApi.source === 'configured' ? isolation.kubernetesApi.cidrs : [];
    policies.push(['allow-egress-internet', egressOnly(connectors, [toAddresses(isolation.internet, [...isolation.privateCidrs, ...api])])]);
  }
  return policies;
}

export function networkPolicyManifests(tenant: TenantFacts, isolation: NetworkIsolation): KubeObject[] {
  return [...ingressPolicies(tenant), ...egressPolicies(tenant, isolation)].map(([name, spec]) => {
    const policy: INetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: tenantMeta(tenant, StepName.CONFIGURE_NETWORKING, name),
      spec,
    };
    return toKubeObject(policy);
  });
}
