import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { FEATURES, FEATURE_NAMES, applyFeatureOverridesPatch, featureFlags, resolveFeatures } from '../../src/domain/features.js';
import { defaultSettings } from '../../src/domain/settings.js';
import { resolveTenantConfig } from '../../src/domain/tenant-config.js';
import { TIERS, TIER_PROFILES, type Tier } from '../../src/domain/tiers.js';

const flagsOf = (tier: Tier, overrides: Record<string, boolean> = {}) => featureFlags(resolveFeatures(tier, overrides));
const enabledOf = (tier: Tier) => Object.entries(flagsOf(tier)).filter(([, on]) => on).map(([name]) => name);

function fieldErrors(work: () => unknown): { field: string; message: string }[] {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).fieldErrors];
  }
  return expect.unreachable('the patch was accepted');
}

describe('feature flags by tier', () => {
  it("give each tier spec/002's features: Free basic analytics and limited AI, Professional full analytics, AI chat and ML, Enterprise all", () => {
    expect(enabledOf('FREE')).toEqual(['analytics.basic', 'ai.assist']);
    expect(enabledOf('PROFESSIONAL')).toEqual(['analytics.basic', 'ai.assist', 'analytics.full', 'ai.chat', 'ml.workbench']);
    expect(enabledOf('ENTERPRISE')).toEqual([...FEATURE_NAMES]);
  });

  it("cover every entry of the tier table's Features column (tiers.ts) with a flag on at that tier", () => {
    for (const tier of TIERS) {
      const on = new Set<string>(FEATURES.filter((f) => flagsOf(tier)[f.name]).map((f) => f.tierFeature));
      for (const listed of TIER_PROFILES[tier].features) expect(on.has(listed), `${tier}: ${listed}`).toBe(true);
    }
  });

  it('say where each value comes from: the tier, or an override', () => {
    const resolved = resolveFeatures('PROFESSIONAL', { 'ai.chat': false });
    expect(resolved.find((f) => f.name === 'ai.chat')).toMatchObject({ tierDefault: true, enabled: false, source: 'override', override: false });
    expect(resolved.find((f) => f.name === 'ml.workbench')).toMatchObject({ tierDefault: true, enabled: true, source: 'tier', override: null });
    expect(resolved.find((f) => f.name === 'support.sla')).toMatchObject({ minimumTier: 'ENTERPRISE', enabled: false, source: 'tier' });
  });

  it('never let a stored "on" lift a flag above the tier (a downgrade left it behind): the tier decides, the override stays visible', () => {
    const sla = resolveFeatures('PROFESSIONAL', { 'support.sla': true }).find((f) => f.name === 'support.sla');
    expect(sla).toMatchObject({ enabled: false, source: 'tier', override: true });
    expect(flagsOf('ENTERPRISE', { 'support.sla': true })['support.sla']).toBe(true);
  });

  it('ignore stored overrides of flags the catalogue does not have', () => {
    expect(flagsOf('FREE', { 'retired.flag': true })).toEqual(flagsOf('FREE'));
  });
});

