import path from 'node:path';
import { CLOUD_PROVIDERS, type CloudProvider } from '../domain/cloud.js';
import type { AzureIdentity } from './azure-settings.js';
import type { Env, VariableReader } from './variable-reader.js';

/**
 * Settings of the enterprise stages (spec/003): who checks the Azure service principal, and how
 * Terraform runs. They validate as a group: the Azure service principal is required only when
 * something Azure is chosen.
 */
export const ENTERPRISE_VARIABLES = {
  MATIH_SERVICE_PRINCIPAL: 'simulated',
  MATIH_TERRAFORM: 'simulated',
  MATIH_TERRAFORM_BINARY: 'terraform',
  MATIH_TERRAFORM_DIR: '',
  MATIH_TERRAFORM_MODULES: 'azure',
  MATIH_TERRAFORM_STATE_ADDRESS: '',
  MATIH_TERRAFORM_STATE_LOCK_ADDRESS: '',
  MATIH_TERRAFORM_STATE_USERNAME: '',
  MATIH_TERRAFORM_STATE_PASSWORD: '',
  MATIH_TERRAFORM_LOCK_LEASE_S: '600',
} as const;
/** The subscription is shared with Azure DNS (azure-settings.ts). */
type EnterpriseVariable = keyof typeof ENTERPRISE_VARIABLES | 'MATIH_AZURE_SUBSCRIPTION_ID';

/** The platform's service principal, complete: what the check validates and Terraform signs in with. */
export interface AzureCredentials {
  /** The Microsoft Entra directory (tenant) of the service principal; not a MATIH tenant. */
  directoryId: string;
  clientId: string;
  /** A secret: never logged, never echoed in a problem. */
  clientSecret: string;
  subscriptionId: string;
}

export type TerraformSettings =
  | { kind: 'simulated' }
  | {
      kind: 'terraform';
      /** `terraform`, `tofu`, or a path to either. */
      binary: string;
      /** Per-tenant working directories. */
      dir: string;
      /** `azure`: the azurerm modules of spec/003; `builtin`: terraform_data stand-ins (no provider downloads). */
      modules: 'azure' | 'builtin';
      /** Unset: local state files under `{dir}/state`. */
      stateAddress: string | undefined;
      stateLockAddress: string | undefined;
      stateUsername: string | undefined;
      statePassword: string | undefined;
      /** What Terraform may inherit of the service's environment (path, home, proxies, TF_*, ARM_*). */
      hostEnv: Readonly<Record<string, string>>;
    };

export interface EnterpriseSettings {
  servicePrincipal: 'simulated' | 'azure';
  terraform: TerraformSettings;
  /** The database-held state lock's lease (renewed while Terraform runs). */
  lockLeaseMs: number;
  /** Set when the service principal check is `azure` or Terraform runs the azure modules. */
  azure: AzureCredentials | undefined;
}

