import { BlockList, isIP } from 'node:net';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { KubeObject } from '../../src/drivers/contract.js';

/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), as the API reference and the
 * network policy documentation give them, to answer "may this connection be made?" over a set
 * of policies without a cluster:
 *
 * - a pod is isolated for ingress (egress) iff some policy of its namespace selects it by its
 *   podSelector and has Ingress (Egress) in its policyTypes; policyTypes left out means Ingress,
 *   plus Egress when the policy has a non-empty egress list (the API server's defaulting);
 * - a connection is allowed iff the source's egress side allows it AND the destination's
 *   ingress side does; a side that is not isolated allows everything, an isolated side allows
 *   what any rule of any policy selecting it allows (rules are ORed, peers within a rule ORed);
 * - a rule with no (or an empty) `from`/`to` matches every peer; no (or empty) `ports` every port;
 * - a peer: podSelector alone = pods of the policy's own namespace; namespaceSelector alone =
 *   every pod of the selected namespaces; both in one peer = both (AND); ipBlock = addresses in
 *   `cidr` and not in any `except` (and nothing else in that peer);
 * - a port: protocol TCP unless given; a number, or a number with endPort (inclusive range), or
 *   a name matched against the destination pod's named ports; no port = every port of the protocol;
 * - selectors: matchLabels and matchExpressions ANDed; In, NotIn (true when the key is absent),
 *   Exists, DoesNotExist; an empty selector matches everything.
 *
 * Namespaces carry `kubernetes.io/metadata.name` as the API server sets it. An ipBlock matches
 * a pod only when the caller gives the pod an address: whether a CNI matches pod addresses by
 * ipBlock is left to the implementation, so a test that asserts isolation should give pods
 * addresses (the stricter case). Traffic from the node a pod runs on, which every CNI allows, is
 * not modelled.
 */

export type Labels = Readonly<Record<string, string>>;
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface NamespaceInfo {
  name: string;
  labels?: Labels;
}

export interface Pod {
  kind: 'pod';
  namespace: NamespaceInfo;
  labels: Labels;
  /** The pod's address, for ipBlock peers (see above). */
  ip?: string;
  /** Named container ports, for policies that name a port. */
  namedPorts?: Readonly<Record<string, { port: number; protocol?: Protocol }>>;
}

/** Anything outside the cluster's pods: an address on the internet, a database, the API server. */
export interface External {
  kind: 'external';
  ip: string;
}

export type Endpoint = Pod | External;

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  /** TCP unless given. */
  protocol?: Protocol;
}

type Spec = NonNullable<INetworkPolicy['spec']>;
type Selector = NonNullable<Spec['podSelector']>;
type Rule = NonNullable<Spec['ingress']>[number] | NonNullable<Spec['egress']>[number];
type Peer = NonNullable<NonNullable<Spec['ingress']>[number]['from']>[number];
type PolicyPort = NonNullable<Rule['ports']>[number];
type Direction = 'Ingress' | 'Egress';

interface Policy {
  namespace: string;
  name: string;
  spec: Spec;
}

function namespaceLabels(ns: NamespaceInfo): Labels {
  return { ...ns.labels, 'kubernetes.io/metadata.name': ns.name };
}

export function selectorMatches(selector: Selector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  }
  return true;
}

function family(ip: string): 'ipv4' | 'ipv6' {
  const f = isIP(ip);
  if (f === 0) throw new Error(`"${ip}" is not an IP address`);
  return f === 4 ? 'ipv4' : 'ipv6';
}

function inCidr(ip: string, cidr: string): boolean {
  const [network = '', prefix = ''] = cidr.split('/');
  const type = family(network);
  if (family(ip) !== type) return false;
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), type);
  return list.check(ip, type);
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  const fields = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((f) => f !== undefined).length;
  if (fields === 0) throw new Error('a peer must set podSelector, namespaceSelector or ipBlock');
  if (peer.ipBlock) {
    if (fields > 1) throw new Error('an ipBlock peer takes no selectors');
    const ip = other.ip;
    if (ip === undefined) return false;
    return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(ip, e));
  }
  if (other.kind !== 'pod') return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, namespaceLabels(other.namespace))
    : other.namespace.name === policyNamespace;
  return namespaceOk && selectorMatches(peer.podSelector ?? {}, other.labels);
}

function portMatches(port: PolicyPort, connection: Connection, destination: Endpoint): boolean {
  const protocol = connection.protocol ?? 'TCP';
  if ((port.protocol ?? 'TCP') !== protocol) return false;
  if (port.port === undefined) {
    if (port.endPort !== undefined) throw new Error('endPort needs port');
    return true;
  }
  if (typeof port.port === 'string') {
    if (port.endPort !== undefined) throw new Error('endPort needs a numeric port');
    const named = destination.kind === 'pod' ? destination.namedPorts?.[port.port] : undefined;
    return named !== undefined && named.port === connection.port && (named.protocol ?? 'TCP') === protocol;
  }
  const end = port.endPort ?? port.port;
  if (end < port.port) throw new Error('endPort must not be below port');
  return connection.port >= port.port && connection.port <= end;
}

function ruleMatches(rule: Rule, direction: Direction, policyNamespace: string, connection: Connection): boolean {
  const peers = direction === 'Ingress' ? (rule as { from?: Peer[] }).from : (rule as { to?: Peer[] }).to;
  const other = direction === 'Ingress' ? connection.from : connection.to;
  const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => peerMatches(p, policyNamespace, other));
  const ports = rule.ports ?? [];
  const portOk = ports.length === 0 || ports.some((p) => portMatches(p, connection, connection.to));
  return peerOk && portOk;
}

function policyTypes(spec: Spec): Direction[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
  return (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Whether the pod's side of the connection allows it in that direction. */
function sideAllows(policies: readonly Policy[], pod: Pod, direction: Direction, connection: Connection): boolean {
  const selecting = policies.filter((p) => p.namespace === pod.namespace.name && selectorMatches(p.spec.podSelector ?? {}, pod.labels) && policyTypes(p.spec).includes(direction));
  if (selecting.length === 0) return true;
  return selecting.some((p) => {
    const rules: Rule[] = (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
    return rules.some((r) => ruleMatches(r, direction, p.namespace, connection));
  });
}

function asPolicy(obj: KubeObject | INetworkPolicy): Policy {
  if (obj.kind !== 'NetworkPolicy') throw new Error(`${obj.kind} is not a NetworkPolicy`);
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '?';
  if (!namespace) throw new Error(`NetworkPolicy ${name} has no namespace`);
  return { namespace, name, spec: (obj.spec ?? {}) as Spec };
}

/** May `connection.from` open `connection.to` on that port, under these policies (of any namespaces)? */
export function isAllowed(objects: readonly (KubeObject | INetworkPolicy)[], connection: Connection): boolean {
  const policies = objects.map(asPolicy);
  const egressOk = connection.from.kind !== 'pod' || sideAllows(policies, connection.from, 'Egress', connection);
  const ingressOk = connection.to.kind !== 'pod' || sideAllows(policies, connection.to, 'Ingress', connection);
  return egressOk && ingressOk;
}
