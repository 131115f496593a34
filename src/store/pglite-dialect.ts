import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Who waits first for PGlite's one session. PGlite has exactly one session, so a transaction is
 * only safe if nothing else talks to it between BEGIN and COMMIT: every Kysely over one PGlite
 * shares one gate, which hands the session to one user at a time. Waiters of the `foreground`
 * lane (the API: a person is waiting) go before those of the `background` lane (the engine and
 * the relay: a provisioning step can wait some milliseconds more), in arrival order within each
 * lane. Without lanes an API request queued behind a burst of engine work and took seconds.
 * A holder is never interrupted: a long background transaction still delays the API by its length.
 */
export type PGliteLane = 'foreground' | 'background';

export class PGliteGate {
  private held = false;
  private readonly waiting: Record<PGliteLane, (() => void)[]> = { foreground: [], background: [] };

  async acquire(lane: PGliteLane): Promise<() => void> {
    if (this.held) await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    else this.held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOn();
    };
  }

  /** The next waiter gets the session (still held, so no one jumps the queue in between); none: free. */
  private handOn(): void {
    const next = this.waiting.foreground.shift() ?? this.waiting.background.shift();
    if (next) next();
    else this.held = false;
  }
}

export class PGliteDialect implements Dialect {
  constructor(
    private readonly pg: PGlite,
    private readonly gate: PGliteGate = new PGliteGate(),
    private readonly lane: PGliteLane = 'foreground',
  ) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg, this.gate, this.lane);
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private readonly releases = new WeakMap<DatabaseConnection, () => void>();

  constructor(
    pg: PGlite,
    private readonly gate: PGliteGate,
    private readonly lane: PGliteLane,
  ) {
    this.connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.gate.acquire(this.lane);
    this.releases.set(this.connection, release);
    return this.connection;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await conn.executeQuery(CompiledQuery.raw(`begin${level}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const release = this.releases.get(conn);
    this.releases.delete(conn);
    release?.();
  }

  async destroy(): Promise<void> {}
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (query.parameters.length === 0 && isScript(query.sql)) {
      // Migrations are scripts of many statements: only the simple protocol (exec) runs those.
      const results = await this.pg.exec(query.sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], numAffectedRows: BigInt(last?.affectedRows ?? 0) };
    }
    const result = await this.pg.query<R>(query.sql, [...query.parameters]);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // eslint-disable-next-line require-yield -- the interface wants a generator; PGlite has no cursors
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database');
  }
}

function isScript(sql: string): boolean {
  return sql.trim().replace(/;\s*$/, '').includes(';');
}
