import { describe, expect, it } from 'vitest';
import { FEATURES, tierIncludes } from '../../src/domain/features.js';
import type { NetworkIsolation } from '../../src/domain/network-isolation.js';
import { namespaceFor } from '../../src/domain/tenant.js';
import { TIERS, type Tier } from '../../src/domain/tiers.js';
import type { KubeObject } from '../../src/drivers/contract.js';
import { configureNetworkingManifests, createNamespaceManifests, validateManifest } from '../../src/steps/manifests/index.js';
import { CONNECTOR_SERVICES, INTERNET_FEATURE, telemetryNamespaces } from '../../src/steps/manifests/network-policies.js';
import { deployedServicesFor } from '../../src/steps/support/services.js';
import type { TenantFacts } from '../../src/steps/step.js';
import { DEFAULT_NETWORK_ISOLATION, networkIsolation } from '../support/network-isolation.js';
import { type Endpoint, type External, type NamespaceInfo, type Pod, type Protocol, isAllowed } from '../support/network-policy-evaluator.js';

/**
 * CONFIGURE_NETWORKING's policies: the objects, then spec/004's "Isolation Guarantees" table
 * proved row by row by evaluating them (test/support/network-policy-evaluator.ts, tested on its
 * own) over a cluster of two tenants and the platform around them.
 */

const PROVENANCE = { provisionedAt: '2026-02-12T10:00:00Z', provisionedBy: 'admin@matih.ai' };

function tenant(tier: Tier, slug: string): TenantFacts {
  return { id: `00000000-0000-4000-8000-${slug.padEnd(12, '0').slice(0, 12)}`, slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: `admin@${slug}.example`, namespace: namespaceFor(slug) };
}

/** A production-like configuration: the database and the API server at known addresses. */
const ISOLATION = networkIsolation({ MATIH_TENANT_DB_EGRESS_CIDRS: '10.20.0.4/32', MATIH_KUBE_API_EGRESS_CIDRS: '20.50.1.10/32' });

const policiesOf = (t: TenantFacts, isolation: NetworkIsolation = ISOLATION) => configureNetworkingManifests(t, isolation);
const specOf = (objs: KubeObject[], name: string) => objs.find((o) => o.metadata.name === name)?.spec;

/* ------------------------------------------------------------------------------------------ *
 * The objects
 * ------------------------------------------------------------------------------------------ */

