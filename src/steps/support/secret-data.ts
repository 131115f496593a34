import type { KubeObject } from '../../drivers/contract.js';
import { LABEL } from '../manifests/index.js';
import type { TenantFacts } from '../step.js';

/**
 * The decoded `data` of one of the tenant's Secrets among what a step holds (its objects as its
 * list by owner labels found them: cluster-sync.ts observeHeld), or undefined when it is absent
 * or is not the tenant's (labels say whose it is: a same-named Secret someone else put there is
 * never trusted as ours, nor one that lost the step's labels). Steps read their secrets back
 * before generating new values, so a re-run after a crash keeps what it wrote instead of rotating
 * every credential, without a read of its own.
 */
export function heldTenantSecret(held: readonly KubeObject[], tenant: TenantFacts, name: string): Record<string, string> | undefined {
  const secret = held.find((o) => o.apiVersion === 'v1' && o.kind === 'Secret' && o.metadata.name === name && o.metadata.namespace === tenant.namespace);
  if (secret === undefined || secret.metadata.labels?.[LABEL.tenantId] !== tenant.id) return undefined;
  const data = secret.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') values[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return values;
}
