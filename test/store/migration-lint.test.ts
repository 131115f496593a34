import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { destructiveChanges, statementsOf, tablesCreatedBy } from '../support/migration-lint.js';

/** The expand/contract lint (test/support/migration-lint.ts) on migrations written for the purpose. */

const lint = (sql: string, newTables: readonly string[] = []) => destructiveChanges({ version: 99, name: 'under-test', sql }, new Set(newTables));

describe('the migration lint', () => {
  it.each([
    ['a nullable column (migration 0013, trace context)', 'alter table tenant_provisioning_jobs add column trace_parent text;\nalter table outbox add column trace_parent text;'],
    ['a NOT NULL column with a default', "alter table tenants add column plan text not null default 'basic';"],
    ['a generated column', 'alter table tenants add column slug_length integer generated always as (length(slug)) stored;'],
    ['a new table, its index and its rows', "create table notes (id uuid primary key, body text not null);\ncreate index notes_body_idx on notes (body);\ninsert into notes values (gen_random_uuid(), 'x');"],
    ['a check widened (dropped and added again in one statement)', "alter table tenants drop constraint tenants_status_check, add constraint tenants_status_check check (status in ('A', 'B'));"],
    ['a NOT NULL relaxed', 'alter table tenants alter column region drop not null;'],
    ['a value added to an enum type', "alter type tenant_kind add value 'OTHER';"],
    ['words in comments and strings', "-- drop table tenants\n/* alter table tenants drop column slug; */\ncomment on table tenants is 'we never drop table tenants; rename nothing';\ncomment on column tenants.slug is $$drop column slug$$;"],
  ])('accepts %s', (_what, sql) => {
    expect(lint(sql)).toEqual([]);
  });

  it.each([
    ['a dropped table', 'drop table archive_objects;', 'drops a table'],
    ['a dropped column', 'alter table tenants drop column provisioning_error;', 'drops a column'],
    ['a dropped column without the COLUMN keyword', 'alter table tenants drop if exists provisioning_error;', 'drops a column'],
    ['a renamed column', 'alter table tenants rename column admin_email to owner_email;', 'renames'],
    ['a renamed table', 'ALTER TABLE "tenants" RENAME TO customers;', 'renames'],
    ['a renamed index', 'alter index tenants_slug_key rename to tenants_handle_key;', 'renames'],
    ["a column's type changed", 'alter table tenants alter column region type varchar(20);', "changes a column's type"],
    ["a column's type changed, long form", 'alter table tenants alter region set data type varchar(20);', "changes a column's type"],
    ['a column made NOT NULL', 'alter table tenants alter column deployment_type set not null;', 'makes a column NOT NULL'],
    ['a NOT NULL column without a default', 'alter table tenants add column plan text not null;', 'adds a NOT NULL column without a default'],
    ["a column's default dropped", 'alter table outbox alter column attempts drop default;', "drops a column's default"],
    ['a table emptied', 'truncate request_counters;', 'empties a table'],
    ['an enum value renamed', "alter type tenant_kind rename value 'A' to 'B';", 'alters a type'],
    ['one bad action among good ones', 'alter table tenants add column nickname text, drop column region;', 'drops a column'],
  ])('refuses %s', (_what, sql, why) => {
    const problems = lint(sql);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`migration 99 (under-test) ${why}: `);
  });

  it('lets a newer migration change a table that no release has used yet', () => {
    const made = 'create table notes (id uuid primary key, body text);';
    const newTables = tablesCreatedBy([made]);
    expect([...newTables]).toEqual(['notes']);
    expect(lint('alter table notes rename column body to text; alter table notes alter column text set not null; drop table notes;', [...newTables])).toEqual([]);
    expect(lint('alter table tenants rename column slug to handle;', [...newTables])).toHaveLength(1);
  });

  it('splits a script into statements, leaving literals out', () => {
    expect(statementsOf("insert into t values ('a;b', $x$c;d$x$);\n-- x; y\nselect 1;")).toEqual(["insert into t values ('', '')", 'select 1']);
  });

  it('reads the real migrations without a false alarm (every one so far only added, widened or redefined)', () => {
    expect(MIGRATIONS.flatMap((m) => destructiveChanges(m, new Set()))).toEqual([]);
  });
});
