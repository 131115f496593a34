import { type Transaction, sql } from 'kysely';
import type { Schema } from '../schema.js';

/** How long a job took, and each of its steps that ran (spec/004 phase 10's completion record). */
export interface JobTimes {
  durationMs: number | null;
  /** Milliseconds by step, in plan order, for the steps that started and completed. */
  steps: Record<string, number>;
}

/** From the job's first claim (or its creation, if never claimed) to now. */
export async function jobDuration(trx: Transaction<Schema>, jobId: string): Promise<number | null> {
  const row = await trx.selectFrom('tenantProvisioningJobs').select(['startedAt', 'createdAt']).where('id', '=', jobId).executeTakeFirst();
  const start = row?.startedAt ?? row?.createdAt;
  return start ? Date.now() - start.getTime() : null;
}

export async function stepDurations(trx: Transaction<Schema>, jobId: string): Promise<Record<string, number>> {
  const rows = await trx
    .selectFrom('provisioningSteps')
    .select(['name', sql<number>`(extract(epoch from completed_at - started_at) * 1000)::integer`.as('ms')])
    .where('jobId', '=', jobId)
    .where('startedAt', 'is not', null)
    .where('completedAt', 'is not', null)
    .orderBy('position')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.name, r.ms]));
}
