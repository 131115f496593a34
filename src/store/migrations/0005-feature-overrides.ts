import type { Migration } from './migration.js';

/**
 * A tenant's feature flag overrides (issue 5, CONFIGURE): the tier gives the defaults
 * (domain/features.ts), this row only what the tenant changed. No row means no overrides yet
 * (version 0); the first change inserts it, so tenants created before this migration need none.
 */
export const featureOverrides: Migration = {
  version: 5,
  name: 'feature-overrides',
  sql: `
create table tenant_feature_overrides (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  -- Flag name to true or false: {"ai.chat": false}.
  overrides jsonb not null default '{}' check (jsonb_typeof(overrides) = 'object'),
  version integer not null check (version >= 1),
  updated_at timestamptz not null default now(),
  updated_by text not null
);
`,
};