/** `dataDir` (absolute) holds the working directories unless MATIH_TERRAFORM_DIR says otherwise. */
export function parseEnterpriseSettings(
  read: VariableReader<EnterpriseVariable>,
  dataDir: string,
  identity: AzureIdentity,
  problems: string[],
): EnterpriseSettings {
  const servicePrincipal = read.text('MATIH_SERVICE_PRINCIPAL').toLowerCase();
  if (servicePrincipal !== 'simulated' && servicePrincipal !== 'azure') problems.push(`MATIH_SERVICE_PRINCIPAL="${servicePrincipal}" must be simulated or azure`);
  const kind = read.text('MATIH_TERRAFORM').toLowerCase();
  if (kind !== 'simulated' && kind !== 'terraform') problems.push(`MATIH_TERRAFORM="${kind}" must be simulated or terraform`);
  const modules = read.text('MATIH_TERRAFORM_MODULES').toLowerCase();
  if (modules !== 'azure' && modules !== 'builtin') problems.push(`MATIH_TERRAFORM_MODULES="${modules}" must be azure or builtin`);
  const url = (name: EnterpriseVariable) => {
    const value = read.optional(name);
    // Never echoed: a state URL may carry credentials.
    if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) problems.push(`${name} must be an http(s) URL`);
    return value;
  };
  const terraform: TerraformSettings =
    kind === 'terraform'
      ? {
          kind: 'terraform',
          binary: read.text('MATIH_TERRAFORM_BINARY'),
          dir: path.resolve(read.text('MATIH_TERRAFORM_DIR') || path.join(dataDir, 'terraform')),
          modules: modules === 'builtin' ? 'builtin' : 'azure',
          stateAddress: url('MATIH_TERRAFORM_STATE_ADDRESS'),
          stateLockAddress: url('MATIH_TERRAFORM_STATE_LOCK_ADDRESS'),
          stateUsername: read.optional('MATIH_TERRAFORM_STATE_USERNAME'),
          statePassword: read.optional('MATIH_TERRAFORM_STATE_PASSWORD'),
          hostEnv: terraformHostEnv(read.env),
        }
      : { kind: 'simulated' };
  const needsAzure = servicePrincipal === 'azure' || (terraform.kind === 'terraform' && terraform.modules === 'azure');
  return {
    servicePrincipal: servicePrincipal === 'azure' ? 'azure' : 'simulated',
    terraform,
    lockLeaseMs: read.int('MATIH_TERRAFORM_LOCK_LEASE_S', 10, 86_400) * 1000,
    azure: needsAzure ? azureCredentials(identity, read.text('MATIH_AZURE_SUBSCRIPTION_ID'), problems) : undefined,
  };
}

/**
 * The check and Terraform's azurerm provider sign in as a service principal with a secret (the
 * provider gets it as ARM_CLIENT_SECRET), so all of it is required here, even where Azure DNS
 * could make do with a managed identity.
 */
function azureCredentials(identity: AzureIdentity, subscriptionId: string, problems: string[]): AzureCredentials | undefined {
  const { tenantId, clientId, clientSecret } = identity;
  const given = { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: clientSecret, MATIH_AZURE_SUBSCRIPTION_ID: subscriptionId || undefined };
  const missing = Object.entries(given).filter(([, value]) => value === undefined).map(([name]) => name);
  if (missing.length > 0 || tenantId === undefined || clientId === undefined || clientSecret === undefined) {
    problems.push(`MATIH_SERVICE_PRINCIPAL=azure or MATIH_TERRAFORM=terraform with the azure modules needs ${missing.join(', ')}`);
    return undefined;
  }
  return { directoryId: tenantId, clientId, clientSecret, subscriptionId };
}

/*
 * Mirrors PASSED in drivers/terraform/terraform-env.ts (config/ may not import drivers/), which
 * filters again: Terraform sees what it needs of our environment, never the control plane's own
 * secrets (DATABASE_URL, MATIH_*).
 */
const TERRAFORM_HOST_VARIABLES: ReadonlySet<string> = new Set([
  'PATH', 'HOME', 'USER', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR',
]);
const TERRAFORM_HOST_PREFIXES = ['TF_', 'ARM_'];

function terraformHostEnv(env: Env): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (TERRAFORM_HOST_VARIABLES.has(name) || TERRAFORM_HOST_PREFIXES.some((p) => name.startsWith(p))) picked[name] = value;
  }
  return picked;
}

/**
 * The clouds whose dedicated (Enterprise) infrastructure this installation can build: Azure only
 * once real Azure is involved (the azurerm modules, or the Azure service principal check); every
 * cloud with the simulated Terraform or the builtin stand-in modules.
 */
export function dedicatedCloudProviders(settings: EnterpriseSettings): readonly CloudProvider[] {
  const realAzure = settings.servicePrincipal === 'azure' || (settings.terraform.kind === 'terraform' && settings.terraform.modules === 'azure');
  return realAzure ? ['AZURE'] : CLOUD_PROVIDERS;
}
