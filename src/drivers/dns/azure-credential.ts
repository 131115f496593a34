import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';

/** Who the control plane is to Azure, as configured (config/azure-settings.ts: the AZURE_* variables). */
export interface AzureIdentity {
  /** The Microsoft Entra directory (tenant); not a MATIH tenant. */
  tenantId: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/**
 * The credential of the `azure` DnsDriver. With all three of AZURE_TENANT_ID, AZURE_CLIENT_ID and
 * AZURE_CLIENT_SECRET, the service principal they name: what DefaultAzureCredential would build
 * from them, built from the values configuration read. Otherwise DefaultAzureCredential itself:
 * workload identity on AKS, a managed identity on Azure VMs and App Service (AZURE_CLIENT_ID
 * picks a user-assigned one), `az login` on a developer's machine; @azure/identity reads the
 * variables those need itself. Makes no request: tokens are asked for on first use.
 */
export function azureCredential(identity: AzureIdentity): TokenCredential {
  const { tenantId, clientId, clientSecret } = identity;
  if (tenantId !== undefined && clientId !== undefined && clientSecret !== undefined) return new ClientSecretCredential(tenantId, clientId, clientSecret);
  return new DefaultAzureCredential();
}
