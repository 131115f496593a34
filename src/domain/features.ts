import { EventType } from './events.js';
import { type FieldError, ValidationError } from './errors.js';
import { TIERS, type Tier } from './tiers.js';

/**
 * Feature flags by tier (spec/002 "Tenant Tiers and Quotas", issue 5 CONFIGURE). Each flag has a
 * minimum tier and is on for that tier and every tier above it: "All features" of Enterprise is
 * then true by construction. A tenant's admin may override flags per tenant:
 *
 * - switching a flag off is allowed at any tier (a tenant that does not want AI chat);
 * - switching a flag on is allowed only when the tier includes it. Overrides never sell a
 *   feature the plan does not include: asking for one is refused (400, naming the flag), and a
 *   stored "on" that a later downgrade left above the tier is ignored until the tier includes
 *   the flag again (it stays stored, and reads show it, so the admin can see and remove it);
 * - unknown flag names are refused, so a typo is an error and not a silent no-op; removing
 *   (null) a stored override of a flag the catalogue no longer has is allowed, to clean up.
 *
 * "Limited AI" (Free) is read as AI assistance without chat: the limit is the missing
 * `ai.chat`, not a quota the spec gives no number for.
 */

export interface FeatureDefinition {
  name: string;
  description: string;
  minimumTier: Tier;
  /** The entry of spec/002's "Features" column (TierProfile.features) this flag stands for. */
  tierFeature: string;
}

export const FEATURES = [
  { name: 'analytics.basic', description: 'Dashboards, saved queries and standard charts', minimumTier: 'FREE', tierFeature: 'basic-analytics' },
  { name: 'ai.assist', description: 'AI query assistance: suggestions and explanations of queries', minimumTier: 'FREE', tierFeature: 'limited-ai' },
  {
    name: 'analytics.full',
    description: 'Full analytics: semantic layer, scheduled reports, data quality and pipelines',
    minimumTier: 'PROFESSIONAL',
    tierFeature: 'full-analytics',
  },
  { name: 'ai.chat', description: 'Conversational AI chat over the tenant data', minimumTier: 'PROFESSIONAL', tierFeature: 'ai-chat' },
  { name: 'ml.workbench', description: 'Machine learning: training, registry and serving of models', minimumTier: 'PROFESSIONAL', tierFeature: 'ml' },
  { name: 'ai.customModels', description: 'Bring your own AI models (the custom AI model preference)', minimumTier: 'ENTERPRISE', tierFeature: 'custom-models' },
  { name: 'support.sla', description: 'Contractual service level agreement and priority support', minimumTier: 'ENTERPRISE', tierFeature: 'sla' },
] as const satisfies readonly FeatureDefinition[];

export type FeatureName = (typeof FEATURES)[number]['name'];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);

/** Stored overrides: flag name to on or off. Names are checked on write, not on read. */
export type FeatureOverrides = Readonly<Record<string, boolean>>;

/** A JSON merge patch (RFC 7396) of the overrides: null removes an override. */
export type FeatureOverridesPatch = Readonly<Record<string, boolean | null>>;

/** The outbox event of a change to a tenant's overrides. */
export const FEATURES_CHANGED_EVENT = EventType.TENANT_FEATURES_CHANGED;

export const FeatureSource = {
  TIER: 'tier',
  OVERRIDE: 'override',
} as const;
export type FeatureSource = (typeof FeatureSource)[keyof typeof FeatureSource];

export interface ResolvedFeature {
  name: FeatureName;
  description: string;
  minimumTier: Tier;
  /** What the tier alone gives. */
  tierDefault: boolean;
  enabled: boolean;
  /** `override` when a stored override decided `enabled`; `tier` otherwise (none, or one the tier caps). */
  source: FeatureSource;
  /** The stored override, whether or not it took effect; null when there is none. */
  override: boolean | null;
}

function rank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

export function tierIncludes(tier: Tier, feature: { minimumTier: Tier }): boolean {
  return rank(tier) >= rank(feature.minimumTier);
}

/** Every flag of the catalogue, in catalogue order, as the tier and the overrides decide it. */
export function resolveFeatures(tier: Tier, overrides: FeatureOverrides): ResolvedFeature[] {
  return FEATURES.map((f) => {
    const tierDefault = tierIncludes(tier, f);
    const override = Object.hasOwn(overrides, f.name) ? (overrides[f.name] ?? null) : null;
    // An "on" the tier does not include is capped: then the tier decides, not the override.
    const capped = override === true && !tierDefault;
    return {
      name: f.name,
      description: f.description,
      minimumTier: f.minimumTier,
      tierDefault,
      enabled: override === null ? tierDefault : override && tierDefault,
      source: override === null || capped ? FeatureSource.TIER : FeatureSource.OVERRIDE,
      override,
    };
  });
}

/** The resolved flags as a name-to-value map, in catalogue order (what the data plane reads). */
export function featureFlags(resolved: readonly ResolvedFeature[]): Record<FeatureName, boolean> {
  return Object.fromEntries(resolved.map((f) => [f.name, f.enabled])) as Record<FeatureName, boolean>;
}

/**
 * Applies a merge patch to the stored overrides under the rules above. Every bad flag is named
 * (as the field) in one ValidationError; nothing is applied when any is bad.
 */
export function applyFeatureOverridesPatch(current: FeatureOverrides, patch: FeatureOverridesPatch, tier: Tier): Record<string, boolean> {
  const next: Record<string, boolean> = { ...current };
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(patch)) {
    const feature = FEATURES.find((f) => f.name === name);
    if (value === null) {
      if (!feature && !Object.hasOwn(current, name)) errors.push(unknownFlag(name));
      delete next[name];
    } else if (!feature) {
      errors.push(unknownFlag(name));
    } else if (value && !tierIncludes(tier, feature)) {
      errors.push({ field: name, message: `needs the ${feature.minimumTier} tier or above; the tenant is on ${tier} (switching it off is always allowed)` });
    } else {
      next[name] = value;
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  // Stable key order, so equal overrides are stored and hashed the same.
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function unknownFlag(name: string): FieldError {
  return { field: name, message: `is not a feature flag; the flags are ${FEATURE_NAMES.join(', ')}` };
}
