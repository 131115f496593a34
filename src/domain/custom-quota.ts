import type { FieldError } from './errors.js';
import { formatBytes, formatCpu, parseQuantity } from './quantity.js';
import { TIER_PROFILES, Tier, type TierQuota } from './tiers.js';

/**
 * spec/002's "Custom" quota of an Enterprise tenant: the resources the Free and Professional
 * quotas bound (tiers.ts), declared by a platform admin in the tenant's infrastructure
 * configuration. Storage is not here: `configuration.storageGb` is every tier's storage quota.
 */
export interface CustomQuota {
  /** Kubernetes quantities, as they go into the ResourceQuota. */
  cpuRequests: string;
  cpuLimits: string;
  memoryRequests: string;
  memoryLimits: string;
  pods: number;
  services: number;
  persistentVolumeClaims: number;
}

const QUANTITY_FIELDS = ['cpuRequests', 'cpuLimits', 'memoryRequests', 'memoryLimits'] as const;
const COUNT_FIELDS = ['pods', 'services', 'persistentVolumeClaims'] as const;
/** In the order the quota is stored and shown. */
export const CUSTOM_QUOTA_FIELDS = [...QUANTITY_FIELDS, ...COUNT_FIELDS] as const;
type QuantityField = (typeof QUANTITY_FIELDS)[number];

/** A quantity longer than this is no one's quota; the bound keeps the stored declaration small. */
const MAX_QUANTITY_LENGTH = 32;

/** spec/002: only Enterprise's CPU, memory and pods are "Custom"; the others' come from the table. */
export function takesCustomQuota(tier: Tier): boolean {
  return tier === Tier.ENTERPRISE;
}

/** The bounds of a namespace's ResourceQuota, storage aside; null means unbounded. */
export type QuotaBounds = Omit<TierQuota, 'maxUsers'>;

/**
 * What the tenant's namespace is held to: its tier's row of spec/004's table, or on Enterprise
 * its declared quota. Null: no ResourceQuota at all (an Enterprise tenant that declared none has
 * its dedicated cluster to itself, as spec/004's "Unlimited" says).
 */
export function namespaceQuota(tier: Tier, custom: CustomQuota | undefined): QuotaBounds | null {
  if (takesCustomQuota(tier)) return custom ? { ...custom } : null;
  const q = TIER_PROFILES[tier].quota;
  return {
    cpuRequests: q.cpuRequests,
    cpuLimits: q.cpuLimits,
    memoryRequests: q.memoryRequests,
    memoryLimits: q.memoryLimits,
    pods: q.pods,
    services: q.services,
    persistentVolumeClaims: q.persistentVolumeClaims,
  };
}

const EXAMPLE: Readonly<Record<QuantityField, string>> = {
  cpuRequests: '"8" or "500m"',
  cpuLimits: '"16" or "1500m"',
  memoryRequests: '"16Gi" or "512Mi"',
  memoryLimits: '"32Gi" or "1536Mi"',
};

/**
 * A quota patch merged over the declared quota (absent: none yet), every problem at once, each
 * naming its field under `field` (`configuration.quota.cpuLimits`). `null` removes the quota.
 * What is left out keeps its declared value; with nothing declared, every field is required.
 */
export function mergeQuota(current: CustomQuota | undefined, patch: unknown, field: string): { quota: CustomQuota | undefined; problems: FieldError[] } {
  if (patch === null) return { quota: undefined, problems: [] };
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    return { quota: current, problems: [{ field, message: `must be an object of ${CUSTOM_QUOTA_FIELDS.join(', ')}, or null for no quota` }] };
  }
  const problems: FieldError[] = [];
  const given: Partial<Record<keyof CustomQuota, string | number>> = {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    const at = `${field}.${key}`;
    if ((QUANTITY_FIELDS as readonly string[]).includes(key)) {
      const name = key as QuantityField;
      // A bare JSON number is the same quantity written without quotes (8 CPUs is "8").
      const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      const amount = typeof text === 'string' && text.length <= MAX_QUANTITY_LENGTH ? parseQuantity(text) : undefined;
      if (typeof text !== 'string' || amount === undefined) problems.push({ field: at, message: `must be a Kubernetes quantity such as ${EXAMPLE[name]}` });
      else if (!(amount > 0)) problems.push({ field: at, message: 'must be more than zero' });
      else given[name] = text;
    } else if ((COUNT_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) problems.push({ field: at, message: 'must be a whole number of at least 1' });
      else given[key as (typeof COUNT_FIELDS)[number]] = value;
    } else {
      problems.push({ field: at, message: `is not a quota field (known: ${CUSTOM_QUOTA_FIELDS.join(', ')})` });
    }
  }
  const merged: Partial<Record<keyof CustomQuota, string | number>> = { ...current, ...given };
  for (const name of CUSTOM_QUOTA_FIELDS) {
    const named = problems.some((p) => p.field === `${field}.${name}`);
    if (merged[name] === undefined && !named) problems.push({ field: `${field}.${name}`, message: 'is required: the tenant has no quota yet to keep it from' });
  }
  for (const [requests, limits] of [['cpuRequests', 'cpuLimits'], ['memoryRequests', 'memoryLimits']] as const) {
    const [r, l] = [merged[requests], merged[limits]];
    if (typeof r !== 'string' || typeof l !== 'string') continue;
    if ((parseQuantity(r) ?? 0) > (parseQuantity(l) ?? 0)) problems.push({ field: `${field}.${requests}`, message: `must not be more than ${limits} (${l}): a pod's requests never exceed its limits` });
  }
  if (problems.length > 0) return { quota: current, problems };
  return { quota: canonical(merged), problems };
}

