import { migrationsApplied } from '../store/migrate.js';
import type { ApiDeps } from './deps.js';

export interface Readiness {
  ready: boolean;
  /** UP, DRAINING (stopping: SIGTERM came) or DOWN. */
  status: 'UP' | 'DRAINING' | 'DOWN';
  database: string;
  migrations: string;
}

/**
 * Whether this replica is ready, and why not: not shutting down, the database answers, every
 * migration is applied, asked in that order. `/ready` answers it (routes/health.ts) and the
 * `matih_ready` gauge reads it at each scrape, so the two never disagree.
 */
export async function readiness(deps: Pick<ApiDeps, 'database' | 'draining'>): Promise<Readiness> {
  const { db, kind, health } = deps.database;
  // First thing at SIGTERM: routers drop this replica while it finishes what it has.
  if (deps.draining?.active) return { ready: false, status: 'DRAINING', database: `${kind}: not checked`, migrations: 'not checked' };
  const unavailable = await health.check();
  if (unavailable !== undefined) return { ready: false, status: 'DOWN', database: `${kind}: ${unavailable}`, migrations: 'unknown' };
  const migrated = await migrationsApplied(db).catch(() => false);
  if (!migrated) return { ready: false, status: 'DOWN', database: `${kind}: up`, migrations: 'pending' };
  return { ready: true, status: 'UP', database: `${kind}: up`, migrations: 'applied' };
}
