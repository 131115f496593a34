/**
 * Settings of the tenant's edge (spec/004 phases 6 to 8): the load balancer wait, the DNS
 * provider and the TLS issuer, read by loadConfig. Kept apart from load-config.ts because they
 * validate as a group: which variables are required depends on the driver chosen.
 */
export const DNS_DRIVERS = ['embedded', 'powerdns', 'azure'] as const;
export type DnsDriverKind = (typeof DNS_DRIVERS)[number];
export const TLS_DRIVERS = ['local-ca', 'cert-manager'] as const;
export type TlsDriverKind = (typeof TLS_DRIVERS)[number];

export type DnsSettings =
  | {
      driver: 'embedded';
      /** Where the embedded authoritative server listens (UDP and TCP); port 0 picks a free one. */
      host: string;
      port: number;
      /** Host names this server is known by: every zone's apex NS. */
      nameServers: string[];
      ttl: number;
    }
  | { driver: 'powerdns'; apiUrl: string; apiKey: string; serverId: string; nameServers: string[]; ttl: number }
  | { driver: 'azure'; subscriptionId: string; resourceGroup: string; ttl: number };

export interface EdgeSettings {
  /** How long DEPLOY_INGRESS_CONTROLLER waits for the LoadBalancer address (spec/004: 600 s). */
  loadBalancerWaitMs: number;
  dns: DnsSettings;
  tls: TlsDriverKind;
}

type EdgeVariable =
  | 'MATIH_LB_WAIT_S'
  | 'MATIH_DNS_DRIVER'
  | 'MATIH_DNS_HOST'
  | 'MATIH_DNS_PORT'
  | 'MATIH_DNS_NAME_SERVERS'
  | 'MATIH_DNS_TTL'
  | 'MATIH_POWERDNS_URL'
  | 'MATIH_POWERDNS_API_KEY'
  | 'MATIH_POWERDNS_SERVER_ID'
  | 'MATIH_AZURE_SUBSCRIPTION_ID'
  | 'MATIH_AZURE_DNS_RESOURCE_GROUP'
  | 'MATIH_TLS_DRIVER';

/** Problems name the variable and never echo the PowerDNS API key. */
export function parseEdgeSettings(
  read: (name: EdgeVariable) => string,
  int: (name: EdgeVariable, min: number, max: number) => number,
  baseDomain: string,
  problems: string[],
): EdgeSettings {
  const ttl = int('MATIH_DNS_TTL', 1, 86_400);
  const nameServers = parseNameServers(read('MATIH_DNS_NAME_SERVERS'), baseDomain, problems);
  const rawDriver = read('MATIH_DNS_DRIVER').toLowerCase();
  const driver = DNS_DRIVERS.find((d) => d === rawDriver);
  if (!driver) problems.push(`MATIH_DNS_DRIVER="${rawDriver}" must be one of ${DNS_DRIVERS.join(', ')}`);
  let dns: DnsSettings;
  if (driver === 'powerdns') {
    const apiUrl = read('MATIH_POWERDNS_URL');
    const apiKey = read('MATIH_POWERDNS_API_KEY');
    if (!/^https?:\/\/[^\s]+$/.test(apiUrl)) problems.push('MATIH_DNS_DRIVER=powerdns needs MATIH_POWERDNS_URL, an http(s) URL of the PowerDNS API');
    if (apiKey === '') problems.push('MATIH_DNS_DRIVER=powerdns needs MATIH_POWERDNS_API_KEY');
    dns = { driver, apiUrl, apiKey, serverId: read('MATIH_POWERDNS_SERVER_ID'), nameServers, ttl };
  } else if (driver === 'azure') {
    const subscriptionId = read('MATIH_AZURE_SUBSCRIPTION_ID');
    const resourceGroup = read('MATIH_AZURE_DNS_RESOURCE_GROUP');
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(subscriptionId)) {
      problems.push('MATIH_DNS_DRIVER=azure needs MATIH_AZURE_SUBSCRIPTION_ID, a subscription id (a UUID)');
    }
    if (!/^[-\w.()]{1,90}$/.test(resourceGroup)) problems.push('MATIH_DNS_DRIVER=azure needs MATIH_AZURE_DNS_RESOURCE_GROUP, the resource group holding the zones');
    dns = { driver, subscriptionId, resourceGroup, ttl };
  } else {
    dns = { driver: 'embedded', host: read('MATIH_DNS_HOST'), port: int('MATIH_DNS_PORT', 0, 65_535), nameServers, ttl };
  }
  const rawTls = read('MATIH_TLS_DRIVER').toLowerCase();
  const tls = TLS_DRIVERS.find((t) => t === rawTls);
  if (!tls) problems.push(`MATIH_TLS_DRIVER="${rawTls}" must be one of ${TLS_DRIVERS.join(', ')}`);
  return { loadBalancerWaitMs: int('MATIH_LB_WAIT_S', 1, 86_400) * 1000, dns, tls: tls ?? 'local-ca' };
}

/** Unset: `ns1.{baseDomain}`, the name the embedded server answers as. */
function parseNameServers(raw: string, baseDomain: string, problems: string[]): string[] {
  const names = raw === '' ? [`ns1.${baseDomain}`] : raw.split(',').map((s) => s.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
  for (const name of names) {
    if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      problems.push(`MATIH_DNS_NAME_SERVERS: "${name}" is not a host name`);
    }
  }
  if (names.length === 0) problems.push('MATIH_DNS_NAME_SERVERS must list at least one host name');
  return names;
}
