import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { ReleaseStatements } from '../../scripts/release-statements/fixture.js';

/**
 * The previous release's SQL (test/fixtures/release-statements/, written by
 * scripts/release-statements/capture.ts when a release is cut) and the two checks that run it
 * against a schema: does each statement still parse and plan there, and does a statement the
 * release had already prepared in a session survive the migrations run under it.
 */

export type { ReleaseStatements } from '../../scripts/release-statements/fixture.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/release-statements/', import.meta.url));

function versionParts(version: string): number[] {
  return version.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest release captured: the one running beside this tree's migrations during an upgrade. */
export function previousRelease(): ReleaseStatements {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error(`no release in ${FIXTURES}: run scripts/release-statements/capture.ts`);
  const newest = files.map((f) => f.slice(0, -'.json'.length)).sort(compareVersions).at(-1) as string;
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${newest}.json`), 'utf8')) as ReleaseStatements;
}

export { compareVersions };

export interface StatementProblem {
  sql: string;
  /** Where it failed (prepare: parse and analysis; plan: the planner) and PostgreSQL's message. */
  error: string;
}

function describe(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return `${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ''}`;
}

/** EXPLAIN EXECUTE with a NULL for each parameter: plans the statement (revalidating it first) without running it. */
async function plan(client: pg.Client, name: string): Promise<void> {
  const params = await client.query<{ n: number }>('select coalesce(cardinality(parameter_types), 0)::int as n from pg_prepared_statements where name = $1', [name]);
  const n = params.rows[0]?.n ?? 0;
  await client.query(`explain execute ${name}${n > 0 ? `(${Array.from({ length: n }, () => 'null').join(', ')})` : ''}`);
}

/**
 * PREPAREs each statement (parse and analysis against the schema the session sees) and plans it
 * (EXPLAIN EXECUTE), then lets it go; whatever fails is listed with PostgreSQL's error. Nothing
 * is executed. Parameters get the types PostgreSQL infers, as when the release sends them.
 */
export async function statementsThatFail(client: pg.Client, statements: readonly { sql: string }[]): Promise<StatementProblem[]> {
  const problems: StatementProblem[] = [];
  for (const [i, statement] of statements.entries()) {
    const name = `release_check_${i}`;
    try {
      await client.query(`prepare ${name} as ${statement.sql}`);
    } catch (error) {
      problems.push({ sql: statement.sql, error: `prepare: ${describe(error)}` });
      continue;
    }
    try {
      await plan(client, name);
    } catch (error) {
      problems.push({ sql: statement.sql, error: `plan: ${describe(error)}` });
    }
    await client.query(`deallocate ${name}`);
  }
  return problems;
}

/**
 * The hazard of statements a release sends by name (prepared once per session, then reused): a
 * session of the previous release prepared them on the old schema, the migrations run under it,
 * and its next execution must still work. PostgreSQL then analyses the statement again, and
 * refuses it when a column it names is gone, or when its result's shape changed ("cached plan must
 * not change result type", e.g. a `select *` of a table that gained a column). `prepare` runs
 * first, on the old schema; `migrateUnder` changes the schema (from another session); then each
 * statement is planned again in the session that prepared it.
 */
export async function preparedStatementsThatBreak(
  client: pg.Client,
  statements: readonly { sql: string }[],
  migrateUnder: () => Promise<void>,
): Promise<StatementProblem[]> {
  const problems: StatementProblem[] = [];
  const names: { name: string; sql: string }[] = [];
  for (const [i, statement] of statements.entries()) {
    const name = `release_kept_${i}`;
    try {
      await client.query(`prepare ${name} as ${statement.sql}`);
      // Planned once as the release would, so that a plan is cached before the schema changes.
      await plan(client, name);
      names.push({ name, sql: statement.sql });
    } catch (error) {
      problems.push({ sql: statement.sql, error: `on the release's own schema: ${describe(error)}` });
    }
  }
  await migrateUnder();
  for (const { name, sql } of names) {
    try {
      await plan(client, name);
    } catch (error) {
      problems.push({ sql, error: `after the migrations: ${describe(error)}` });
    }
  }
  await client.query('deallocate all');
  return problems;
}

/** One line per problem, for a failure message that names the statement and the reason. */
export function report(problems: readonly StatementProblem[]): string {
  return problems.map((p) => `- ${p.error}\n    ${p.sql.replace(/\s+/g, ' ').trim().slice(0, 400)}`).join('\n');
}
