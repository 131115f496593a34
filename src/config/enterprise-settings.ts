import path from 'node:path';

/**
 * Settings of the enterprise stages (spec/003): who checks the Azure service principal, and how
 * Terraform runs. Read by loadConfig; kept apart because they validate as a group (the Azure
 * credentials are required only when something Azure is chosen).
 */
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
    };

export interface EnterpriseSettings {
  servicePrincipal: 'simulated' | 'azure';
  terraform: TerraformSettings;
  /** The database-held state lock's lease (renewed while Terraform runs). */
  lockLeaseMs: number;
  /** Set when the service principal check is `azure` or Terraform runs the azure modules. */
  azure: AzureCredentials | undefined;
}

type EnterpriseVariable =
  | 'MATIH_SERVICE_PRINCIPAL'
  | 'MATIH_TERRAFORM'
  | 'MATIH_TERRAFORM_BINARY'
  | 'MATIH_TERRAFORM_DIR'
  | 'MATIH_TERRAFORM_MODULES'
  | 'MATIH_TERRAFORM_STATE_ADDRESS'
  | 'MATIH_TERRAFORM_STATE_LOCK_ADDRESS'
  | 'MATIH_TERRAFORM_STATE_USERNAME'
  | 'MATIH_TERRAFORM_STATE_PASSWORD'
  | 'MATIH_TERRAFORM_LOCK_LEASE_S'
  | 'MATIH_AZURE_TENANT_ID'
  | 'MATIH_AZURE_CLIENT_ID'
  | 'MATIH_AZURE_CLIENT_SECRET'
  | 'MATIH_AZURE_SUBSCRIPTION_ID';

export function parseEnterpriseSettings(
  read: (name: EnterpriseVariable) => string,
  int: (name: EnterpriseVariable, min: number, max: number) => number,
  dataDir: string,
  problems: string[],
): EnterpriseSettings {
  const servicePrincipal = read('MATIH_SERVICE_PRINCIPAL').toLowerCase();
  if (servicePrincipal !== 'simulated' && servicePrincipal !== 'azure') problems.push(`MATIH_SERVICE_PRINCIPAL="${servicePrincipal}" must be simulated or azure`);
  const kind = read('MATIH_TERRAFORM').toLowerCase();
  if (kind !== 'simulated' && kind !== 'terraform') problems.push(`MATIH_TERRAFORM="${kind}" must be simulated or terraform`);
  const modules = read('MATIH_TERRAFORM_MODULES').toLowerCase();
  if (modules !== 'azure' && modules !== 'builtin') problems.push(`MATIH_TERRAFORM_MODULES="${modules}" must be azure or builtin`);
  const optional = (name: EnterpriseVariable) => read(name) || undefined;
  const url = (name: EnterpriseVariable) => {
    const value = optional(name);
    // Never echoed: a state URL may carry credentials.
    if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) problems.push(`${name} must be an http(s) URL`);
    return value;
  };
  const terraform: TerraformSettings =
    kind === 'terraform'
      ? {
          kind: 'terraform',
          binary: read('MATIH_TERRAFORM_BINARY'),
          dir: path.resolve(read('MATIH_TERRAFORM_DIR') || path.join(dataDir, 'terraform')),
          modules: modules === 'builtin' ? 'builtin' : 'azure',
          stateAddress: url('MATIH_TERRAFORM_STATE_ADDRESS'),
          stateLockAddress: url('MATIH_TERRAFORM_STATE_LOCK_ADDRESS'),
          stateUsername: optional('MATIH_TERRAFORM_STATE_USERNAME'),
          statePassword: optional('MATIH_TERRAFORM_STATE_PASSWORD'),
        }
      : { kind: 'simulated' };
  const needsAzure = servicePrincipal === 'azure' || (terraform.kind === 'terraform' && terraform.modules === 'azure');
  const azure = needsAzure ? parseAzureCredentials(read, problems) : undefined;
  return {
    servicePrincipal: servicePrincipal === 'azure' ? 'azure' : 'simulated',
    terraform,
    lockLeaseMs: int('MATIH_TERRAFORM_LOCK_LEASE_S', 10, 86_400) * 1000,
    azure,
  };
}

function parseAzureCredentials(read: (name: EnterpriseVariable) => string, problems: string[]): AzureCredentials | undefined {
  const names = ['MATIH_AZURE_TENANT_ID', 'MATIH_AZURE_CLIENT_ID', 'MATIH_AZURE_CLIENT_SECRET', 'MATIH_AZURE_SUBSCRIPTION_ID'] as const;
  const missing = names.filter((n) => read(n) === '');
  if (missing.length > 0) {
    problems.push(`MATIH_SERVICE_PRINCIPAL=azure or MATIH_TERRAFORM=terraform with the azure modules needs ${missing.join(', ')}`);
    return undefined;
  }
  return {
    directoryId: read('MATIH_AZURE_TENANT_ID'),
    clientId: read('MATIH_AZURE_CLIENT_ID'),
    clientSecret: read('MATIH_AZURE_CLIENT_SECRET'),
    subscriptionId: read('MATIH_AZURE_SUBSCRIPTION_ID'),
  };
}