describe('CONFIGURE_NETWORKING: the policies', () => {
  const INGRESS = ['default-deny-ingress', 'allow-same-namespace', 'allow-ingress-controller', 'allow-external-to-ingress-controller'];
  const EGRESS = [
    'default-deny-egress', 'allow-egress-dns', 'allow-egress-same-namespace', 'allow-egress-control-plane', 'allow-egress-platform',
    'allow-egress-database', 'allow-egress-kubernetes-api',
  ];

  it.each(TIERS)('are valid NetworkPolicies (kubernetes-models schema, names, selector labels) for a %s tenant', (tier) => {
    for (const isolation of [ISOLATION, DEFAULT_NETWORK_ISOLATION]) {
      const objs = policiesOf(tenant(tier, 'acme'), isolation);
      expect(objs.every((o) => o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy' && o.metadata.namespace === 'matih-acme')).toBe(true);
      for (const o of objs) expect(validateManifest(o)).toEqual([]);
      expect(objs.map((o) => o.metadata.labels?.['matih.ai/step'])).toEqual(objs.map(() => 'CONFIGURE_NETWORKING'));
    }
  });

  it('are the ingress ones, one egress policy per allowed destination, and the internet for connectors from the tier that sells them', () => {
    expect(policiesOf(tenant('FREE', 'acme')).map((o) => o.metadata.name)).toEqual([...INGRESS, ...EGRESS]);
    for (const tier of ['PROFESSIONAL', 'ENTERPRISE'] as const) {
      expect(policiesOf(tenant(tier, 'acme')).map((o) => o.metadata.name)).toEqual([...INGRESS, ...EGRESS, 'allow-egress-internet']);
    }
    // The gate is a tier feature, so the tiers follow the feature table.
    const feature = FEATURES.find((f) => f.name === INTERNET_FEATURE);
    expect(feature?.description).toMatch(/pipelines/);
    for (const tier of TIERS) {
      expect(policiesOf(tenant(tier, 'acme')).some((o) => o.metadata.name === 'allow-egress-internet')).toBe(feature !== undefined && tierIncludes(tier, feature));
    }
  });

  it('make every egress policy Egress-only, so that none isolates a pod for ingress as a side effect', () => {
    const egress = policiesOf(tenant('PROFESSIONAL', 'acme')).filter((o) => (o.metadata.name).includes('egress'));
    expect(egress).toHaveLength(EGRESS.length + 1);
    for (const o of egress) expect((o.spec as { policyTypes?: string[] }).policyTypes).toEqual(['Egress']);
  });

  it('select each destination from the settings', () => {
    const objs = policiesOf(tenant('PROFESSIONAL', 'acme'));
    const all = {};
    const egressOnly = (podSelector: object, egress: object[]) => ({ podSelector, policyTypes: ['Egress'], egress });
    const named = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    expect(specOf(objs, 'default-deny-egress')).toEqual({ podSelector: all, policyTypes: ['Egress'] });
    expect(specOf(objs, 'allow-egress-dns')).toEqual(
      egressOnly(all, [{ to: [{ ...named('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]),
    );
    expect(specOf(objs, 'allow-egress-same-namespace')).toEqual(egressOnly(all, [{ to: [{ podSelector: all }] }]));
    expect(specOf(objs, 'allow-egress-control-plane')).toEqual(egressOnly(all, [{ to: [named('matih-system')] }]));
    expect(specOf(objs, 'allow-egress-platform')).toEqual(
      egressOnly(all, [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['matih-platform', 'observability', 'monitoring'] }] } }] }]),
    );
    expect(specOf(objs, 'allow-egress-database')).toEqual(egressOnly(all, [{ to: [{ ipBlock: { cidr: '10.20.0.4/32' } }], ports: [{ protocol: 'TCP', port: 5432 }] }]));
    expect(specOf(objs, 'allow-egress-kubernetes-api')).toEqual(
      egressOnly({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['ingress-nginx', 'prometheus', 'grafana'] }] }, [
        { to: [{ ipBlock: { cidr: '20.50.1.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] },
      ]),
    );
    expect(specOf(objs, 'allow-egress-internet')).toEqual(
      egressOnly({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [...CONNECTOR_SERVICES] }] }, [
        // The private ranges, and the API server's public address.
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '20.50.1.10/32'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
      ]),
    );
    expect(specOf(objs, 'allow-external-to-ingress-controller')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }] }],
    });
  });

  it('take the telemetry namespaces from the addresses the tenant telemetry is sent to', () => {
    expect(telemetryNamespaces()).toEqual(['observability', 'monitoring']);
  });

  it('add configured platform addresses, and except from each allowed block only the private ranges inside it, per family', () => {
    const isolation = networkIsolation({
      MATIH_PLATFORM_NAMESPACES: 'matih-platform,llm-gateway,observability',
      MATIH_PLATFORM_EGRESS_CIDRS: '10.30.0.0/24',
      MATIH_INTERNET_EGRESS_CIDRS: '0.0.0.0/0,::/0,203.0.113.0/24,10.40.0.0/16',
      MATIH_PRIVATE_CIDRS: '10.0.0.0/8,fc00::/7',
    });
    const objs = policiesOf(tenant('PROFESSIONAL', 'acme'), isolation);
    expect(specOf(objs, 'allow-egress-platform')).toMatchObject({
      egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ values: ['matih-platform', 'llm-gateway', 'observability', 'monitoring'] }] } }, { ipBlock: { cidr: '10.30.0.0/24' } }] }],
    });
    // 10.40.0.0/16 lies inside a private range: listing it is the operator's explicit allow.
    expect(specOf(objs, 'allow-egress-internet')).toMatchObject({
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '::/0', except: ['fc00::/7'] } }, { ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '10.40.0.0/16' } }] }],
    });
  });
});

