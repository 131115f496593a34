import { type CustomQuota, type WorkloadFootprint, mergeQuota, namespaceQuota, quotaShortfalls, readQuota, takesCustomQuota } from './custom-quota.js';
import type { FieldError } from './errors.js';
import type { Tier } from './tiers.js';

/**
 * spec/000's `configuration` of a tenant's infrastructure, with what each field does:
 * - `storageGb`: the namespace's storage request quota (`requests.storage`); not (yet) the size of
 *   an Enterprise tenant's Terraform-built storage, which the module fixes.
 * - `enableHa`: two replicas of each core service instead of one, where the quota holds them
 *   (quotaFitProblems: Enterprise; Professional's CPU limits do not, Free's has no room at all).
 * - `databaseSize`: meant as the dedicated database's SKU (Enterprise); recorded, but not passed
 *   to Terraform yet (the module's size is fixed: drivers/terraform/modules).
 * - `quota`: Enterprise only, the namespace's ResourceQuota a platform admin declared (spec/002's
 *   "Custom"); absent, the tenant has no quota. The shared tiers' quota is their tier's.
 */
export interface InfrastructureConfiguration {
  databaseSize: string;
  storageGb: number;
  enableHa: boolean;
  quota?: CustomQuota;
}

/**
 * What a tenant of `tier` with `configuration` runs in its namespace: the data plane's manifests
 * know it (steps), so the composition root hands it to whoever checks a declared quota.
 */
export type FootprintOf = (tier: Tier, configuration: InfrastructureConfiguration) => WorkloadFootprint;

interface TierBounds {
  defaults: InfrastructureConfiguration;
  maxStorageGb: number;
  haAllowed: boolean;
}

const BOUNDS: Readonly<Record<Tier, TierBounds>> = {
  FREE: { defaults: { databaseSize: 'Standard_B1ms', storageGb: 10, enableHa: false }, maxStorageGb: 50, haAllowed: false },
  PROFESSIONAL: { defaults: { databaseSize: 'Standard_D2s_v3', storageGb: 100, enableHa: false }, maxStorageGb: 2048, haAllowed: true },
  ENTERPRISE: { defaults: { databaseSize: 'Standard_D4s_v3', storageGb: 500, enableHa: true }, maxStorageGb: 65536, haAllowed: true },
};

export function defaultConfiguration(tier: Tier): InfrastructureConfiguration {
  return { ...BOUNDS[tier].defaults };
}

const KNOWN = new Set(['databaseSize', 'storageGb', 'enableHa', 'quota']);
// An Azure VM/database SKU name: letters, digits and underscores ("Standard_D2s_v3").
const SKU = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Validates a (partial) configuration against the tier and merges it over `base`. Returns every
 * problem at once, each naming its field under `prefix` (`configuration.storageGb`).
 */
export function mergeConfiguration(
  base: InfrastructureConfiguration,
  patch: unknown,
  tier: Tier,
  prefix = 'configuration',
): { configuration: InfrastructureConfiguration; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const merged = { ...base };
  if (patch === undefined || patch === null) return { configuration: clampForTier(merged, tier), problems };
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    return { configuration: merged, problems: [{ field: prefix, message: 'must be an object' }] };
  }
  const bounds = BOUNDS[tier];
  for (const [key, value] of Object.entries(patch)) {
    const field = `${prefix}.${key}`;
    if (!KNOWN.has(key)) {
      problems.push({ field, message: `is not a configuration field (known: ${[...KNOWN].join(', ')})` });
    } else if (key === 'storageGb') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > bounds.maxStorageGb) {
        problems.push({ field, message: `must be an integer from 1 to ${bounds.maxStorageGb} for ${tier}` });
      } else merged.storageGb = value;
    } else if (key === 'enableHa') {
      if (typeof value !== 'boolean') problems.push({ field, message: 'must be true or false' });
      else if (value && !bounds.haAllowed) problems.push({ field, message: `is not available on ${tier}: its quota has no room for a second replica` });
      else merged.enableHa = value;
    } else if (key === 'quota') {
      mergeQuotaInto(merged, value, tier, field, problems);
    } else if (typeof value !== 'string' || !SKU.test(value)) {
      problems.push({ field, message: 'must be a SKU name such as Standard_D2s_v3' });
    } else merged.databaseSize = value;
  }
  return { configuration: merged, problems };
}

function mergeQuotaInto(merged: InfrastructureConfiguration, value: unknown, tier: Tier, field: string, problems: FieldError[]): void {
  if (!takesCustomQuota(tier)) {
    // null asks for what the shared tiers have anyway: no quota of their own.
    if (value !== null) problems.push({ field, message: `is set by the ${tier} tier (spec/004's table); only ENTERPRISE takes a custom quota` });
    return;
  }
  const result = mergeQuota(merged.quota, value, field);
  problems.push(...result.problems);
  if (result.problems.length > 0) return;
  if (result.quota) merged.quota = result.quota;
  else delete merged.quota;
}

/**
 * A declared quota must hold the tenant's own workloads as this configuration runs them (two of
 * each core service with `enableHa`), or the API server would refuse their pods: each bound that
 * is short is a problem naming its field. A tier's own quota (Free, Professional) holds its
 * workloads as shipped, but not always with HA on (Professional's CPU limits do not hold two of
 * each core service): then `enableHa` is the field at fault. Enterprise without a quota has nothing to hold.
 */
export function quotaFitProblems(configuration: InfrastructureConfiguration, tier: Tier, footprintOf: FootprintOf, prefix = 'configuration'): FieldError[] {
  if (configuration.quota) return quotaShortfalls(configuration.quota, configuration.storageGb, footprintOf(tier, configuration), prefix);
  const tierQuota = namespaceQuota(tier, undefined);
  if (!configuration.enableHa || !tierQuota) return [];
  const bounds = tierQuota as CustomQuota;
  const short = quotaShortfalls(bounds, configuration.storageGb, footprintOf(tier, configuration), prefix);
  if (short.length === 0) return [];
  return [{ field: `${prefix}.enableHa`, message: `does not fit the ${tier} quota: ${short.map((p) => `${p.field.split('.').at(-1) ?? p.field} ${p.message}`).join('; ')}` }];
}

/**
 * A configuration carried over from another tier (a tier change) made to fit the new one: storage
 * within its maximum, HA off where the tier has none, a custom quota only where the tier takes one.
 */
export function clampForTier(configuration: InfrastructureConfiguration, tier: Tier): InfrastructureConfiguration {
  const bounds = BOUNDS[tier];
  return {
    databaseSize: configuration.databaseSize,
    storageGb: Math.min(configuration.storageGb, bounds.maxStorageGb),
    enableHa: configuration.enableHa && bounds.haAllowed,
    ...(configuration.quota && takesCustomQuota(tier) ? { quota: configuration.quota } : {}),
  };
}

/** Reads a stored configuration, filling in what an older row lacks from the tier's defaults. */
export function readConfiguration(stored: unknown, tier: Tier): InfrastructureConfiguration {
  const defaults = defaultConfiguration(tier);
  if (typeof stored !== 'object' || stored === null) return defaults;
  const s = stored as Partial<Record<keyof InfrastructureConfiguration, unknown>>;
  const quota = takesCustomQuota(tier) ? readQuota(s.quota) : undefined;
  return {
    databaseSize: typeof s.databaseSize === 'string' ? s.databaseSize : defaults.databaseSize,
    storageGb: typeof s.storageGb === 'number' ? s.storageGb : defaults.storageGb,
    enableHa: typeof s.enableHa === 'boolean' ? s.enableHa : defaults.enableHa,
    ...(quota ? { quota } : {}),
  };
}