describe('feature override patches', () => {
  it('switch any flag off at any tier, and on again within the tier', () => {
    expect(applyFeatureOverridesPatch({}, { 'analytics.basic': false }, 'FREE')).toEqual({ 'analytics.basic': false });
    expect(applyFeatureOverridesPatch({ 'ai.chat': false }, { 'ai.chat': true, 'ml.workbench': false }, 'PROFESSIONAL')).toEqual({
      'ai.chat': true,
      'ml.workbench': false,
    });
  });

  it('refuse switching on a flag above the tier, naming the flag and the tier it needs', () => {
    const errors = fieldErrors(() => applyFeatureOverridesPatch({}, { 'ai.chat': true }, 'FREE'));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe('ai.chat');
    expect(errors[0]?.message).toMatch(/PROFESSIONAL tier/);
    // Switching it off is fine, even though the tier already has it off.
    expect(applyFeatureOverridesPatch({}, { 'ai.chat': false }, 'FREE')).toEqual({ 'ai.chat': false });
  });

  it('refuse unknown flags, every bad one named at once, and change nothing', () => {
    const current = { 'ai.chat': false };
    const errors = fieldErrors(() => applyFeatureOverridesPatch(current, { 'ai.chatt': false, 'sla': true, 'ai.customModels': true }, 'PROFESSIONAL'));
    expect(errors.map((e) => e.field).sort()).toEqual(['ai.chatt', 'ai.customModels', 'sla']);
    expect(current).toEqual({ 'ai.chat': false });
  });

  it('remove an override with null, including a stored one the catalogue no longer has; a null for a name never stored is a typo', () => {
    expect(applyFeatureOverridesPatch({ 'ai.chat': false, 'ml.workbench': false }, { 'ai.chat': null }, 'PROFESSIONAL')).toEqual({ 'ml.workbench': false });
    expect(applyFeatureOverridesPatch({ 'retired.flag': true }, { 'retired.flag': null }, 'FREE')).toEqual({});
    expect(fieldErrors(() => applyFeatureOverridesPatch({}, { 'retired.flag': null }, 'FREE')).map((e) => e.field)).toEqual(['retired.flag']);
    // Removing an override of a known flag that has none is a no-op, as in any merge patch.
    expect(applyFeatureOverridesPatch({}, { 'ai.chat': null }, 'FREE')).toEqual({});
  });
});

describe('the resolved tenant configuration', () => {
  const tenant = (tier: Tier) => ({ id: '0190e000-0000-7000-8000-000000000001', slug: 'acme', tier });

  it('carries the settings without notifications (a webhook URL may hold a credential) and the resolved flags', () => {
    const settings = { ...defaultSettings('PROFESSIONAL'), notifications: { email: true, alertEmail: 'oncall@acme.example', webhookUrl: 'https://hooks.example.com/T000/secret-token' } };
    const config = resolveTenantConfig({ tenant: tenant('PROFESSIONAL'), settings, featureOverrides: { 'ai.chat': false } });
    expect(JSON.stringify(config)).not.toContain('secret-token');
    expect(config.settings).not.toHaveProperty('notifications');
    expect(config.features['ai.chat']).toBe(false);
    expect(config.features['analytics.full']).toBe(true);
    expect(config.limits.maxQueryTimeoutSeconds).toBe(TIER_PROFILES.PROFESSIONAL.maxQueryTimeoutSeconds);
  });

  it('holds a query timeout a downgrade left above the tier limit to the limit', () => {
    const settings = { ...defaultSettings('PROFESSIONAL'), queryTimeoutSeconds: 600 };
    expect(resolveTenantConfig({ tenant: tenant('FREE'), settings, featureOverrides: {} }).settings.queryTimeoutSeconds).toBe(60);
  });

  it('uses the preferred AI model where the flags allow it: custom needs ai.customModels, no AI feature means no model', () => {
    const custom = { ...defaultSettings('PROFESSIONAL'), aiModelPreference: 'custom' };
    expect(resolveTenantConfig({ tenant: tenant('ENTERPRISE'), settings: custom, featureOverrides: {} }).ai.model).toBe('custom');
    expect(resolveTenantConfig({ tenant: tenant('PROFESSIONAL'), settings: custom, featureOverrides: {} }).ai.model).toBe('gpt-4o');
    expect(resolveTenantConfig({ tenant: tenant('ENTERPRISE'), settings: custom, featureOverrides: { 'ai.customModels': false } }).ai.model).toBe('gpt-4o');
    const claude = { ...defaultSettings('FREE'), aiModelPreference: 'claude' };
    expect(resolveTenantConfig({ tenant: tenant('FREE'), settings: claude, featureOverrides: {} }).ai.model).toBe('claude');
    expect(resolveTenantConfig({ tenant: tenant('FREE'), settings: claude, featureOverrides: { 'ai.assist': false } }).ai.model).toBeNull();
  });

  it('does not depend on the key order the settings were stored in', () => {
    const settings = defaultSettings('FREE');
    const reordered = Object.fromEntries(Object.entries(settings).reverse()) as typeof settings;
    const a = resolveTenantConfig({ tenant: tenant('FREE'), settings, featureOverrides: {} });
    const b = resolveTenantConfig({ tenant: tenant('FREE'), settings: reordered, featureOverrides: {} });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
