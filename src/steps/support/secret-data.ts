import type { ClusterDriver } from '../../drivers/contract.js';
import { LABEL } from '../manifests/index.js';
import type { TenantFacts } from '../step.js';

/**
 * The decoded `data` of one of the tenant's Secrets, or undefined when it is absent or is not
 * the tenant's (labels say whose it is: a same-named Secret someone else put there is never
 * trusted as ours). Steps read their secrets back before generating new values, so a re-run
 * after a crash keeps what it wrote instead of rotating every credential.
 */
export async function readTenantSecret(cluster: ClusterDriver, tenant: TenantFacts, name: string): Promise<Record<string, string> | undefined> {
  const secret = await cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: tenant.namespace, name });
  if (secret === undefined || secret.metadata.labels?.[LABEL.tenantId] !== tenant.id) return undefined;
  const data = secret.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return decoded;
}
