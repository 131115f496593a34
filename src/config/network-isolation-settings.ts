import { cidrProblem, hostCidr } from '../domain/cidr.js';
import { ANY_ADDRESS, type AddressAllow, type AllowSource, type NetworkIsolation } from '../domain/network-isolation.js';
import type { VariableReader } from './variable-reader.js';

/**
 * Where tenant pods may send traffic (spec/004 phase 4, "Isolation Guarantees"): the egress
 * NetworkPolicies CONFIGURE_NETWORKING declares. Everything a tenant needs outside its own
 * namespace is named here, as a namespace or as addresses; what is not named is blocked.
 */
export const NETWORK_ISOLATION_VARIABLES = {
  MATIH_CONTROL_PLANE_NAMESPACE: 'matih-system',
  MATIH_PLATFORM_NAMESPACES: 'matih-platform',
  MATIH_PLATFORM_EGRESS_CIDRS: '',
  MATIH_CLUSTER_DNS_NAMESPACE: 'kube-system',
  MATIH_CLUSTER_DNS_LABELS: 'k8s-app=kube-dns',
  MATIH_TENANT_DB_EGRESS_CIDRS: '',
  MATIH_TENANT_DB_EGRESS_PORT: '',
  MATIH_KUBE_API_EGRESS_CIDRS: '',
  MATIH_KUBE_API_EGRESS_PORTS: '443,6443',
  MATIH_INTERNET_EGRESS_CIDRS: '0.0.0.0/0',
  MATIH_INTERNET_EGRESS_PORTS: '443',
  // RFC 1918, shared address space (RFC 6598, some pod networks), link-local (the cloud's
  // metadata endpoint, 169.254.169.254), IPv6 unique-local and link-local.
  MATIH_PRIVATE_CIDRS: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16,fc00::/7,fe80::/10',
} as const;
type NetworkIsolationVariable = keyof typeof NETWORK_ISOLATION_VARIABLES;

/** PostgreSQL's own port, when the tenant database URL names none. */
const POSTGRES_PORT = 5432;

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const list = (raw: string): string[] => raw.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * `tenantDatabaseUrl` is TENANT_DATABASE_URL (or DATABASE_URL): tenants connect to its host
 * and port (the tenant database driver hands them out), so when that host is an address it is
 * the database endpoint, and nobody has to say it twice.
 */
export function parseNetworkIsolationSettings(
  read: VariableReader<NetworkIsolationVariable>,
  tenantDatabaseUrl: string | undefined,
  problems: string[],
): NetworkIsolation {
  const namespace = (name: NetworkIsolationVariable): string => {
    const ns = read.text(name);
    if (!NAMESPACE.test(ns)) problems.push(`${name}="${ns}" must be one namespace name (lower case letters, digits and '-', at most 63)`);
    return ns;
  };
  const namespaces = (name: NetworkIsolationVariable): string[] => {
    const values = list(read.text(name));
    for (const ns of values.filter((v) => !NAMESPACE.test(v))) problems.push(`${name}: "${ns}" is not a namespace name (lower case letters, digits and '-', at most 63)`);
    return values;
  };
  const cidrs = (name: NetworkIsolationVariable): string[] => {
    const values = list(read.text(name));
    for (const v of values) {
      const problem = cidrProblem(v);
      if (problem) problems.push(`${name}: "${v}" ${problem}`);
    }
    return values.map((v) => v.toLowerCase());
  };
  const ports = (name: NetworkIsolationVariable): number[] => {
    const values = list(read.text(name));
    const bad = values.filter((v) => !/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65_535);
    if (bad.length > 0 || values.length === 0) {
      problems.push(`${name}="${read.text(name)}" must be TCP ports from 1 to 65535, comma-separated`);
      return list(NETWORK_ISOLATION_VARIABLES[name]).map(Number);
    }
    return values.map(Number);
  };

  // In the order of the variables, so that the problems are listed in it.
  const controlPlaneNamespace = namespace('MATIH_CONTROL_PLANE_NAMESPACE');
  const platformNamespaces = namespaces('MATIH_PLATFORM_NAMESPACES');
  const platformCidrs = cidrs('MATIH_PLATFORM_EGRESS_CIDRS');
  const clusterDns = { namespace: namespace('MATIH_CLUSTER_DNS_NAMESPACE'), podLabels: parseLabels(read.text('MATIH_CLUSTER_DNS_LABELS'), problems) };
  const tenantDatabase = parseDatabase(read, cidrs('MATIH_TENANT_DB_EGRESS_CIDRS'), tenantDatabaseUrl, problems);
  // The API server's real address is behind the `kubernetes` Service, which policies do not
  // see (they match after the service address is translated), and nothing else tells it.
  const kubeApiCidrs = cidrs('MATIH_KUBE_API_EGRESS_CIDRS');
  const kubernetesApi = {
    cidrs: kubeApiCidrs.length > 0 ? kubeApiCidrs : ANY_ADDRESS,
    ports: ports('MATIH_KUBE_API_EGRESS_PORTS'),
    source: kubeApiCidrs.length > 0 ? ('configured' as const) : ('any-address' as const),
  };
  const internet = { cidrs: cidrs('MATIH_INTERNET_EGRESS_CIDRS'), ports: ports('MATIH_INTERNET_EGRESS_PORTS') };
  return { controlPlaneNamespace, platformNamespaces, platformCidrs, clusterDns, tenantDatabase, kubernetesApi, internet, privateCidrs: cidrs('MATIH_PRIVATE_CIDRS') };
}

/** `key=value,key=value`: the labels of the cluster DNS pods (CoreDNS keeps kube-dns's `k8s-app`). */
function parseLabels(raw: string, problems: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of list(raw)) {
    const [key = '', value, ...rest] = item.split('=').map((s) => s.trim());
    if (value === undefined || rest.length > 0 || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
      problems.push(`MATIH_CLUSTER_DNS_LABELS: "${item}" is not a label, key=value`);
    } else {
      labels[key] = value;
    }
  }
  if (list(raw).length === 0) problems.push('MATIH_CLUSTER_DNS_LABELS must give at least one label of the DNS pods');
  return labels;
}

/**
 * The database endpoint: configured addresses, else the URL's host when it is an address (a
 * name may resolve to anything, and a policy takes addresses only), else any address on the
 * database port alone, so that tenants keep their database; the port is the URL's unless given.
 */
function parseDatabase(
  read: VariableReader<NetworkIsolationVariable>,
  configured: string[],
  url: string | undefined,
  problems: string[],
): AddressAllow & { source: AllowSource } {
  let host: string | undefined;
  let urlPort: number | undefined;
  try {
    if (url !== undefined) {
      const parsed = new URL(url);
      host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
      urlPort = parsed.port === '' ? undefined : Number(parsed.port);
    }
  } catch {
    // tenant-database-settings.ts reports a bad URL; here it just says nothing.
  }
  const raw = read.optional('MATIH_TENANT_DB_EGRESS_PORT');
  let port = urlPort ?? POSTGRES_PORT;
  if (raw !== undefined) {
    if (/^\d{1,5}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 65_535) port = Number(raw);
    else problems.push(`MATIH_TENANT_DB_EGRESS_PORT="${raw}" must be a TCP port from 1 to 65535`);
  }
  if (configured.length > 0) return { cidrs: configured, ports: [port], source: 'configured' };
  const derived = host === undefined ? undefined : hostCidr(host);
  if (derived !== undefined) return { cidrs: [derived], ports: [port], source: 'derived' };
  return { cidrs: ANY_ADDRESS, ports: [port], source: 'any-address' };
}
