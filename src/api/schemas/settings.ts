import { Type } from '@sinclair/typebox';
import { AI_MODELS } from '../../domain/settings.js';
import { DateTime } from './common.js';

const NullableString = (opts: object = {}) => Type.Union([Type.String(opts), Type.Null()]);

const SettingsShape = {
  timezone: Type.String({ description: 'IANA time zone', examples: ['Europe/Berlin'] }),
  locale: Type.String({ description: 'BCP 47 locale', examples: ['de-DE'] }),
  queryTimeoutSeconds: Type.Integer({ description: 'At most the tier limit' }),
  dataRetentionDays: Type.Integer(),
  aiModelPreference: Type.Union(AI_MODELS.map((m) => Type.Literal(m))),
  branding: Type.Object(
    { displayName: NullableString(), primaryColor: Type.String({ examples: ['#2563eb'] }), logoUrl: NullableString() },
    { additionalProperties: false },
  ),
  // spec/004 phase 9's alert notification channels (DEPLOY_MONITORING routes the tenant's alerts to them).
  notifications: Type.Object(
    {
      email: Type.Boolean({ description: "Alerts by email, to alertEmail or, while that is null, to the tenant's admin" }),
      alertEmail: NullableString({ description: "Recipient of alert emails instead of the tenant's admin; null: the admin", examples: ['oncall@acme.com'] }),
      webhookUrl: NullableString({
        description: "https URL alerts are also POSTed to as Alertmanager's webhook JSON (a Slack incoming-webhook URL gets Slack messages); null: none",
        examples: ['https://hooks.acme.com/alerts'],
      }),
    },
    { additionalProperties: false },
  ),
};

export const SettingsSchema = Type.Object(SettingsShape);

/** A JSON merge patch (RFC 7396) of the settings: every field optional, unknown ones refused. */
export const SettingsPatchBody = Type.Object(
  {
    timezone: Type.Optional(SettingsShape.timezone),
    locale: Type.Optional(SettingsShape.locale),
    queryTimeoutSeconds: Type.Optional(SettingsShape.queryTimeoutSeconds),
    dataRetentionDays: Type.Optional(SettingsShape.dataRetentionDays),
    aiModelPreference: Type.Optional(SettingsShape.aiModelPreference),
    branding: Type.Optional(Type.Partial(SettingsShape.branding, { additionalProperties: false })),
    notifications: Type.Optional(Type.Partial(SettingsShape.notifications, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const VersionedSettingsSchema = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  settings: SettingsSchema,
  version: Type.Integer({ description: 'Also sent as the ETag; send it back as If-Match to update safely' }),
  updatedAt: DateTime,
  updatedBy: Type.String(),
});
