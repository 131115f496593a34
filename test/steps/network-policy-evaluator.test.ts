import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { describe, expect, it } from 'vitest';
import { type Connection, type External, type Pod, isAllowed, selectorMatches } from '../support/network-policy-evaluator.js';

/**
 * The evaluator the isolation tests rely on, checked against hand-written cases whose answers
 * come from the Kubernetes documentation ("Network Policies", and the NetworkPolicy API
 * reference), not from the evaluator: most are the documentation's own examples.
 */

type Spec = NonNullable<INetworkPolicy['spec']>;
const policy = (namespace: string, name: string, spec: Spec): INetworkPolicy => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

const ns = (name: string, labels: Record<string, string> = {}) => ({ name, labels });
const pod = (namespace: ReturnType<typeof ns>, labels: Record<string, string>, ip?: string): Pod => ({ kind: 'pod', namespace, labels, ...(ip ? { ip } : {}) });
const ext = (ip: string): External => ({ kind: 'external', ip });
const tcp = (from: Pod | External, to: Pod | External, port: number): Connection => ({ from, to, port });

const prod = ns('prod', { env: 'production' });
const dev = ns('dev', { env: 'dev' });
const web = pod(prod, { app: 'web' }, '10.244.1.10');
const db = pod(prod, { app: 'db', tier: 'backend' }, '10.244.1.11');
const devWeb = pod(dev, { app: 'web' }, '10.244.2.10');

describe('network policy evaluator: isolation', () => {
  it('allows everything when no policy selects either pod', () => {
    expect(isAllowed([], tcp(web, db, 5432))).toBe(true);
    expect(isAllowed([], tcp(devWeb, ext('93.184.216.34'), 443))).toBe(true);
    expect(isAllowed([], tcp(ext('93.184.216.34'), web, 80))).toBe(true);
  });

  it('isolates for ingress the pods a policy selects, and only for ingress', () => {
    const deny = [policy('prod', 'deny-db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })];
    expect(isAllowed(deny, tcp(web, db, 5432))).toBe(false);
    // web is not selected; db's own egress is not isolated.
    expect(isAllowed(deny, tcp(db, web, 80))).toBe(true);
    expect(isAllowed(deny, tcp(db, ext('1.1.1.1'), 443))).toBe(true);
  });

  it('defaults policyTypes to Ingress, plus Egress only when the egress list is not empty', () => {
    // No policyTypes and egress rules: isolated both ways, and no ingress rule opens anything.
    const both = [policy('prod', 'egress-only', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })];
    expect(isAllowed(both, tcp(web, db, 5432))).toBe(true);
    expect(isAllowed(both, tcp(web, ext('1.1.1.1'), 443))).toBe(false);
    expect(isAllowed(both, tcp(db, web, 80))).toBe(false);
    // An empty egress list implies nothing: Ingress only.
    const ingressOnly = [policy('prod', 'empty-egress', { podSelector: { matchLabels: { app: 'web' } }, egress: [] })];
    expect(isAllowed(ingressOnly, tcp(web, ext('1.1.1.1'), 443))).toBe(true);
    expect(isAllowed(ingressOnly, tcp(db, web, 80))).toBe(false);
    // Explicit Egress with no rules: default deny egress.
    const denyEgress = [policy('prod', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })];
    expect(isAllowed(denyEgress, tcp(web, db, 5432))).toBe(false);
    expect(isAllowed(denyEgress, tcp(devWeb, web, 80))).toBe(true);
  });

  it('needs both sides: the source egress and the destination ingress', () => {
    const egressOpen = policy('prod', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{}] });
    const dbClosed = policy('prod', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    expect(isAllowed([egressOpen], tcp(web, db, 5432))).toBe(true);
    expect(isAllowed([egressOpen, dbClosed], tcp(web, db, 5432))).toBe(false);
    const webClosed = policy('prod', 'web-deny', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    const dbOpen = policy('prod', 'db-open', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{}] });
    expect(isAllowed([webClosed, dbOpen], tcp(web, db, 5432))).toBe(false);
  });

  it('ORs policies and rules: each adds what it allows', () => {
    const select = { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress' as const] };
    const fromWeb = policy('prod', 'from-web', { ...select, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] });
    const fromDev = policy('prod', 'from-dev', { ...select, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] });
    const other = pod(prod, { app: 'other' });
    expect(isAllowed([fromWeb], tcp(devWeb, db, 5432))).toBe(false);
    expect(isAllowed([fromWeb, fromDev], tcp(devWeb, db, 5432))).toBe(true);
    expect(isAllowed([fromWeb, fromDev], tcp(web, db, 5432))).toBe(true);
    expect(isAllowed([fromWeb, fromDev], tcp(other, db, 5432))).toBe(false);
  });

  it('reads an empty or missing from/to as every peer, and empty or missing ports as every port', () => {
    const open = [policy('prod', 'open', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: [] }] })];
    expect(isAllowed(open, tcp(ext('203.0.113.9'), db, 1))).toBe(true);
    expect(isAllowed(open, tcp(devWeb, web, 65535))).toBe(true);
    // No rule at all: nothing.
    const none = [policy('prod', 'none', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] })];
    expect(isAllowed(none, tcp(web, db, 5432))).toBe(false);
  });
});

