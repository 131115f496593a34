import { createHash } from 'node:crypto';
import { CompiledQuery, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Statements on the hot path whose text never changes: written once with named parameters, and
 * per call only the values are put in order (no query building or compiling per request). They
 * are also prepared: each session parses and plans one the first time it runs it and afterwards
 * sends only the values (node-postgres's named statements, through the pool adapter below), where
 * an unnamed statement is sent whole, parsed and planned on every call.
 *
 * The statement's result columns are listed, never `*`: a prepared statement whose result shape
 * changes under it (a column added by a newer replica's migration) fails instead of re-planning.
 */
export interface PreparedStatement<P, R = unknown> {
  readonly text: string;
  /** `R`: a row as the caller reads it (column names camelCased by the Kysely plugin, values as node-postgres parses them). */
  compile(values: P): CompiledQuery<R>;
}

// Marks the text so that the pool adapter knows which statements to prepare; the rest go unnamed.
const MARK = '/* prepared */ ';

/**
 * `write` returns the SQL, calling `param(name)` where a value goes ($1, $2...; the same name is
 * the same parameter). A cast belongs in the SQL (`${param('ids')}::uuid[]`).
 */
export function preparedStatement<P extends Record<string, unknown>, R = unknown>(
  write: (param: (name: keyof P & string) => string) => string,
): PreparedStatement<P, R> {
  const order: (keyof P & string)[] = [];
  const body = write((name) => {
    const index = order.indexOf(name);
    return `$${index >= 0 ? index + 1 : order.push(name)}`;
  });
  const text = `${MARK}${body.trim()}`;
  return {
    text,
    compile: (values) => CompiledQuery.raw(text, order.map((name) => values[name])),
  };
}

/**
 * The pool Kysely is given: each pg client wrapped once, so that a marked statement goes out as a
 * named one. The name comes from the text's hash, so two texts never share a name (node-postgres
 * refuses that) and replicas of one version name them alike.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let adapter = wrapped.get(client);
      if (!adapter) {
        adapter = adapt(client);
        wrapped.set(client, adapter);
      }
      return adapter;
    },
    end: () => pool.end(),
  };
}

const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `matih_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

function adapt(client: pg.PoolClient): PostgresPoolClient {
  // Kysely calls query(sql, parameters) or query(cursor); only the first kind can be prepared.
  const query = (sqlOrCursor: string | pg.Submittable, parameters?: readonly unknown[]): unknown => {
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor);
    // Kysely passes a fresh copy of the parameters; node-postgres does not change the array it is given.
    const values = (parameters ?? []) as unknown[];
    return sqlOrCursor.startsWith(MARK) ? client.query({ name: nameOf(sqlOrCursor), text: sqlOrCursor, values }) : client.query(sqlOrCursor, values);
  };
  return {
    // The overloads of PostgresPoolClient.query in one function (TypeScript cannot check it against both).
    query: query as PostgresPoolClient['query'],
    release: () => client.release(),
  };
}
