import { describe, expect, it } from 'vitest';
import { type CustomQuota, type WorkloadFootprint, mergeQuota, namespaceQuota, quotaShortfalls, readQuota } from '../../src/domain/custom-quota.js';
import {
  type FootprintOf,
  clampForTier,
  defaultConfiguration,
  mergeConfiguration,
  quotaFitProblems,
  readConfiguration,
} from '../../src/domain/infrastructure-configuration.js';
import { formatBytes, formatCpu, parseQuantity } from '../../src/domain/quantity.js';

/**
 * spec/002's "Custom" quota of an Enterprise tenant as the domain checks it: each field's syntax
 * and sign, requests within limits, and (given what the tenant's workloads take) room for them.
 */

const GI = 2 ** 30;
const MI = 2 ** 20;

const GOOD: CustomQuota = { cpuRequests: '16', cpuLimits: '32', memoryRequests: '32Gi', memoryLimits: '64Gi', pods: 100, services: 50, persistentVolumeClaims: 20 };

/** Roughly an Enterprise tenant with HA: 21 pods, 5.06 / 20.51 CPU, one 50Gi claim. */
const NEED: WorkloadFootprint = {
  cpuRequests: 5.06,
  cpuLimits: 20.51,
  memoryRequests: 11 * GI + 50 * MI,
  memoryLimits: 22.5 * GI + 50 * MI,
  pods: 21,
  persistentVolumeClaims: 1,
  storage: 50 * GI,
};

const fields = (problems: readonly { field: string }[]) => problems.map((p) => p.field).sort();

