import type { TenantFacts } from '../step.js';

/** The labels of spec/004 phase 1 that tie every object to its tenant. */
export function tenantLabels(t: TenantFacts): Record<string, string> {
  return {
    'matih.ai/tenant-id': t.id,
    'matih.ai/tenant-slug': t.slug,
    'matih.ai/tier': t.tier.toLowerCase(),
    'matih.ai/region': t.region,
    'matih.ai/managed-by': 'tenant-service',
  };
}
