/**
 * The expand/contract rule of docs/operations.md ("Upgrade") for migrations not yet released: while
 * a rolling upgrade runs a release's migrations, the previous release still serves on the same
 * database, so a migration may add (tables, nullable columns, columns with a default, indexes) but
 * not take away or tighten what that release reads and writes. The destructive changes below wait
 * for a later migration marked as a contract step (Migration.contract).
 *
 * A lexical check, deliberately conservative: it reads the statements, not the schema. What it
 * cannot see (a new CHECK or UNIQUE constraint the previous release's rows or writes break, a
 * dropped index an ON CONFLICT names) is caught, where a statement no longer plans, by the
 * previous release's statements run against the new schema (release-compatibility.test.ts), and
 * otherwise is the reviewer's to judge.
 */

export interface LintedMigration {
  version: number;
  name: string;
  sql: string;
  contract?: string | undefined;
}

/** The statements of a script, lower case, with comments, string literals and identifier quotes gone. */
export function statementsOf(script: string): string[] {
  let out = '';
  let i = 0;
  while (i < script.length) {
    const rest = script.slice(i);
    if (rest.startsWith('--')) {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end + 1;
      out += ' ';
    } else if (rest.startsWith('/*')) {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? script.length : end + 2;
      out += ' ';
    } else if (/^[eE]'/.test(rest) || rest.startsWith("'")) {
      // A literal becomes '' : what matters is that there was a value (a DEFAULT), never its text.
      const escapes = rest.startsWith("'") ? false : true;
      let j = i + (escapes ? 2 : 1);
      for (; j < script.length; j++) {
        if (escapes && script[j] === '\\') j++;
        else if (script[j] === "'") {
          if (script[j + 1] === "'") j++;
          else break;
        }
      }
      i = j + 1;
      out += "''";
    } else if (/^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.test(rest)) {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(rest)?.[0] ?? '$$';
      const end = script.indexOf(tag, i + tag.length);
      i = end < 0 ? script.length : end + tag.length;
      out += "''";
    } else if (rest.startsWith('"')) {
      const end = script.indexOf('"', i + 1);
      out += script.slice(i + 1, end < 0 ? script.length : end);
      i = end < 0 ? script.length : end + 1;
    } else {
      out += script[i];
      i++;
    }
  }
  return out
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim().toLowerCase())
    .filter((s) => s !== '');
}

/** Splits at the commas outside parentheses: the actions of one ALTER TABLE. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

function bareName(name: string): string {
  return name.replace(/^public\./, '');
}

/** Tables the scripts create: a table no released migration made was never used by a release, so changing it is free. */
export function tablesCreatedBy(scripts: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const statement of scripts.flatMap(statementsOf)) {
    const match = /^create (?:unlogged |temporary |temp )?table (?:if not exists )?([a-z0-9_.]+)/.exec(statement);
    if (match?.[1]) names.add(bareName(match[1]));
  }
  return names;
}

const TABLE_CONSTRAINT = /^add (constraint|primary key|unique|check|foreign key|exclude)\b/;

/** Why one ALTER TABLE action breaks the previous release, or undefined when it is additive. */
function actionProblem(action: string): string | undefined {
  if (/^drop (constraint)\b/.test(action)) return undefined;
  if (/^drop\b/.test(action)) return 'drops a column';
  if (/^rename\b/.test(action)) return 'renames';
  if (/^set schema\b/.test(action)) return 'moves the table to another schema';
  const alter = /^alter (?:column )?(?:if exists )?[a-z0-9_]+ (.*)$/.exec(action);
  if (alter?.[1] !== undefined) {
    const change = alter[1];
    if (/^(set data )?type\b/.test(change)) return "changes a column's type";
    if (/^set not null\b/.test(change)) return 'makes a column NOT NULL';
    if (/^drop default\b/.test(change)) return "drops a column's default";
    if (/^drop expression\b/.test(change)) return 'changes a generated column';
    return undefined;
  }
  if (/^add\b/.test(action) && !TABLE_CONSTRAINT.test(action)) {
    const notNull = /\bnot null\b/.test(action) || /\bprimary key\b/.test(action);
    if (notNull && !/\bdefault\b/.test(action) && !/\bgenerated\b/.test(action)) return 'adds a NOT NULL column without a default';
  }
  return undefined;
}

const DROPPABLE = /^drop (table|view|materialized view|sequence|type|domain|function|procedure|schema|extension|trigger|rule|policy)\b(?: if exists)?\s*([a-z0-9_.]+)?/;

/**
 * What in `migration` would break the release before it, as "<why>: <statement>" lines; empty when
 * it only adds. `newTables`: tables made by migrations the release did not have (free to change).
 */
export function destructiveChanges(migration: LintedMigration, newTables: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const report = (why: string, statement: string) => problems.push(`migration ${migration.version} (${migration.name}) ${why}: ${statement.slice(0, 200)}`);
  for (const statement of statementsOf(migration.sql)) {
    const drop = DROPPABLE.exec(statement);
    if (drop) {
      const name = drop[2] ? bareName(drop[2]) : '';
      if (!(drop[1] === 'table' && newTables.has(name))) report(`drops a ${drop[1] ?? 'thing'}`, statement);
      continue;
    }
    if (/^truncate\b/.test(statement)) {
      report('empties a table', statement);
      continue;
    }
    const table = /^alter table (?:if exists )?(?:only )?([a-z0-9_.]+) (.*)$/.exec(statement);
    if (table?.[1] !== undefined && table[2] !== undefined) {
      if (newTables.has(bareName(table[1]))) continue;
      for (const action of topLevelParts(table[2])) {
        const why = actionProblem(action);
        if (why) report(why, statement);
      }
      continue;
    }
    if (/^alter (index|sequence|view|materialized view|function|procedure|schema|domain)\b.* rename\b/.test(statement)) {
      report('renames', statement);
      continue;
    }
    if (/^alter type\b/.test(statement) && !/^alter type [a-z0-9_.]+ add value\b/.test(statement)) report('alters a type', statement);
  }
  return problems;
}