describe('network policy evaluator: peers', () => {
  it('takes a podSelector alone as pods of the policy namespace, not of the other pod', () => {
    const p = [policy('prod', 'from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })];
    expect(isAllowed(p, tcp(web, db, 5432))).toBe(true);
    expect(isAllowed(p, tcp(devWeb, db, 5432))).toBe(false);
  });

  it('ANDs namespaceSelector and podSelector in one peer, ORs them as two peers (the documentation example)', () => {
    const select = { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress' as const] };
    const and = [policy('prod', 'and', { ...select, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'web' } } }] }] })];
    const or = [policy('prod', 'or', { ...select, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }] })];
    const devOther = pod(dev, { app: 'other' });
    expect(isAllowed(and, tcp(devWeb, db, 5432))).toBe(true);
    expect(isAllowed(and, tcp(devOther, db, 5432))).toBe(false);
    expect(isAllowed(and, tcp(web, db, 5432))).toBe(false);
    expect(isAllowed(or, tcp(devWeb, db, 5432))).toBe(true);
    expect(isAllowed(or, tcp(devOther, db, 5432))).toBe(true);
    expect(isAllowed(or, tcp(web, db, 5432))).toBe(true);
  });

  it('matches namespaces by the kubernetes.io/metadata.name label the API server sets', () => {
    const p = [policy('prod', 'from-dev', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] })];
    expect(isAllowed(p, tcp(devWeb, db, 5432))).toBe(true);
    expect(isAllowed(p, tcp(pod(ns('dev2', { env: 'dev' }), { app: 'web' }), db, 5432))).toBe(false);
  });

  it('matches an ipBlock by cidr less except, pods only when they have an address', () => {
    const p = [
      policy('prod', 'out', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } }, { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }],
      }),
    ];
    expect(isAllowed(p, tcp(web, ext('93.184.216.34'), 443))).toBe(true);
    expect(isAllowed(p, tcp(web, ext('10.1.2.3'), 443))).toBe(false);
    expect(isAllowed(p, tcp(web, ext('192.168.7.7'), 443))).toBe(false);
    expect(isAllowed(p, tcp(web, ext('172.16.0.1'), 443))).toBe(true);
    expect(isAllowed(p, tcp(web, ext('2001:db8:2::1'), 443))).toBe(true);
    expect(isAllowed(p, tcp(web, ext('2001:db8:1::1'), 443))).toBe(false);
    expect(isAllowed(p, tcp(web, ext('2001:db9::1'), 443))).toBe(false);
    // Pods: by their address (here in the except), or not at all without one.
    expect(isAllowed(p, tcp(web, db, 5432))).toBe(false);
    expect(isAllowed(p, tcp(web, pod(prod, { app: 'db' }, '100.64.0.5'), 5432))).toBe(true);
    expect(isAllowed(p, tcp(web, pod(prod, { app: 'db' }), 5432))).toBe(false);
    // A /32 is one address.
    const one = [policy('prod', 'one', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.20.0.4/32' } }] }] })];
    expect(isAllowed(one, tcp(web, ext('10.20.0.4'), 5432))).toBe(true);
    expect(isAllowed(one, tcp(web, ext('10.20.0.5'), 5432))).toBe(false);
  });

  it('refuses peers the API server would refuse', () => {
    const empty = [policy('prod', 'bad', { podSelector: {}, ingress: [{ from: [{}] }] })];
    expect(() => isAllowed(empty, tcp(web, db, 1))).toThrow(/must set/);
    const mixed = [policy('prod', 'bad', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] })];
    expect(() => isAllowed(mixed, tcp(web, db, 1))).toThrow(/ipBlock/);
  });
});

