import type { CapturedStatement } from './sql-capture-hook.js';

/**
 * The file capture.ts writes for a release (test/fixtures/release-statements/<version>.json) and
 * the upgrade compatibility test reads (test/store/release-compatibility.test.ts).
 */
export interface ReleaseStatements {
  release: string;
  about: string;
  /** Every migration the release shipped, with a hash of its SQL: a shipped migration is never edited. */
  migrations: { version: number; name: string; sha256: string }[];
  /** `prepared`: the release sends it as a named statement, planned once per session and reused. */
  statements: { sql: string; prepared: boolean }[];
}

/** The statement kinds PREPARE takes; transaction control, LISTEN and DDL are not kept. */
const PREPARABLE = /^(select|insert|update|delete|with|values)\b/i;

/** The text after leading blanks and comments: what the statement is. */
export function statementHead(text: string): string {
  let rest = text;
  for (;;) {
    const trimmed = rest.trimStart();
    if (trimmed.startsWith('--')) {
      const end = trimmed.indexOf('\n');
      rest = end >= 0 ? trimmed.slice(end + 1) : '';
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      rest = end >= 0 ? trimmed.slice(end + 2) : '';
    } else return trimmed;
  }
}

/**
 * The control plane's own statements that PREPARE takes, each once, in a stable order (so that a
 * new capture's diff shows what changed). What the tenant database driver sends is left out: it
 * works on tenant schemas, which have migrations of their own (drivers/database/tenant-migrations.ts).
 */
export function releaseStatements(captured: readonly CapturedStatement[]): ReleaseStatements['statements'] {
  const byText = new Map<string, boolean>();
  for (const c of captured) {
    if (c.application.startsWith('matih-tenant-database')) continue;
    if (!PREPARABLE.test(statementHead(c.text))) continue;
    byText.set(c.text, (byText.get(c.text) ?? false) || c.prepared);
  }
  return [...byText].map(([sql, prepared]) => ({ sql, prepared })).sort((a, b) => (a.sql < b.sql ? -1 : a.sql > b.sql ? 1 : 0));
}
