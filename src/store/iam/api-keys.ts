import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../open-database.js';
import type { ApiKeysTable } from '../schema.js';

/** A key as it may be shown: everything but its secret's hash. */
export type ApiKeyRecord = Omit<Selectable<ApiKeysTable>, 'secretHash'>;

/** What authentication needs: the hash to compare and everything that can make the key invalid. */
export interface ApiKeyCredential extends ApiKeyRecord {
  secretHash: string;
  tenantStatus: string | null;
}

const PUBLIC_COLUMNS = [
  'apiKeys.id', 'apiKeys.tenantId', 'apiKeys.userId', 'apiKeys.name', 'apiKeys.role', 'apiKeys.createdBy',
  'apiKeys.createdAt', 'apiKeys.expiresAt', 'apiKeys.lastUsedAt', 'apiKeys.revokedAt', 'apiKeys.scopes',
] as const;

export async function findApiKeyCredential(db: Db, id: string): Promise<ApiKeyCredential | undefined> {
  return (await findApiKeyCredentials(db, [id]))[0];
}

/** Keys' credentials in one statement: a sign-in's one, or the open progress streams' in their periodic re-check. */
export async function findApiKeyCredentials(db: Db, ids: readonly string[]): Promise<ApiKeyCredential[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('apiKeys')
    .leftJoin('tenants', 'tenants.id', 'apiKeys.tenantId')
    .select([...PUBLIC_COLUMNS, 'apiKeys.secretHash', 'tenants.status as tenantStatus'])
    .where('apiKeys.id', 'in', ids)
    .execute();
}

export type NewApiKey = Pick<Insertable<ApiKeysTable>, 'id' | 'tenantId' | 'userId' | 'name' | 'role' | 'secretHash' | 'createdBy' | 'expiresAt' | 'scopes'>;

export async function insertApiKey(db: Db, key: NewApiKey): Promise<ApiKeyRecord> {
  return db
    .insertInto('apiKeys')
    .values({ ...key, lastUsedAt: null, revokedAt: null })
    .returning([...PUBLIC_COLUMNS])
    .executeTakeFirstOrThrow();
}

/** A tenant's keys, or with `tenantId` null the platform-admin keys (which belong to no tenant). */
export async function listApiKeys(db: Db, tenantId: string | null): Promise<ApiKeyRecord[]> {
  return db
    .selectFrom('apiKeys')
    .select([...PUBLIC_COLUMNS])
    .where('tenantId', tenantId === null ? 'is' : '=', tenantId)
    .orderBy('id')
    .execute();
}

/** Idempotent: revoking a revoked key keeps its first revocation time. `tenantId` null: a platform-admin key. */
export async function revokeApiKey(db: Db, tenantId: string | null, id: string): Promise<ApiKeyRecord | undefined> {
  const owner = tenantId === null ? 'is' : '=';
  await db
    .updateTable('apiKeys')
    .set({ revokedAt: new Date() })
    .where('id', '=', id)
    .where('tenantId', owner, tenantId)
    .where('revokedAt', 'is', null)
    .execute();
  return db
    .selectFrom('apiKeys')
    .select([...PUBLIC_COLUMNS])
    .where('id', '=', id)
    .where('tenantId', owner, tenantId)
    .executeTakeFirst();
}

/**
 * Records use at most once a minute per key, so a busy key costs one write a minute, not one
 * per request.
 */
export async function touchApiKey(db: Db, id: string): Promise<void> {
  await db
    .updateTable('apiKeys')
    .set({ lastUsedAt: new Date() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', new Date(Date.now() - 60_000))]))
    .execute();
}
