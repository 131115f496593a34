/**
 * The floor of bench/create-tenant.ts: the SQL one create sends, captured from a real create and
 * replayed through `pg` directly (no HTTP, no Fastify, no Kysely) at the same concurrency, with
 * fresh ids and slugs per iteration. What the service adds on top of it is its own cost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { newId } from '../src/domain/ids.js';

/** One statement as the driver got it: `name` set when the service sends it as a named (prepared) statement. */
export interface CapturedStatement {
  text: string;
  values: readonly unknown[];
  name: string | undefined;
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
const prototype = pg.Client.prototype as unknown as { query: QueryFn };

/** The statement of a pg `query(...)` call, whichever form it was called in (text and values, or a config). */
function statementOf(args: readonly unknown[]): CapturedStatement | undefined {
  const [first, second] = args;
  if (typeof first === 'string') return { text: first, values: Array.isArray(second) ? [...(second as unknown[])] : [], name: undefined };
  if (first !== null && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') {
    const config = first as { text: string; values?: unknown; name?: unknown };
    const values = Array.isArray(config.values) ? config.values : Array.isArray(second) ? second : [];
    return { text: config.text, values: [...(values as unknown[])], name: typeof config.name === 'string' ? config.name : undefined };
  }
  return undefined;
}

const BEGIN = /^\s*begin\b/i;
const END = /^\s*(commit|rollback)\b/i;
const INSERTS_TENANT = /insert\s+into\s+"?tenants"?[\s(]/i;

/**
 * Runs `create` (one tenant create, by whatever path) while every pg client of this process is
 * watched, and returns the statements of the transaction that inserted the tenant, BEGIN to
 * COMMIT, in order (or the one statement, if it ran alone). Other sessions' statements (the
 * engine, the relay) are told apart by their client.
 */
export async function captureCreate(create: () => Promise<void>): Promise<CapturedStatement[]> {
  const open = new Map<pg.Client, CapturedStatement[]>();
  let captured: CapturedStatement[] | undefined;
  const original = prototype.query;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const statement = statementOf(args);
    if (statement && !captured) {
      const group = open.get(this);
      if (BEGIN.test(statement.text)) open.set(this, [statement]);
      else if (group) {
        group.push(statement);
        if (END.test(statement.text)) {
          open.delete(this);
          if (group.some((s) => INSERTS_TENANT.test(s.text))) captured = group;
        }
      } else if (INSERTS_TENANT.test(statement.text)) captured = [statement];
    }
    return original.apply(this, args);
  };
  try {
    await create();
  } finally {
    prototype.query = original;
  }
  if (!captured) throw new Error('the create sent no transaction that inserts into "tenants": nothing to replay for the floor');
  return captured;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const IS_UUID = new RegExp(`^${UUID}$`);

/** A parameter rebuilt per iteration: a text as the parts between the ids and the token, an array element by element. */
type Template = { fixed: unknown } | { parts: Part[] } | { items: Template[] };
type Part = string | { uuid: string } | { token: true };

/**
 * Turns captured statements into a generator of fresh ones: every UUID in a text parameter or in
 * an array of texts (the tenant's, the job's, the roles'..., also inside JSON payloads) becomes a
 * new one, the same new one wherever the old one appeared; every occurrence of `token` (the part
 * of the name, slug and e-mail that made the captured create unique) becomes the iteration's
 * token. Other values are sent as captured (timestamps included: they are not unique).
 */
export function replayer(statements: readonly CapturedStatement[], token: string): (freshToken: string) => CapturedStatement[] {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Split with a capturing group keeps the separators: ids and tokens land at odd positions.
  const splitter = new RegExp(`(${UUID}|${escaped})`);
  const compile = (value: unknown): Template => {
    if (Array.isArray(value)) return { items: value.map(compile) };
    if (typeof value !== 'string' || !splitter.test(value)) return { fixed: value };
    return {
      parts: value
        .split(splitter)
        .filter((part) => part !== '')
        .map((part): Part => (part === token ? { token: true } : IS_UUID.test(part) ? { uuid: part } : part)),
    };
  };
  const compiled = statements.map((s) => ({ ...s, values: s.values.map(compile) }));
  return (freshToken) => {
    const ids = new Map<string, string>();
    const idFor = (old: string) => {
      let fresh = ids.get(old);
      if (fresh === undefined) ids.set(old, (fresh = newId()));
      return fresh;
    };
    const build = (t: Template): unknown =>
      'fixed' in t
        ? t.fixed
        : 'items' in t
          ? t.items.map(build)
          : t.parts.map((part) => (typeof part === 'string' ? part : 'uuid' in part ? idFor(part.uuid) : freshToken)).join('');
    return compiled.map((s) => ({ text: s.text, name: s.name, values: s.values.map(build) }));
  };
}

export interface FloorResult {
  latenciesMs: number[];
  errors: number;
  samples: string[];
  elapsedMs: number;
  /** CPU time of this process during the run: the pg clients alone. */
  cpuMs: number;
}

/**
 * `count` replays from `concurrency` sessions (one pg client each, as many as the bench's HTTP
 * clients), each starting its next transaction as soon as the last one ends. `tokenOf(i)` names
 * iteration i (unique per run). A failed transaction is rolled back and counted as an error.
 */
export async function replayFloor(
  url: string,
  fresh: (freshToken: string) => CapturedStatement[],
  tokenOf: (i: number) => string,
  count: number,
  concurrency: number,
): Promise<FloorResult> {
  const sessions = Array.from({ length: Math.min(concurrency, count) }, () => new pg.Client({ connectionString: url }));
  await Promise.all(sessions.map((c) => c.connect()));
  const latenciesMs: number[] = [];
  const samples: string[] = [];
  let errors = 0;
  let next = 0;
  const session = async (client: pg.Client): Promise<void> => {
    while (next < count) {
      const statements = fresh(tokenOf(next++));
      const started = performance.now();
      try {
        for (const s of statements) await client.query({ text: s.text, values: s.values as unknown[], ...(s.name ? { name: s.name } : {}) });
      } catch (error) {
        errors++;
        if (samples.length < 5) samples.push(String(error));
        await client.query('rollback').catch(() => undefined);
      }
      latenciesMs.push(performance.now() - started);
    }
  };
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(sessions.map(session));
    const elapsedMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { latenciesMs, errors, samples, elapsedMs, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * The second floor: the same statements behind the barest HTTP service node can be, in this
 * process: `node:http`, the body read and parsed as JSON, the create's statements run on a pool
 * of `poolSize` sessions (the service's pool), a small JSON answer. No routing, validation,
 * authentication, logging, metrics or framework. Driven by the same clients as the service, it
 * shows what HTTP itself costs on this machine, and so what the service adds beyond it.
 * The create's unique token is the request's slug after `slugPrefix`.
 */
export async function startHttpFloor(
  databaseUrl: string,
  fresh: (freshToken: string) => CapturedStatement[],
  slugPrefix: string,
  poolSize: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          if (!req.headers.authorization?.startsWith('Bearer ')) return answer(res, 401, { code: 'unauthorized' });
          const { slug } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { slug: string };
          const statements = fresh(slug.slice(slugPrefix.length));
          const client = await pool.connect();
          try {
            for (const s of statements) await client.query({ text: s.text, values: s.values as unknown[], ...(s.name ? { name: s.name } : {}) });
          } finally {
            client.release();
          }
          answer(res, 201, { slug });
        } catch (error) {
          answer(res, 500, { error: String(error) });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
