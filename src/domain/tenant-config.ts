import { type FeatureName, type FeatureOverrides, featureFlags, resolveFeatures } from './features.js';
import { type TenantSettings, defaultSettings } from './settings.js';
import { TIER_PROFILES, type Tier } from './tiers.js';

/**
 * The configuration the tenant's data plane reads (spec/002 phase 6, CONFIGURE): its settings
 * and feature flags as its tier resolves them. It is what the tenant's services act on, so it is
 * resolved here, once, rather than by each service:
 *
 * - notifications are left out: they are the control plane's business, and a webhook URL may
 *   carry a credential (Slack-style URLs do), which must not land in a ConfigMap;
 * - the query timeout is held to the tier's limit: settings are checked against the tier when
 *   written, but a later downgrade can leave a stored timeout above the new limit;
 * - the AI model is the preference when the tier and flags allow it: `custom` needs
 *   `ai.customModels`, else the default model; null when no AI feature is on.
 *
 * Every field is derived from stored state only (no clock), so the same state gives the same
 * document, and the same hash, on every run.
 */
export const TENANT_CONFIG_SCHEMA_VERSION = 1;

export interface TenantConfig {
  schemaVersion: typeof TENANT_CONFIG_SCHEMA_VERSION;
  tenant: { id: string; slug: string; tier: Tier };
  settings: Omit<TenantSettings, 'notifications'>;
  limits: { maxQueryTimeoutSeconds: number };
  ai: { model: string | null };
  features: Record<FeatureName, boolean>;
}

export interface TenantConfigInput {
  tenant: { id: string; slug: string; tier: Tier };
  settings: TenantSettings;
  featureOverrides: FeatureOverrides;
}

export function resolveTenantConfig(input: TenantConfigInput): TenantConfig {
  const { tenant, settings } = input;
  const features = featureFlags(resolveFeatures(tenant.tier, input.featureOverrides));
  const maxQueryTimeoutSeconds = TIER_PROFILES[tenant.tier].maxQueryTimeoutSeconds;
  const { branding } = settings;
  return {
    schemaVersion: TENANT_CONFIG_SCHEMA_VERSION,
    tenant: { id: tenant.id, slug: tenant.slug, tier: tenant.tier },
    // Field by field, in a fixed order: the stored JSON's key order is the database's choice.
    settings: {
      timezone: settings.timezone,
      locale: settings.locale,
      queryTimeoutSeconds: Math.min(settings.queryTimeoutSeconds, maxQueryTimeoutSeconds),
      dataRetentionDays: settings.dataRetentionDays,
      aiModelPreference: settings.aiModelPreference,
      branding: { displayName: branding.displayName, primaryColor: branding.primaryColor, logoUrl: branding.logoUrl },
    },
    limits: { maxQueryTimeoutSeconds },
    ai: { model: effectiveModel(tenant.tier, settings.aiModelPreference, features) },
    features,
  };
}

function effectiveModel(tier: Tier, preference: string, features: Record<FeatureName, boolean>): string | null {
  if (!features['ai.assist'] && !features['ai.chat']) return null;
  if (preference === 'custom' && !features['ai.customModels']) return defaultSettings(tier).aiModelPreference;
  return preference;
}