/* ------------------------------------------------------------------------------------------ *
 * The isolation table
 * ------------------------------------------------------------------------------------------ */

const NAME = 'app.kubernetes.io/name';
let nextIp = 0;
/** Pod addresses in the pod network (10.244.0.0/16): the stricter case for ipBlock allows. */
const podIp = () => `10.244.${Math.floor(++nextIp / 250)}.${nextIp % 250}`;

function namespaceOf(t: TenantFacts): NamespaceInfo {
  const ns = createNamespaceManifests(t, PROVENANCE).find((o) => o.kind === 'Namespace');
  if (!ns) throw new Error('no Namespace');
  return { name: ns.metadata.name, labels: ns.metadata.labels ?? {} };
}

const pod = (namespace: NamespaceInfo, labels: Record<string, string>): Pod => ({ kind: 'pod', namespace, labels, ip: podIp() });
const other = (name: string): NamespaceInfo => ({ name, labels: {} });
const ext = (ip: string): External => ({ kind: 'external', ip });

/** A tenant's pods with the labels their charts (and the Prometheus Operator) give them. */
function tenantPods(t: TenantFacts): Record<string, Pod> {
  const ns = namespaceOf(t);
  const pods: Record<string, Pod> = {};
  for (const service of deployedServicesFor(t.tier)) pods[service] = pod(ns, { [NAME]: service, 'app.kubernetes.io/instance': service });
  pods['ingress-nginx'] = pod(ns, { [NAME]: 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  pods.prometheus = pod(ns, { [NAME]: 'prometheus', 'app.kubernetes.io/managed-by': 'prometheus-operator', 'operator.prometheus.io/name': 'prometheus-prometheus' });
  pods.grafana = pod(ns, { [NAME]: 'grafana', 'app.kubernetes.io/instance': 'grafana' });
  return pods;
}

// Two tenants: A with connectors (Professional), B without (Free).
const A = tenant('PROFESSIONAL', 'acme');
const B = tenant('FREE', 'globex');
const podsA = tenantPods(A);
const podsB = tenantPods(B);
const listA = Object.values(podsA);
const listB = Object.values(podsB);
const a = (name: string): Pod => podsA[name] ?? (() => { throw new Error(`no pod ${name}`); })();
const b = (name: string): Pod => podsB[name] ?? (() => { throw new Error(`no pod ${name}`); })();

// The platform around them.
const controlPlane = pod(other('matih-system'), { [NAME]: 'matih-control-plane' });
const coreDns = pod(other('kube-system'), { 'k8s-app': 'kube-dns' });
const metricsServer = pod(other('kube-system'), { 'k8s-app': 'metrics-server' });
const llmGateway = pod(other('matih-platform'), { [NAME]: 'llm-gateway' });
const lokiGateway = pod(other('observability'), { [NAME]: 'loki', 'app.kubernetes.io/component': 'gateway' });
const platformPrometheus = pod(other('monitoring'), { [NAME]: 'prometheus' });
const platformAlertmanager = pod(other('monitoring'), { [NAME]: 'alertmanager' });
const stranger = pod(other('default'), { app: 'something-else' });

const DATABASE = ext('10.20.0.4');
const API_SERVER = ext('20.50.1.10');
const WEBSITE = ext('93.184.216.34');
const CLIENT = ext('198.51.100.7');

function cluster(isolation: NetworkIsolation = ISOLATION): KubeObject[] {
  return [...policiesOf(A, isolation), ...policiesOf(B, isolation)];
}
const POLICIES = cluster();
const may = (from: Endpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP', policies = POLICIES) => isAllowed(policies, { from, to, port, protocol });

/** Ports the services, the database, DNS and the web use. */
const PORTS: [number, Protocol][] = [[80, 'TCP'], [443, 'TCP'], [8080, 'TCP'], [3000, 'TCP'], [5432, 'TCP'], [9090, 'TCP'], [53, 'UDP'], [53, 'TCP']];

describe("spec/004's isolation table, row by row", () => {
  it('Tenant-to-tenant: blocked (default deny), every pod of each to every pod of the other, on every port', () => {
    for (const [from, to] of [[listA, listB], [listB, listA]] as const) {
      for (const source of from) {
        for (const target of to) {
          for (const [port, protocol] of PORTS) expect(may(source, target, port, protocol), `${source.namespace.name}/${source.labels[NAME]} -> ${target.namespace.name}/${target.labels[NAME]} ${port}/${protocol}`).toBe(false);
        }
      }
    }
    // The other tenant's ingress controller is its public entrance: reached from outside, like anyone's, not pod to pod.
    expect(may(a('pipeline-service'), b('ingress-nginx'), 443)).toBe(false);
  });

  it('Within tenant namespace: allowed, every pod to every pod', () => {
    for (const pods of [listA, listB]) {
      for (const source of pods) {
        for (const target of pods) expect(may(source, target, 8080)).toBe(true);
      }
    }
    expect(may(a('prometheus'), a('bi-service'), 9090)).toBe(true);
    expect(may(a('grafana'), a('prometheus'), 9090)).toBe(true);
  });

  it('From ingress controller: allowed to its own tenant; the controller is reachable from outside on 80 and 443 only', () => {
    expect(may(a('ingress-nginx'), a('auth-proxy'), 8080)).toBe(true);
    expect(may(a('ingress-nginx'), a('bi-service'), 3000)).toBe(true);
    expect(may(b('ingress-nginx'), b('bi-service'), 3000)).toBe(true);
    expect(may(a('ingress-nginx'), b('bi-service'), 3000)).toBe(false);
    for (const controller of [a('ingress-nginx'), b('ingress-nginx')]) {
      expect(may(CLIENT, controller, 443)).toBe(true);
      expect(may(CLIENT, controller, 80)).toBe(true);
      expect(may(CLIENT, controller, 10254)).toBe(false);
    }
    // Behind the controller nothing is reachable from outside, nor from other namespaces.
    expect(may(CLIENT, a('bi-service'), 3000)).toBe(false);
    expect(may(stranger, a('bi-service'), 3000)).toBe(false);
    expect(may(controlPlane, a('query-engine'), 8080)).toBe(false);
  });

  it('To control plane services: allowed (the control-plane namespace, every port), for every pod of every tenant', () => {
    for (const source of [...listA, ...listB]) {
      expect(may(source, controlPlane, 8082)).toBe(true);
      expect(may(source, controlPlane, 8089)).toBe(true);
    }
  });

  it('To external databases: allowed to the database endpoint on its port, and nothing else there', () => {
    for (const source of [...listA, ...listB]) expect(may(source, DATABASE, 5432)).toBe(true);
    expect(may(a('query-engine'), DATABASE, 22)).toBe(false);
    expect(may(a('query-engine'), ext('10.20.0.5'), 5432)).toBe(false);
    expect(may(b('catalog-service'), ext('10.20.0.5'), 5432)).toBe(false);
  });

  it('To internet: blocked, except the connector services of a tier with connectors, on the allowed ports, outside private ranges', () => {
    // Free: no connectors; Professional: the pipeline service only.
    for (const source of listB) expect(may(source, WEBSITE, 443)).toBe(false);
    for (const source of listA) expect(may(source, WEBSITE, 443)).toBe(CONNECTOR_SERVICES.includes(source.labels[NAME] ?? ''));
    expect(may(a('pipeline-service'), WEBSITE, 443)).toBe(true);
    expect(may(a('pipeline-service'), WEBSITE, 80)).toBe(false);
    expect(may(a('pipeline-service'), WEBSITE, 53, 'UDP')).toBe(false);
    // Private ranges, and the cloud's metadata endpoint, stay closed even to connectors.
    for (const ip of ['10.1.2.3', '172.16.5.5', '192.168.1.1', '169.254.169.254', '100.64.3.3']) expect(may(a('pipeline-service'), ext(ip), 443), ip).toBe(false);
    expect(may(a('ai-service'), WEBSITE, 443)).toBe(false);
  });

  it('To internet with an allowlist: the connectors reach the listed blocks only', () => {
    const policies = cluster(networkIsolation({ MATIH_TENANT_DB_EGRESS_CIDRS: '10.20.0.4/32', MATIH_INTERNET_EGRESS_CIDRS: '203.0.113.0/24', MATIH_INTERNET_EGRESS_PORTS: '443,8443' }));
    expect(may(a('pipeline-service'), ext('203.0.113.7'), 443, 'TCP', policies)).toBe(true);
    expect(may(a('pipeline-service'), ext('203.0.113.7'), 8443, 'TCP', policies)).toBe(true);
    expect(may(a('pipeline-service'), ext('203.0.113.7'), 22, 'TCP', policies)).toBe(false);
    expect(may(a('pipeline-service'), WEBSITE, 443, 'TCP', policies)).toBe(false);
    expect(may(b('pipeline-service'), ext('203.0.113.7'), 443, 'TCP', policies)).toBe(false);
  });
});

describe('what else every tenant needs, and nothing more', () => {
  it('DNS: UDP and TCP 53 to the cluster DNS pods, and no other port or kube-system pod', () => {
    for (const source of [...listA, ...listB]) {
      expect(may(source, coreDns, 53, 'UDP')).toBe(true);
      expect(may(source, coreDns, 53, 'TCP')).toBe(true);
    }
    expect(may(a('bi-service'), coreDns, 9153)).toBe(false);
    expect(may(a('bi-service'), metricsServer, 53, 'UDP')).toBe(false);
    expect(may(a('bi-service'), metricsServer, 443)).toBe(false);
  });

  it("the API server: the ingress controller, Prometheus and Grafana only (discovery, Grafana's dashboard sidecar), on its ports only", () => {
    for (const source of [a('ingress-nginx'), a('prometheus'), a('grafana'), b('ingress-nginx'), b('prometheus'), b('grafana')]) {
      expect(may(source, API_SERVER, 443)).toBe(true);
      expect(may(source, API_SERVER, 6443)).toBe(true);
      expect(may(source, API_SERVER, 22)).toBe(false);
      expect(may(source, WEBSITE, 443)).toBe(false);
    }
    for (const name of ['bi-service', 'pipeline-service', 'ai-service', 'auth-proxy']) expect(may(a(name), API_SERVER, 443), name).toBe(false);
  });

  it("the platform's shared services and the telemetry backends: allowed; any other namespace: blocked", () => {
    for (const source of [...listA, ...listB]) {
      expect(may(source, llmGateway, 8080)).toBe(true);
      expect(may(source, lokiGateway, 8080)).toBe(true);
      expect(may(source, platformPrometheus, 9090)).toBe(true);
      expect(may(source, stranger, 8080)).toBe(false);
    }
    expect(may(a('prometheus'), platformAlertmanager, 9093)).toBe(true);
  });

  it('with the defaults (no addresses configured) the database and API server ports stay open to any address, and only those', () => {
    const policies = cluster(DEFAULT_NETWORK_ISOLATION);
    expect(DEFAULT_NETWORK_ISOLATION.tenantDatabase.source).toBe('any-address');
    for (const ip of ['10.20.0.4', '172.20.1.1', '2001:db8::5']) expect(may(a('query-engine'), ext(ip), 5432, 'TCP', policies)).toBe(true);
    expect(may(a('query-engine'), ext('10.20.0.4'), 5433, 'TCP', policies)).toBe(false);
    expect(may(a('ingress-nginx'), ext('10.0.0.1'), 443, 'TCP', policies)).toBe(true);
    expect(may(a('query-engine'), ext('10.0.0.1'), 443, 'TCP', policies)).toBe(false);
    expect(may(b('query-engine'), b('catalog-service'), 8080, 'TCP', policies)).toBe(true);
    expect(may(a('query-engine'), b('catalog-service'), 5432, 'TCP', policies)).toBe(false);
  });
});
