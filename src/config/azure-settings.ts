import type { VariableReader } from './variable-reader.js';

/**
 * Who the control plane is to Azure, for everything Azure it talks to (Azure DNS, the service
 * principal check, Terraform's azurerm provider). One convention: the Azure SDK's own variables,
 * the ones DefaultAzureCredential reads, so an operator sets them once and the same deployment
 * also works with workload identity (AZURE_FEDERATED_TOKEN_FILE, set by the AKS webhook) or a
 * managed identity, where the SDK reads what it needs itself.
 */
export const AZURE_VARIABLES = {
  AZURE_TENANT_ID: '',
  AZURE_CLIENT_ID: '',
  AZURE_CLIENT_SECRET: '',
  MATIH_AZURE_SUBSCRIPTION_ID: '',
} as const;
type AzureVariable = keyof typeof AZURE_VARIABLES;

/** As given; any may be unset (a managed identity needs none, or only the client id). */
export interface AzureIdentity {
  /** The Microsoft Entra directory (tenant); not a MATIH tenant. */
  tenantId: string | undefined;
  clientId: string | undefined;
  /** A secret: never logged, never echoed in a problem. */
  clientSecret: string | undefined;
}

const SERVICE_PRINCIPAL_VARIABLES = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

/** The names an earlier version read, and what replaced each. */
const RETIRED_VARIABLES = {
  MATIH_AZURE_TENANT_ID: 'AZURE_TENANT_ID',
  MATIH_AZURE_CLIENT_ID: 'AZURE_CLIENT_ID',
  MATIH_AZURE_CLIENT_SECRET: 'AZURE_CLIENT_SECRET',
} as const;

/**
 * Refuses the retired MATIH_AZURE_* credential names outright: ignoring them would leave a
 * deployment that set them without credentials, and its first Azure call would fail far from
 * the cause.
 */
export function parseAzureIdentity(read: VariableReader<AzureVariable>, problems: string[]): AzureIdentity {
  for (const [retired, name] of Object.entries(RETIRED_VARIABLES)) {
    if (read.env[retired]?.trim()) problems.push(`${retired} is no longer read: set ${name} instead (the Azure SDK's name, used for every Azure client)`);
  }
  return { tenantId: read.optional('AZURE_TENANT_ID'), clientId: read.optional('AZURE_CLIENT_ID'), clientSecret: read.optional('AZURE_CLIENT_SECRET') };
}

/**
 * A client secret is useless without the directory and the application it belongs to: that is
 * half a service principal. The other partial sets are how the SDK's passwordless sign-ins are
 * chosen, and DefaultAzureCredential reads them itself: AZURE_CLIENT_ID alone picks a
 * user-assigned managed identity; AZURE_TENANT_ID and AZURE_CLIENT_ID (with the token file the
 * AKS webhook sets beside them) are workload identity.
 */
export function halfServicePrincipalProblem(identity: AzureIdentity): string | undefined {
  const values = { AZURE_TENANT_ID: identity.tenantId, AZURE_CLIENT_ID: identity.clientId, AZURE_CLIENT_SECRET: identity.clientSecret };
  const given = SERVICE_PRINCIPAL_VARIABLES.filter((name) => values[name] !== undefined);
  const half = identity.clientSecret !== undefined && given.length < 3;
  return half ? `a service principal needs all of ${SERVICE_PRINCIPAL_VARIABLES.join(', ')}; only ${given.join(', ')} set` : undefined;
}
