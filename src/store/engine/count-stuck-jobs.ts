import { sql } from 'kysely';
import { STEP_TIMEOUT_SECONDS } from '../../domain/plans.js';
import { StepStatus } from '../../domain/progress.js';
import { JobStatus } from '../../domain/provisioning.js';
import type { Db } from '../open-database.js';

const NAMES = Object.keys(STEP_TIMEOUT_SECONDS);
const SECONDS = Object.values(STEP_TIMEOUT_SECONDS);

/**
 * Running jobs whose current step has been running (this attempt: a claim or the step before it
 * restarts the clock) longer than its expected maximum (domain/plans.ts STEP_TIMEOUT_SECONDS),
 * across every replica: for /metrics. A job waiting for a retry is not running its step (the step
 * is FAILED until the next claim), so it never counts; one whose holder died does, until another
 * replica takes it over.
 */
export async function countStuckJobs(db: Db): Promise<number> {
  const { rows } = await sql<{ stuck: number }>`
    select count(*)::int as stuck
    from tenant_provisioning_jobs j
    join provisioning_steps s on s.job_id = j.id and s.name = j.current_step
    join unnest(${NAMES}::text[], ${SECONDS}::int[]) as t (name, seconds) on t.name = s.name
    where j.status = ${JobStatus.RUNNING} and s.status = ${StepStatus.RUNNING}
      and s.started_at < now() - t.seconds * interval '1 second'`.execute(db);
  return rows[0]?.stuck ?? 0;
}
