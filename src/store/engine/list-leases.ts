import { sql } from 'kysely';
import type { Db } from '../open-database.js';

/** A job some worker holds: who, until when, and what it is doing. */
export interface JobLease {
  jobId: string;
  tenantId: string;
  /** Null when the tenant row is gone. */
  slug: string | null;
  kind: string;
  status: string;
  currentStep: string | null;
  leaseOwner: string;
  leaseUntil: Date;
  /** Past its lease by the database clock: the worker died or stalled, and another may take the job. */
  expired: boolean;
}

/** Every claimed job, the latest lease first: the health page's view of who works on what. */
export async function listLeases(db: Db, limit = 100): Promise<JobLease[]> {
  const rows = await db
    .selectFrom('tenantProvisioningJobs as j')
    .leftJoin('tenants as t', 't.id', 'j.tenantId')
    .select([
      'j.id as jobId',
      'j.tenantId',
      't.slug',
      'j.kind',
      'j.status',
      'j.currentStep',
      'j.leaseOwner',
      'j.leaseUntil',
      sql<boolean>`j.lease_until < now()`.as('expired'),
    ])
    .where('j.leaseOwner', 'is not', null)
    .where('j.leaseUntil', 'is not', null)
    .orderBy('j.leaseUntil', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, slug: r.slug ?? null, leaseOwner: r.leaseOwner ?? '', leaseUntil: r.leaseUntil ?? new Date(0) }));
}
