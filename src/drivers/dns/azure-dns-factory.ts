import type { DnsManagementClientOptionalParams } from '@azure/arm-dns';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { AzureDnsDriver } from './azure-dns-driver.js';

/**
 * Builds the `azure` DnsDriver (MATIH_DNS_DRIVER=azure) from environment variables, for the
 * composition root. The environment is passed in, not read here: loadConfig is the service's one
 * reader of process.env.
 *
 *   MATIH_AZURE_SUBSCRIPTION_ID       required: the subscription holding the zones (a GUID)
 *   MATIH_AZURE_DNS_RESOURCE_GROUP    required: the resource group of the parent and tenant zones
 *   MATIH_AZURE_MANAGEMENT_ENDPOINT   optional: Resource Manager; default https://management.azure.com
 *   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
 *                                     optional, all three or none: a service principal (client secret)
 *
 * Without the service principal, DefaultAzureCredential: workload identity on AKS, a managed
 * identity on Azure VMs and App Service, `az login` on a developer's machine (@azure/identity reads
 * its own variables for those, e.g. AZURE_CLIENT_ID for a user-assigned identity).
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface AzureDnsSettings {
  subscriptionId: string;
  resourceGroup: string;
  /** Unset: the SDK's default, the public cloud. */
  endpoint: string | undefined;
  /** Unset: DefaultAzureCredential. */
  servicePrincipal: { tenantId: string; clientId: string; clientSecret: string } | undefined;
}

const SERVICE_PRINCIPAL_VARIABLES = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

/** The settings, or every problem with them at once (so an operator fixes a deployment in one go). */
export function readAzureDnsSettings(env: Env): { settings: AzureDnsSettings; problems: [] } | { settings: undefined; problems: string[] } {
  const problems: string[] = [];
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };
  const subscriptionId = value('MATIH_AZURE_SUBSCRIPTION_ID');
  const resourceGroup = value('MATIH_AZURE_DNS_RESOURCE_GROUP');
  if (subscriptionId === undefined) problems.push('MATIH_AZURE_SUBSCRIPTION_ID is required with MATIH_DNS_DRIVER=azure');
  if (resourceGroup === undefined) problems.push('MATIH_AZURE_DNS_RESOURCE_GROUP is required with MATIH_DNS_DRIVER=azure');
  const [tenantId, clientId, clientSecret] = SERVICE_PRINCIPAL_VARIABLES.map(value);
  const given = SERVICE_PRINCIPAL_VARIABLES.filter((name) => value(name) !== undefined);
  // AZURE_CLIENT_ID alone is how a user-assigned managed identity is chosen: not a half service principal.
  const halfSet = given.length > 0 && given.length < 3 && !(given.length === 1 && given[0] === 'AZURE_CLIENT_ID');
  if (halfSet) problems.push(`a service principal needs all of ${SERVICE_PRINCIPAL_VARIABLES.join(', ')}; only ${given.join(', ')} set`);
  if (problems.length > 0 || subscriptionId === undefined || resourceGroup === undefined) return { settings: undefined, problems };
  const servicePrincipal = tenantId !== undefined && clientId !== undefined && clientSecret !== undefined ? { tenantId, clientId, clientSecret } : undefined;
  return { settings: { subscriptionId, resourceGroup, endpoint: value('MATIH_AZURE_MANAGEMENT_ENDPOINT'), servicePrincipal }, problems: [] };
}

/** The credential the settings name. Makes no request: tokens are asked for on first use. */
export function azureCredential(settings: AzureDnsSettings): TokenCredential {
  const sp = settings.servicePrincipal;
  return sp === undefined ? new DefaultAzureCredential() : new ClientSecretCredential(sp.tenantId, sp.clientId, sp.clientSecret);
}

/**
 * The driver for `env`, or an Error listing what is missing or wrong (never a secret's value).
 * `overrides` are for tests: another credential, the SDK's client options.
 */
export function azureDnsDriverFromEnv(env: Env, overrides: { credential?: TokenCredential; clientOptions?: DnsManagementClientOptionalParams } = {}): AzureDnsDriver {
  const { settings, problems } = readAzureDnsSettings(env);
  if (settings === undefined) throw new Error(`Azure DNS is not configured: ${problems.join('; ')}`);
  return new AzureDnsDriver({
    credential: overrides.credential ?? azureCredential(settings),
    subscriptionId: settings.subscriptionId,
    resourceGroup: settings.resourceGroup,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(overrides.clientOptions === undefined ? {} : { clientOptions: overrides.clientOptions }),
  });
}