describe('network policy evaluator: ports', () => {
  const onPorts = (ports: NonNullable<Spec['egress']>[number]['ports']) => [policy('prod', 'ports', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports }] })];

  it('defaults the protocol to TCP', () => {
    const p = onPorts([{ port: 53 }]);
    expect(isAllowed(p, tcp(web, ext('1.1.1.1'), 53))).toBe(true);
    expect(isAllowed(p, { from: web, to: ext('1.1.1.1'), port: 53, protocol: 'UDP' })).toBe(false);
    const udp = onPorts([{ protocol: 'UDP', port: 53 }]);
    expect(isAllowed(udp, { from: web, to: ext('1.1.1.1'), port: 53, protocol: 'UDP' })).toBe(true);
    expect(isAllowed(udp, tcp(web, ext('1.1.1.1'), 53))).toBe(false);
  });

  it('takes a protocol without a port as every port of it, and endPort as an inclusive range', () => {
    const anyUdp = onPorts([{ protocol: 'UDP' }]);
    expect(isAllowed(anyUdp, { from: web, to: ext('1.1.1.1'), port: 9999, protocol: 'UDP' })).toBe(true);
    expect(isAllowed(anyUdp, tcp(web, ext('1.1.1.1'), 9999))).toBe(false);
    const range = onPorts([{ port: 32000, endPort: 32768 }]);
    expect([31999, 32000, 32500, 32768, 32769].map((port) => isAllowed(range, tcp(web, ext('1.1.1.1'), port)))).toEqual([false, true, true, true, false]);
  });

  it("matches a named port against the destination pod's ports", () => {
    const p = onPorts([{ port: 'metrics' }]);
    const target: Pod = { ...db, namedPorts: { metrics: { port: 9090 } } };
    expect(isAllowed(p, tcp(web, target, 9090))).toBe(true);
    expect(isAllowed(p, tcp(web, target, 9091))).toBe(false);
    expect(isAllowed(p, tcp(web, db, 9090))).toBe(false);
    expect(isAllowed(p, tcp(web, ext('1.1.1.1'), 9090))).toBe(false);
  });
});

describe('network policy evaluator: label selectors', () => {
  const labels = { app: 'web', tier: 'frontend' };

  it('matches an empty selector against everything, matchLabels against equal values', () => {
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web', tier: 'backend' } }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { env: 'prod' } }, labels)).toBe(false);
  });

  it('matches In, NotIn, Exists and DoesNotExist as label selectors do, ANDed with matchLabels', () => {
    const expr = (operator: string, values?: string[]) => ({ matchExpressions: [{ key: 'tier', operator, ...(values ? { values } : {}) }] });
    expect(selectorMatches(expr('In', ['frontend', 'edge']), labels)).toBe(true);
    expect(selectorMatches(expr('In', ['backend']), labels)).toBe(false);
    expect(selectorMatches(expr('In', ['frontend']), { app: 'web' })).toBe(false);
    expect(selectorMatches(expr('NotIn', ['backend']), labels)).toBe(true);
    expect(selectorMatches(expr('NotIn', ['frontend']), labels)).toBe(false);
    // NotIn holds for a pod without the key.
    expect(selectorMatches(expr('NotIn', ['frontend']), { app: 'web' })).toBe(true);
    expect(selectorMatches(expr('Exists'), labels)).toBe(true);
    expect(selectorMatches(expr('Exists'), { app: 'web' })).toBe(false);
    expect(selectorMatches(expr('DoesNotExist'), labels)).toBe(false);
    expect(selectorMatches(expr('DoesNotExist'), { app: 'web' })).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' }, ...expr('Exists') }, labels)).toBe(false);
    expect(() => selectorMatches(expr('Like', ['f*']), labels)).toThrow(/operator/);
  });
});
