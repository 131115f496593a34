import type { StepName } from '../../domain/plans.js';
import type { TenantFacts } from '../step.js';
import { tenantLabels } from '../support/tenant-labels.js';

/** Label and annotation keys of spec/004 phase 1, plus the step that owns an object. */
export const LABEL = {
  tenantId: 'matih.ai/tenant-id',
  tenantSlug: 'matih.ai/tenant-slug',
  tier: 'matih.ai/tier',
  region: 'matih.ai/region',
  managedBy: 'matih.ai/managed-by',
  step: 'matih.ai/step',
} as const;

export const ANNOTATION = {
  provisionedAt: 'matih.ai/provisioned-at',
  provisionedBy: 'matih.ai/provisioned-by',
} as const;

export const MANAGED_BY = 'tenant-service';

/**
 * The labels every tenant object carries: enough for the cluster driver to list, diff and tear
 * down by label selector (tenant, then step). Tier and region stay off these on purpose: they
 * describe the namespace, and carrying them everywhere would make a tier change rewrite every
 * object the tenant owns.
 */
export function ownerLabels(tenant: TenantFacts, step: StepName): Record<string, string> {
  return {
    [LABEL.tenantId]: tenant.id,
    [LABEL.tenantSlug]: tenant.slug,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.step]: step,
  };
}

/**
 * The namespace gets spec/004's five labels plus its owning step. spec/002's `matih.io/tenant`
 * and `matih.io/tier` are left out: spec/004 wins where the seeds disagree (DESIGN.md section 2),
 * it already says the same thing under `matih.ai/tenant-slug` and `matih.ai/tier`, and nothing
 * selects on `matih.io/*`; two vocabularies would be two selectors to keep in step for ever.
 */
export function namespaceLabels(tenant: TenantFacts, step: StepName): Record<string, string> {
  return { ...tenantLabels(tenant), ...ownerLabels(tenant, step) };
}
