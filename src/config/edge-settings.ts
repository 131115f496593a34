import { type AzureIdentity, halfServicePrincipalProblem } from './azure-settings.js';
import type { VariableReader } from './variable-reader.js';

/**
 * Settings of the tenant's edge (spec/004 phases 6 to 8): the parent DNS zone, the load balancer
 * wait, the DNS provider and the TLS issuer. They validate as a group: which variables are
 * required depends on the driver chosen.
 */
export const EDGE_VARIABLES = {
  MATIH_BASE_DOMAIN: 'matih.localhost',
  MATIH_LB_WAIT_S: '600',
  MATIH_DNS_DRIVER: 'embedded',
  MATIH_DNS_HOST: '127.0.0.1',
  MATIH_DNS_PORT: '5353',
  MATIH_DNS_NAME_SERVERS: '',
  MATIH_DNS_TTL: '300',
  MATIH_POWERDNS_URL: '',
  MATIH_POWERDNS_API_KEY: '',
  MATIH_POWERDNS_SERVER_ID: 'localhost',
  MATIH_AZURE_DNS_RESOURCE_GROUP: '',
  MATIH_AZURE_MANAGEMENT_ENDPOINT: '',
  MATIH_TLS_DRIVER: 'local-ca',
} as const;
/** The subscription is shared with the enterprise stages (azure-settings.ts). */
type EdgeVariable = keyof typeof EDGE_VARIABLES | 'MATIH_AZURE_SUBSCRIPTION_ID';

export const DNS_DRIVERS = ['embedded', 'powerdns', 'azure'] as const;
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
  | AzureDnsSettings;

export interface AzureDnsSettings {
  driver: 'azure';
  subscriptionId: string;
  /** The resource group holding the parent zone and every tenant's child zone. */
  resourceGroup: string;
  /** Resource Manager; unset: the public cloud's. */
  endpoint: string | undefined;
  /** Whom to ask for tokens: a service principal when all three AZURE_* are set, else DefaultAzureCredential. */
  identity: AzureIdentity;
  ttl: number;
}

export interface EdgeSettings {
  /** How long DEPLOY_INGRESS_CONTROLLER waits for the LoadBalancer address (spec/004: 600 s). */
  loadBalancerWaitMs: number;
  dns: DnsSettings;
  tls: TlsDriverKind;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The parent zone of the tenant zones: `{slug}.{baseDomain}`; lower case. */
export function parseBaseDomain(read: VariableReader<EdgeVariable>, problems: string[]): string {
  const baseDomain = read.text('MATIH_BASE_DOMAIN').toLowerCase();
  if (!/^(?=.{1,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(baseDomain)) {
    problems.push(`MATIH_BASE_DOMAIN="${baseDomain}" must be a DNS name such as matih.example.com`);
  }
  return baseDomain;
}

/** Problems name the variable and never echo the PowerDNS API key or an Azure secret. */
export function parseEdgeSettings(read: VariableReader<EdgeVariable>, baseDomain: string, azure: AzureIdentity, problems: string[]): EdgeSettings {
  const ttl = read.int('MATIH_DNS_TTL', 1, 86_400);
  const nameServers = parseNameServers(read.text('MATIH_DNS_NAME_SERVERS'), baseDomain, problems);
  const rawDriver = read.text('MATIH_DNS_DRIVER').toLowerCase();
  const driver = DNS_DRIVERS.find((d) => d === rawDriver);
  if (!driver) problems.push(`MATIH_DNS_DRIVER="${rawDriver}" must be one of ${DNS_DRIVERS.join(', ')}`);
  let dns: DnsSettings;
  if (driver === 'powerdns') {
    const apiUrl = read.text('MATIH_POWERDNS_URL');
    const apiKey = read.text('MATIH_POWERDNS_API_KEY');
    if (!/^https?:\/\/[^\s]+$/.test(apiUrl)) problems.push('MATIH_DNS_DRIVER=powerdns needs MATIH_POWERDNS_URL, an http(s) URL of the PowerDNS API');
    if (apiKey === '') problems.push('MATIH_DNS_DRIVER=powerdns needs MATIH_POWERDNS_API_KEY');
    dns = { driver, apiUrl, apiKey, serverId: read.text('MATIH_POWERDNS_SERVER_ID'), nameServers, ttl };
  } else if (driver === 'azure') {
    dns = parseAzureDns(read, azure, ttl, problems);
  } else {
    dns = { driver: 'embedded', host: read.text('MATIH_DNS_HOST'), port: read.int('MATIH_DNS_PORT', 0, 65_535), nameServers, ttl };
  }
  const rawTls = read.text('MATIH_TLS_DRIVER').toLowerCase();
  const tls = TLS_DRIVERS.find((t) => t === rawTls);
  if (!tls) problems.push(`MATIH_TLS_DRIVER="${rawTls}" must be one of ${TLS_DRIVERS.join(', ')}`);
  return { loadBalancerWaitMs: read.int('MATIH_LB_WAIT_S', 1, 86_400) * 1000, dns, tls: tls ?? 'local-ca' };
}

function parseAzureDns(read: VariableReader<EdgeVariable>, identity: AzureIdentity, ttl: number, problems: string[]): AzureDnsSettings {
  const subscriptionId = read.text('MATIH_AZURE_SUBSCRIPTION_ID');
  const resourceGroup = read.text('MATIH_AZURE_DNS_RESOURCE_GROUP');
  const endpoint = read.optional('MATIH_AZURE_MANAGEMENT_ENDPOINT');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(subscriptionId)) {
    problems.push('MATIH_DNS_DRIVER=azure needs MATIH_AZURE_SUBSCRIPTION_ID, a subscription id (a UUID)');
  }
  if (!/^[-\w.()]{1,90}$/.test(resourceGroup)) problems.push('MATIH_DNS_DRIVER=azure needs MATIH_AZURE_DNS_RESOURCE_GROUP, the resource group holding the zones');
  // The SDK sends bearer tokens over HTTPS only.
  if (endpoint !== undefined && !/^https:\/\/[^\s/]+/.test(endpoint)) problems.push(`MATIH_AZURE_MANAGEMENT_ENDPOINT="${endpoint}" must be an https URL`);
  const half = halfServicePrincipalProblem(identity);
  if (half) problems.push(`MATIH_DNS_DRIVER=azure: ${half}`);
  return { driver: 'azure', subscriptionId, resourceGroup, endpoint, identity, ttl };
}

/** Unset: `ns1.{baseDomain}`, the name the embedded server answers as. */
function parseNameServers(raw: string, baseDomain: string, problems: string[]): string[] {
  const names = raw === '' ? [`ns1.${baseDomain}`] : raw.split(',').map((s) => s.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
  for (const name of names) {
    if (!DNS_NAME.test(name)) problems.push(`MATIH_DNS_NAME_SERVERS: "${name}" is not a host name`);
  }
  if (names.length === 0) problems.push('MATIH_DNS_NAME_SERVERS must list at least one host name');
  return names;
}
