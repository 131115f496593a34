import type { Migration } from './migration.js';

/**
 * API key scopes (domain/api-key-scopes.ts): the operations a key may be used for, within what
 * its role allows. Null, the default and what every key made before this migration has, means
 * every scope the role allows, including scopes added later; a list narrows the key to those.
 * A key with no scope at all could do nothing, so an empty list is refused.
 */
export const apiKeyScopes: Migration = {
  version: 12,
  name: 'api-key-scopes',
  sql: `
alter table api_keys add column scopes text[];
alter table api_keys add constraint api_keys_scopes_not_empty check (scopes is null or cardinality(scopes) > 0);
`,
};
