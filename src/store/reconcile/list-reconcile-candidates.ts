import { sql } from 'kysely';
import { JobStatus } from '../../domain/provisioning.js';
import { namespaceFor } from '../../domain/tenant.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Tier } from '../../domain/tiers.js';
import type { Db } from '../open-database.js';

/** A live tenant with no job in flight, with what the reconciler compares its actual state with. */
export interface ReconcileCandidate {
  tenantId: string;
  slug: string;
  tier: Tier;
  status: TenantStatus;
  namespace: string;
  generation: number;
  observedGeneration: number;
  suspended: boolean;
  /** Every step's outputs, newest per step: what the steps last made (objects, schemas, records, certificate). */
  phaseOutputs: Record<string, Record<string, unknown>>;
  /** The last commit a job made on the tenant: an object changed after it was changed by someone else. */
  lastJobCommitAt: Date;
  /** The job the tenant's provisioning state named when read; another one at queue time means the tenant moved on. */
  stateJobId: string;
  /** TenantInfrastructure.status; null for a tenant without the record. */
  infrastructureStatus: string | null;
}

export interface CandidatePage {
  /** Keyset paging by tenant id: every tenant once per sweep, however the sweep changes them. */
  after?: string | undefined;
  limit: number;
  /** Only these tenants (a wake-up for a declaration change). */
  tenantIds?: readonly string[] | undefined;
}

const OPEN = [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.ROLLING_BACK];

/** One page of ACTIVE or SUSPENDED tenants that have no open job, in tenant id order, in one query. */
export async function listReconcileCandidates(db: Db, page: CandidatePage): Promise<ReconcileCandidate[]> {
  if (page.tenantIds?.length === 0) return [];
  let q = db
    .selectFrom('tenants as t')
    .innerJoin('desiredInfrastructureState as d', 'd.tenantId', 't.id')
    .innerJoin('tenantProvisioningState as s', 's.tenantId', 't.id')
    .leftJoin('tenantInfrastructure as i', 'i.tenantId', 't.id')
    .select([
      't.id', 't.slug', 't.tier', 't.status', 't.kubernetesNamespace', 'd.generation', 'd.observedGeneration', 'd.suspended',
      's.phaseOutputs', 's.lastUpdatedAt', 's.jobId', 'i.status as infrastructureStatus',
    ])
    .where('t.status', 'in', [TenantStatus.ACTIVE, TenantStatus.SUSPENDED])
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('tenantProvisioningJobs as j').select(sql<number>`1`.as('one')).whereRef('j.tenantId', '=', 't.id').where('j.status', 'in', OPEN))),
    );
  if (page.after !== undefined) q = q.where('t.id', '>', page.after);
  if (page.tenantIds) q = q.where('t.id', 'in', [...page.tenantIds]);
  const rows = await q.orderBy('t.id').limit(page.limit).execute();
  return rows.map((r) => ({
    tenantId: r.id,
    slug: r.slug,
    tier: r.tier as Tier,
    status: r.status as TenantStatus,
    namespace: r.kubernetesNamespace ?? namespaceFor(r.slug),
    generation: r.generation,
    observedGeneration: r.observedGeneration,
    suspended: r.suspended,
    phaseOutputs: r.phaseOutputs as Record<string, Record<string, unknown>>,
    lastJobCommitAt: r.lastUpdatedAt,
    stateJobId: r.jobId,
    infrastructureStatus: r.infrastructureStatus,
  }));
}
