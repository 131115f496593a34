import { type FieldError, ValidationError } from './errors.js';
import { publicHttpsUrlProblem } from './public-url.js';
import { isEmailAddress } from './tenant-validation.js';
import { TIER_PROFILES, type Tier } from './tiers.js';

/** Tenant settings (spec/003 "Initialize settings"); changed with a JSON merge patch (RFC 7396). */
export interface TenantSettings {
  timezone: string;
  locale: string;
  queryTimeoutSeconds: number;
  dataRetentionDays: number;
  aiModelPreference: string;
  branding: {
    displayName: string | null;
    primaryColor: string;
    logoUrl: string | null;
  };
  notifications: TenantNotifications;
}

/**
 * Where the tenant's alerts go: spec/004 phase 9's "alert notification channels", routed by
 * DEPLOY_MONITORING (steps/manifests/alert-routing.ts). The lifecycle emails (provisioned,
 * failed) always go to the tenant admin and do not read these.
 */
export interface TenantNotifications {
  /** Alerts by email, to `alertEmail`, or to the tenant admin while that is null. */
  email: boolean;
  /** Who gets the alert emails instead of the tenant admin (an on-call list, say). */
  alertEmail: string | null;
  /**
   * Alerts also POSTed here as Alertmanager's webhook JSON; a Slack incoming-webhook URL gets
   * Slack messages instead. May carry a token (Slack's do): it goes to the cluster in a Secret
   * and into no ConfigMap, log line or step output.
   */
  webhookUrl: string | null;
}

export type SettingsPatch = {
  [K in keyof TenantSettings]?: TenantSettings[K] extends object
    ? { [P in keyof TenantSettings[K]]?: TenantSettings[K][P] }
    : TenantSettings[K];
};

export const AI_MODELS = ['gpt-4o', 'gpt-4', 'claude', 'llama', 'custom'] as const;

export function defaultSettings(tier: Tier): TenantSettings {
  return {
    timezone: 'UTC',
    locale: 'en-US',
    queryTimeoutSeconds: Math.min(30, TIER_PROFILES[tier].maxQueryTimeoutSeconds),
    dataRetentionDays: tier === 'FREE' ? 30 : 365,
    aiModelPreference: 'gpt-4o',
    branding: { displayName: null, primaryColor: '#2563eb', logoUrl: null },
    notifications: { ...DEFAULT_NOTIFICATIONS },
  };
}

const DEFAULT_NOTIFICATIONS: TenantNotifications = { email: true, alertEmail: null, webhookUrl: null };

/**
 * The notification settings as stored, completed with the defaults: rows written before a field
 * existed (`alertEmail`) lack it, and the settings are JSON, not columns a migration would fill.
 * Anything not of the right type is the default too; the API never stores such a value.
 */
export function readNotifications(stored: unknown): TenantNotifications {
  const s = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    email: typeof s.email === 'boolean' ? s.email : DEFAULT_NOTIFICATIONS.email,
    alertEmail: text(s.alertEmail),
    webhookUrl: text(s.webhookUrl),
  };
}

/** Stored settings with every field the current shape has (see readNotifications). */
export function completeSettings(stored: TenantSettings): TenantSettings {
  return { ...stored, notifications: readNotifications(stored.notifications) };
}

/** Applies a merge patch and checks the result against the tenant's tier. */
export function applySettingsPatch(current: TenantSettings, patch: SettingsPatch, tier: Tier): TenantSettings {
  const next: TenantSettings = {
    ...current,
    ...stripUndefined(patch),
    branding: { ...current.branding, ...stripUndefined(patch.branding ?? {}) },
    notifications: { ...readNotifications(current.notifications), ...stripUndefined(patch.notifications ?? {}) },
  };
  const errors = settingsProblems(next, tier);
  if (errors.length > 0) throw new ValidationError(errors);
  return next;
}

export function settingsProblems(s: TenantSettings, tier: Tier): FieldError[] {
  const errors: FieldError[] = [];
  if (!isTimeZone(s.timezone)) errors.push({ field: 'timezone', message: `"${s.timezone}" is not an IANA time zone` });
  if (!isLocale(s.locale)) errors.push({ field: 'locale', message: `"${s.locale}" is not a BCP 47 locale` });
  const maxTimeout = TIER_PROFILES[tier].maxQueryTimeoutSeconds;
  if (!Number.isInteger(s.queryTimeoutSeconds) || s.queryTimeoutSeconds < 1 || s.queryTimeoutSeconds > maxTimeout) {
    errors.push({ field: 'queryTimeoutSeconds', message: `must be a whole number from 1 to ${maxTimeout} on the ${tier} tier` });
  }
  if (!Number.isInteger(s.dataRetentionDays) || s.dataRetentionDays < 1 || s.dataRetentionDays > 3650) {
    errors.push({ field: 'dataRetentionDays', message: 'must be a whole number from 1 to 3650' });
  }
  if (!(AI_MODELS as readonly string[]).includes(s.aiModelPreference)) {
    errors.push({ field: 'aiModelPreference', message: `must be one of ${AI_MODELS.join(', ')}` });
  }
  if (s.branding.displayName !== null && (s.branding.displayName.trim() === '' || s.branding.displayName.length > 100)) {
    errors.push({ field: 'branding.displayName', message: 'must be 1 to 100 characters, or null' });
  }
  if (!/^#[0-9a-fA-F]{6}$/.test(s.branding.primaryColor)) {
    errors.push({ field: 'branding.primaryColor', message: 'must be a colour as #rrggbb' });
  }
  if (s.branding.logoUrl !== null && !isHttpsUrl(s.branding.logoUrl)) {
    errors.push({ field: 'branding.logoUrl', message: 'must be an https URL, or null' });
  }
  if (s.notifications.alertEmail !== null && !isEmailAddress(s.notifications.alertEmail)) {
    errors.push({ field: 'notifications.alertEmail', message: 'must be an email address, or null' });
  }
  // Called by the platform's Alertmanager, from inside the platform: a public address only.
  const webhookProblem = s.notifications.webhookUrl === null ? undefined : publicHttpsUrlProblem(s.notifications.webhookUrl);
  if (webhookProblem !== undefined) errors.push({ field: 'notifications.webhookUrl', message: `${webhookProblem}, or null` });
  return errors;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:' && value.length <= 2048;
  } catch {
    return false;
  }
}
