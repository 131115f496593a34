import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { destructiveChanges, tablesCreatedBy } from '../support/migration-lint.js';
import { preparedStatementsThatBreak, previousRelease, report, statementsThatFail } from '../support/release-statements.js';

/**
 * Upgrade compatibility (docs/operations.md, "Upgrade"): a rolling upgrade runs this tree's
 * migrations while the previous release's pods still serve on the same database, so every
 * statement that release sends must keep working on the migrated schema. The release's statements
 * were recorded when it was cut (test/fixtures/release-statements/, by
 * scripts/release-statements/capture.ts); here they are parsed and planned, never executed,
 * against this tree's schema, and the migrations newer than the release are held to
 * expand/contract.
 */

const release = previousRelease();
const lastShipped = Math.max(...release.migrations.map((m) => m.version));
const newer = MIGRATIONS.filter((m) => m.version > lastShipped);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const opened: { database: TestDatabase; client: pg.Client }[] = [];
afterEach(async () => {
  for (const { database, client } of opened.splice(0)) {
    await client.end().catch(() => undefined);
    await database.close();
  }
});

/** A database migrated up to `upTo` (every migration by default), and a session of its own on it. */
async function sessionOn(upTo = Infinity): Promise<{ database: TestDatabase; client: pg.Client }> {
  const database = await openTestDatabase({ migrated: false, poolSize: 2 });
  await migrate(database.db, MIGRATIONS.filter((m) => m.version <= upTo));
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const session = { database, client };
  opened.push(session);
  return session;
}

describe(`upgrading from release ${release.release}`, () => {
  it('keeps every migration the release shipped as it shipped', () => {
    const shipped = MIGRATIONS.filter((m) => m.version <= lastShipped).map((m) => ({ version: m.version, name: m.name, sha256: sha256(m.sql) }));
    expect(shipped).toEqual(release.migrations);
  });

  it('adds, and drops, renames or tightens nothing the release uses, outside a contract step', () => {
    const newTables = tablesCreatedBy(newer.map((m) => m.sql));
    const problems = newer.filter((m) => m.contract === undefined).flatMap((m) => destructiveChanges(m, newTables));
    expect(problems, `mark a migration as a contract step (Migration.contract) only once no release still running uses what it removes:\n${problems.join('\n')}`).toEqual([]);
  });

  it("parses and plans every statement of the release against this tree's schema", async () => {
    // A capture that recorded next to nothing would make this test pass for nothing.
    expect(release.statements.length).toBeGreaterThan(100);
    const { client } = await sessionOn();
    const problems = await statementsThatFail(client, release.statements);
    expect(problems, `statements of release ${release.release} that this schema breaks:\n${report(problems)}`).toEqual([]);
  });

  it('keeps working the statements a session of the release had prepared before the migrations ran under it', async () => {
    const { database, client } = await sessionOn(lastShipped);
    const prepared = release.statements.filter((s) => s.prepared);
    expect(prepared.length).toBeGreaterThan(0);
    const problems = await preparedStatementsThatBreak(client, prepared, async () => {
      expect(await migrate(database.db)).toEqual(newer.map((m) => m.version));
    });
    expect(problems, `prepared statements of release ${release.release} that the migrations break:\n${report(problems)}`).toEqual([]);
  });
});

describe('the compatibility checks themselves', () => {
  it('name each statement that uses a column a migration renamed, with the reason', async () => {
    const { client } = await sessionOn();
    await client.query('alter table tenants rename column admin_email to owner_email');
    const problems = await statementsThatFail(client, release.statements);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.sql).toContain('admin_email');
      expect(problem.error).toMatch(/column .*admin_email.* does not exist/);
    }
  });

  it('name a statement that only the planner refuses: an ON CONFLICT whose unique index is gone', async () => {
    const { client } = await sessionOn();
    const upsert = release.statements.find((s) => /insert into "signing_keys" .* on conflict \("id"\) do nothing/.test(s.sql));
    expect(upsert).toBeDefined();
    await client.query('alter table signing_keys drop constraint signing_keys_pkey');
    const problems = await statementsThatFail(client, [upsert as { sql: string }]);
    expect(problems).toEqual([{ sql: upsert?.sql, error: expect.stringMatching(/^plan: there is no unique or exclusion constraint matching the ON CONFLICT specification/) as unknown }]);
  });

  it('name a prepared statement whose result a migration changed under it', async () => {
    const { database, client } = await sessionOn();
    const statements = [{ sql: 'select * from tenants where id = $1' }, { sql: 'select id, slug from tenants where id = $1' }];
    const problems = await preparedStatementsThatBreak(client, statements, async () => {
      // From another session, as a new release's migration would be.
      await sql`alter table tenants add column nickname text`.execute(database.db);
    });
    expect(problems).toEqual([{ sql: 'select * from tenants where id = $1', error: expect.stringMatching(/after the migrations: cached plan must not change result type/) as unknown }]);
  });
});
