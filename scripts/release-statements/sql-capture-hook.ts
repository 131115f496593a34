/**
 * Preloaded into the service by capture.ts (`node --import tsx --import <this file> src/main.ts`):
 * records every distinct SQL text the process sends through node-postgres, whatever sends it
 * (Kysely, the pool adapter of named statements, the progress listener, the tenant database
 * driver), as one JSON line per first sighting in the file named by CAPTURE_SQL_FILE. Values are
 * never recorded, only the text, whether it went out as a named (prepared) statement, and the
 * session's application_name, by which capture.ts tells the control plane's own statements from
 * those the tenant database driver sends to tenant schemas.
 *
 * Written line by line, synchronously: the service may be stopped by any signal, and what it sent
 * until then must be in the file.
 */
import fs from 'node:fs';
import pg from 'pg';

const file = process.env.CAPTURE_SQL_FILE;
if (file === undefined || file === '') throw new Error('sql-capture-hook: CAPTURE_SQL_FILE is not set');
const target: string = file;

export interface CapturedStatement {
  text: string;
  /** Sent as a named statement: parsed and planned once per session, then reused. */
  prepared: boolean;
  application: string;
}

const seen = new Set<string>();

function record(client: pg.Client, text: string, prepared: boolean): void {
  // connectionParameters is node-postgres' parsed configuration; its typings leave it out.
  const parameters = (client as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters;
  const entry: CapturedStatement = { text, prepared, application: parameters?.application_name ?? '' };
  const key = JSON.stringify(entry);
  if (seen.has(key)) return;
  seen.add(key);
  fs.appendFileSync(target, `${key}\n`);
}

// Taken off the prototype on purpose, to be called with each client as `this` below.
// eslint-disable-next-line @typescript-eslint/unbound-method
const original = pg.Client.prototype.query;
// The overloads of Client.query in one function: what is recorded is read off the first argument
// (a text, a QueryConfig or a Submittable such as a cursor), then the call goes on unchanged.
function capturingQuery(this: pg.Client, ...args: unknown[]): unknown {
  const [first] = args;
  if (typeof first === 'string') record(this, first, false);
  else if (first !== null && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') {
    const config = first as { text: string; name?: unknown };
    record(this, config.text, typeof config.name === 'string' && config.name !== '');
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
}
pg.Client.prototype.query = capturingQuery as typeof original;
