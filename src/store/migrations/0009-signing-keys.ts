import type { Migration } from './migration.js';

/**
 * JWT signing keys sealed at rest and rotated (iam/signing-key-ring.ts). A key row's secret is
 * sealed with the service's secret box once `sealed` is true; the one row written before this
 * migration is sealed by the first process that starts after it (SQL cannot: the key sealing it
 * is not in the database). The newest key not retired signs; a retired key still verifies the
 * tokens it signed until they have expired, then it is deleted. Both columns concern the JWT keys
 * (ids `jwt-...`); the local CA's row in the same table is sealed by the CA itself.
 */
export const signingKeys: Migration = {
  version: 9,
  name: 'signing-keys',
  sql: `
alter table signing_keys add column sealed boolean not null default false;
alter table signing_keys add column retired_at timestamptz;
`,
};
