/**
 * What a tenant's pods may reach beyond their own namespace: the destinations spec/004's
 * "Isolation Guarantees" table allows (phase 4), named the way a NetworkPolicy can select them.
 * The configuration fills it in (config/network-isolation-settings.ts, every default there);
 * CONFIGURE_NETWORKING turns it into egress policies (steps/manifests/network-policies.ts). It
 * lives here because both of those read it and neither may import the other.
 */

/** Addresses (CIDR blocks) and the TCP ports open on them. */
export interface AddressAllow {
  cidrs: readonly string[];
  ports: readonly number[];
}

/**
 * Where an address allow came from: set by the operator, derived from another setting (the
 * tenant database URL's host), or "any address" because neither could say, so that the tenant
 * keeps working; the composition root warns about the last on a real cluster.
 */
export type AllowSource = 'configured' | 'derived' | 'any-address';

/** Every address, IPv4 and IPv6: the allow of last resort, on the allow's ports only. */
export const ANY_ADDRESS: readonly string[] = ['0.0.0.0/0', '::/0'];

export interface NetworkIsolation {
  /** "To control plane services: allowed (egress to control plane namespace)": every port. */
  controlPlaneNamespace: string;
  /**
   * Namespaces of the platform's shared services (Redis, Kafka, the LLM gateway: what spec/002
   * phase 3 hands tenants credentials for), every port. The telemetry namespaces the tenant's
   * own manifests already address (steps/manifests/telemetry.ts) are added by the step.
   */
  platformNamespaces: readonly string[];
  /** The same services when they run outside the cluster (managed Redis, Kafka, an LLM endpoint), every port. */
  platformCidrs: readonly string[];
  /** The cluster DNS every pod resolves names with, on UDP and TCP 53. */
  clusterDns: { namespace: string; podLabels: Readonly<Record<string, string>> };
  /** "To external databases: allowed (egress to database endpoints)". */
  tenantDatabase: AddressAllow & { source: AllowSource };
  /** The API server, for the tenant's ingress controller, Prometheus and Grafana only (what they watch there). */
  kubernetesApi: AddressAllow & { source: Exclude<AllowSource, 'derived'> };
  /** "To internet: blocked (except for connector services)": what the connectors may reach. */
  internet: AddressAllow;
  /**
   * Ranges the internet allow never opens, whatever it lists: the cluster's own (pod and
   * service CIDRs), private networks, and link-local (the cloud's metadata endpoint).
   */
  privateCidrs: readonly string[];
}
