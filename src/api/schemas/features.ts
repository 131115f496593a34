import { Type } from '@sinclair/typebox';
import { FEATURES, FeatureSource } from '../../domain/features.js';
import { TIERS } from '../../domain/tiers.js';
import { DateTime } from './common.js';

const TierSchema = Type.Union(TIERS.map((t) => Type.Literal(t)));
const FlagMap = (description: string) => Type.Record(Type.String(), Type.Boolean(), { description });

export const ResolvedFeatureSchema = Type.Object({
  name: Type.String({ examples: ['ai.chat'] }),
  description: Type.String(),
  minimumTier: TierSchema,
  tierDefault: Type.Boolean({ description: 'What the tier alone gives' }),
  enabled: Type.Boolean(),
  source: Type.Union([Type.Literal(FeatureSource.TIER), Type.Literal(FeatureSource.OVERRIDE)], {
    description: '`override` when a stored override decided the value; `tier` otherwise',
  }),
  override: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'The stored override, also when the tier caps it (an "on" left above the tier by a downgrade is ignored)',
  }),
});

export const TenantFeaturesSchema = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  tier: TierSchema,
  features: Type.Array(ResolvedFeatureSchema, { description: 'Every flag of the catalogue, resolved for the tier and the overrides' }),
  flags: FlagMap('The resolved flags by name: what the data plane receives'),
  overrides: FlagMap('The stored overrides'),
  version: Type.Integer({ description: 'Version of the overrides (0: none yet); also the ETag. Send it back as If-Match to update safely' }),
  updatedAt: Type.Union([DateTime, Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

/**
 * A JSON merge patch (RFC 7396) of the overrides: true or false sets one, null removes it. Flag
 * names are checked by the route (domain/features.ts) so that an unknown or out-of-tier flag is
 * named with the reason, not as a schema mismatch.
 */
export const FeatureOverridesPatchBody = Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Null()]), {
  minProperties: 1,
  maxProperties: 64,
  description: `Flags: ${FEATURES.map((f) => `${f.name} (${f.minimumTier}+)`).join(', ')}`,
  examples: [{ 'ai.chat': false, 'ml.workbench': null }],
});