/** The quota's fields in one order, so that two equal declarations compare equal as JSON. */
function canonical(q: Partial<Record<keyof CustomQuota, string | number>>): CustomQuota {
  return {
    cpuRequests: String(q.cpuRequests),
    cpuLimits: String(q.cpuLimits),
    memoryRequests: String(q.memoryRequests),
    memoryLimits: String(q.memoryLimits),
    pods: Number(q.pods),
    services: Number(q.services),
    persistentVolumeClaims: Number(q.persistentVolumeClaims),
  };
}

/** A stored quota, read back; undefined when there is none (or it is not one). */
export function readQuota(stored: unknown): CustomQuota | undefined {
  if (stored === undefined || stored === null) return undefined;
  const { quota, problems } = mergeQuota(undefined, stored, 'quota');
  return problems.length === 0 ? quota : undefined;
}

/**
 * What the tenant's own workloads take of its namespace with every service running (its
 * services at their replicas, monitoring, ingress controller): cores, bytes and objects.
 */
export interface WorkloadFootprint {
  cpuRequests: number;
  cpuLimits: number;
  memoryRequests: number;
  memoryLimits: number;
  pods: number;
  persistentVolumeClaims: number;
  /** Bytes the volume claims request (`requests.storage`). */
  storage: number;
}

const WHAT: Readonly<Record<QuantityField, string>> = {
  cpuRequests: 'request in CPU',
  cpuLimits: 'are limited to in CPU',
  memoryRequests: 'request in memory',
  memoryLimits: 'are limited to in memory',
};

/** Below `need`, allowing for the rounding of sums of decimal fractions (0.1 + 0.2). */
const short = (have: number, need: number) => have < need * (1 - 1e-9);

/**
 * A quota too small for the tenant's own workloads would have the API server refuse their pods
 * (or volume claims), and the tenant would never be ready again: each such bound is a problem
 * naming its field. Services are not counted: the charts make them, and how many is theirs to say.
 */
export function quotaShortfalls(quota: CustomQuota, storageGb: number, need: WorkloadFootprint, prefix = 'configuration'): FieldError[] {
  const problems: FieldError[] = [];
  const own = "the tenant's own services, monitoring and ingress controller";
  for (const name of QUANTITY_FIELDS) {
    const have = parseQuantity(quota[name]) ?? 0;
    if (!short(have, need[name])) continue;
    const amount = name.startsWith('cpu') ? formatCpu(need[name]) : formatBytes(need[name]);
    problems.push({ field: `${prefix}.quota.${name}`, message: `must be at least ${amount}: what ${own} ${WHAT[name]}` });
  }
  if (quota.pods < need.pods) problems.push({ field: `${prefix}.quota.pods`, message: `must be at least ${need.pods}: the pods ${own} run` });
  if (quota.persistentVolumeClaims < need.persistentVolumeClaims) {
    problems.push({ field: `${prefix}.quota.persistentVolumeClaims`, message: `must be at least ${need.persistentVolumeClaims}: the volume claims ${own} make` });
  }
  if (short(storageGb * 2 ** 30, need.storage)) {
    problems.push({ field: `${prefix}.storageGb`, message: `must be at least ${Math.ceil(need.storage / 2 ** 30)} under a quota: the volume claims of ${own} request ${formatBytes(need.storage)}` });
  }
  return problems;
}