describe('Kubernetes quantities', () => {
  it.each([
    ['8', 8],
    ['500m', 0.5],
    ['1.5', 1.5],
    ['16Gi', 16 * GI],
    ['512Mi', 512 * MI],
    ['1k', 1000],
    ['2M', 2e6],
    ['1E', 1e18],
    ['1e3', 1000],
    ['.5', 0.5],
    ['+4', 4],
    ['-1', -1],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it.each(['', 'lots', '1.2.3', '16GB', '5h', '1e', 'Gi', ' 8'])('refuses %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it('writes amounts for messages, rounded up', () => {
    expect(formatCpu(4)).toBe('4');
    expect(formatCpu(5.06)).toBe('5060m');
    expect(formatCpu(0.0001)).toBe('1m');
    expect(formatBytes(50 * GI)).toBe('50Gi');
    expect(formatBytes(11 * GI + 50 * MI)).toBe('11314Mi');
  });
});

describe('a custom quota', () => {
  it('accepts a good one, CPU and memory also as bare numbers, in one field order', () => {
    expect(mergeQuota(undefined, GOOD, 'quota')).toEqual({ quota: GOOD, problems: [] });
    const numbers = mergeQuota(undefined, { ...GOOD, cpuLimits: 32, cpuRequests: 0.5 }, 'quota');
    expect(numbers.problems).toEqual([]);
    expect(numbers.quota).toMatchObject({ cpuRequests: '0.5', cpuLimits: '32' });
    const reordered = Object.fromEntries(Object.entries(GOOD).reverse());
    expect(JSON.stringify(mergeQuota(undefined, reordered, 'quota').quota)).toBe(JSON.stringify(GOOD));
  });

  it.each([
    ['cpuRequests', 'eight', /Kubernetes quantity/],
    ['cpuRequests', '0', /more than zero/],
    ['cpuLimits', '-4', /more than zero/],
    ['cpuLimits', true, /Kubernetes quantity/],
    ['memoryRequests', '16GB', /Kubernetes quantity/],
    ['memoryRequests', 'x'.repeat(40), /Kubernetes quantity/],
    ['memoryLimits', '0Gi', /more than zero/],
    ['pods', 0, /whole number of at least 1/],
    ['pods', 2.5, /whole number/],
    ['services', '50', /whole number/],
    ['persistentVolumeClaims', -1, /whole number/],
    ['colour', 'blue', /not a quota field/],
  ] as const)('names %s when it is %j', (field, value, message) => {
    const { quota, problems } = mergeQuota(undefined, { ...GOOD, [field]: value }, 'configuration.quota');
    expect(quota).toBeUndefined();
    expect(problems).toEqual([{ field: `configuration.quota.${field}`, message: expect.stringMatching(message) as string }]);
  });

  it('refuses requests above their limits, naming the requests', () => {
    const { problems } = mergeQuota(undefined, { ...GOOD, cpuRequests: '33', memoryRequests: '65Gi' }, 'q');
    expect(fields(problems)).toEqual(['q.cpuRequests', 'q.memoryRequests']);
    expect(problems[0]?.message).toContain('cpuLimits (32)');
    // Equal is fine: a pod's requests may be its limits.
    expect(mergeQuota(undefined, { ...GOOD, cpuRequests: '32000m', memoryRequests: '65536Mi' }, 'q').problems).toEqual([]);
  });

  it('needs every field when none is declared, and merges a part over a declared one; null removes it', () => {
    const { problems } = mergeQuota(undefined, { pods: 80 }, 'q');
    expect(fields(problems)).toEqual(['q.cpuLimits', 'q.cpuRequests', 'q.memoryLimits', 'q.memoryRequests', 'q.persistentVolumeClaims', 'q.services']);
    expect(mergeQuota(GOOD, { pods: 80, cpuLimits: '40' }, 'q')).toEqual({ quota: { ...GOOD, pods: 80, cpuLimits: '40' }, problems: [] });
    // A limit lowered under the declared requests is caught against the merged quota.
    expect(fields(mergeQuota(GOOD, { cpuLimits: '8' }, 'q').problems)).toEqual(['q.cpuRequests']);
    expect(mergeQuota(GOOD, null, 'q')).toEqual({ quota: undefined, problems: [] });
    expect(mergeQuota(GOOD, [1], 'q').problems).toEqual([{ field: 'q', message: expect.stringContaining('or null') as string }]);
  });

  it('reads a stored quota back, and ignores what is not one', () => {
    expect(readQuota(GOOD)).toEqual(GOOD);
    expect(readQuota(undefined)).toBeUndefined();
    expect(readQuota({ pods: 3 })).toBeUndefined();
  });
});

describe("a custom quota against the tenant's workloads", () => {
  it('holds them when every bound is at least what they take', () => {
    expect(quotaShortfalls(GOOD, 500, NEED)).toEqual([]);
    const exact: CustomQuota = { cpuRequests: '5060m', cpuLimits: '20510m', memoryRequests: '11314Mi', memoryLimits: '23092Mi', pods: 21, services: 1, persistentVolumeClaims: 1 };
    expect(quotaShortfalls(exact, 50, NEED)).toEqual([]);
  });

  it('names each bound that is short, with what is needed', () => {
    const small: CustomQuota = { cpuRequests: '2', cpuLimits: '4', memoryRequests: '4Gi', memoryLimits: '8Gi', pods: 20, services: 10, persistentVolumeClaims: 1 };
    const problems = quotaShortfalls(small, 10, { ...NEED, persistentVolumeClaims: 2 });
    expect(fields(problems)).toEqual([
      'configuration.quota.cpuLimits',
      'configuration.quota.cpuRequests',
      'configuration.quota.memoryLimits',
      'configuration.quota.memoryRequests',
      'configuration.quota.persistentVolumeClaims',
      'configuration.quota.pods',
      'configuration.storageGb',
    ]);
    const message = (f: string) => problems.find((p) => p.field === f)?.message;
    expect(message('configuration.quota.cpuRequests')).toMatch(/^must be at least 5060m: what the tenant's own services, monitoring and ingress controller request in CPU$/);
    expect(message('configuration.quota.pods')).toMatch(/at least 21/);
    expect(message('configuration.storageGb')).toMatch(/at least 50 under a quota.*request 50Gi/);
  });

  it('runs from the configuration: only with a quota, with the footprint of that configuration', () => {
    const seen: unknown[] = [];
    const footprintOf: FootprintOf = (tier, configuration) => {
      seen.push([tier, configuration.enableHa]);
      return NEED;
    };
    expect(quotaFitProblems(defaultConfiguration('ENTERPRISE'), 'ENTERPRISE', footprintOf)).toEqual([]);
    expect(seen).toEqual([]);
    const tight = { ...defaultConfiguration('ENTERPRISE'), quota: { ...GOOD, pods: 20 } };
    expect(fields(quotaFitProblems(tight, 'ENTERPRISE', footprintOf))).toEqual(['configuration.quota.pods']);
    expect(seen).toEqual([['ENTERPRISE', true]]);
  });
});

describe('the quota in the infrastructure configuration', () => {
  it('is declared, changed and removed on Enterprise only', () => {
    const base = defaultConfiguration('ENTERPRISE');
    const declared = mergeConfiguration(base, { quota: GOOD }, 'ENTERPRISE');
    expect(declared).toEqual({ configuration: { ...base, quota: GOOD }, problems: [] });
    const changed = mergeConfiguration(declared.configuration, { quota: { pods: 200 } }, 'ENTERPRISE');
    expect(changed.configuration.quota).toEqual({ ...GOOD, pods: 200 });
    const removed = mergeConfiguration(changed.configuration, { quota: null }, 'ENTERPRISE');
    expect(removed).toEqual({ configuration: base, problems: [] });
    expect('quota' in removed.configuration).toBe(false);

    const free = mergeConfiguration(defaultConfiguration('FREE'), { quota: GOOD }, 'FREE');
    expect(free.problems).toEqual([{ field: 'configuration.quota', message: expect.stringContaining('only ENTERPRISE takes a custom quota') as string }]);
    expect(mergeConfiguration(defaultConfiguration('FREE'), { quota: null }, 'FREE').problems).toEqual([]);
  });

  it('reports a bad quota with the other fields, keeping the declared one', () => {
    const base = { ...defaultConfiguration('ENTERPRISE'), quota: GOOD };
    const { configuration, problems } = mergeConfiguration(base, { storageGb: 0, quota: { pods: 'many' } }, 'ENTERPRISE');
    expect(fields(problems)).toEqual(['configuration.quota.pods', 'configuration.storageGb']);
    expect(configuration.quota).toEqual(GOOD);
  });

  it('is read back from a stored declaration on Enterprise, and dropped by a move to another tier', () => {
    const stored = JSON.parse(JSON.stringify({ ...defaultConfiguration('ENTERPRISE'), quota: GOOD })) as unknown;
    expect(readConfiguration(stored, 'ENTERPRISE').quota).toEqual(GOOD);
    expect(readConfiguration(stored, 'PROFESSIONAL').quota).toBeUndefined();
    expect(readConfiguration({ quota: { pods: 1 } }, 'ENTERPRISE').quota).toBeUndefined();
    expect(clampForTier({ ...defaultConfiguration('ENTERPRISE'), quota: GOOD }, 'PROFESSIONAL')).not.toHaveProperty('quota');
    expect(clampForTier({ ...defaultConfiguration('ENTERPRISE'), quota: GOOD }, 'ENTERPRISE').quota).toEqual(GOOD);
  });

  it("makes the namespace's bounds: the tier's table, Enterprise's declaration, or none", () => {
    expect(namespaceQuota('FREE', GOOD)).toMatchObject({ cpuRequests: '2', cpuLimits: '4', pods: 20, services: 10, persistentVolumeClaims: 5 });
    expect(namespaceQuota('PROFESSIONAL', undefined)).toMatchObject({ cpuRequests: '8', pods: 50 });
    expect(namespaceQuota('ENTERPRISE', undefined)).toBeNull();
    expect(namespaceQuota('ENTERPRISE', GOOD)).toEqual(GOOD);
  });
});
