import { type RawBuilder, sql } from 'kysely';

/**
 * The channel on which a commit that appended provisioning history says so: every replica's
 * progress listener hears it (store/engine/progress-listener.ts) and reads the new rows once for
 * all its WebSocket clients of that tenant.
 */
export const PROGRESS_CHANNEL = 'matih_progress';

/**
 * `pg_notify` of "<tenant id>:<sequence>" for the RETURNING of the update that advances a tenant's
 * `tenant_provisioning_state.event_seq` (store/engine/audit.ts): no statement of its own, and
 * PostgreSQL delivers it when (and only if) the transaction commits. A notice is only a hint that
 * the tenant's history reached that sequence; listeners read the rows themselves, so a notice
 * lost (no listener connected at the time) costs only the wait for the next one or a check.
 */
export function progressNotice(): RawBuilder<unknown> {
  return sql`pg_notify(${PROGRESS_CHANNEL}, tenant_id::text || ':' || event_seq::text)`;
}

export interface ProgressNotice {
  tenantId: string;
  seq: number;
}

/** The notice's tenant and sequence; undefined for a payload that is not one (somebody else's NOTIFY). */
export function parseProgressNotice(payload: string | undefined): ProgressNotice | undefined {
  const match = /^([0-9a-f-]{36}):(\d+)$/.exec(payload ?? '');
  if (!match) return undefined;
  return { tenantId: match[1]!, seq: Number(match[2]) };
}
