import type { CloudProvider } from '../../domain/cloud.js';
import type { InfrastructureStatus } from '../../domain/infrastructure.js';
import { type InfrastructureConfiguration, readConfiguration } from '../../domain/infrastructure-configuration.js';
import type { Tier } from '../../domain/tiers.js';
import { openJobOf } from '../engine/request-operation.js';
import type { Db } from '../open-database.js';
import { type DesiredInfrastructure, readDesired } from './declare-infrastructure.js';

/** spec/000's TenantInfrastructure with its declaration and the job working on it. */
export interface InfrastructureView {
  id: string;
  tenantId: string;
  status: InfrastructureStatus;
  cloudProvider: CloudProvider;
  region: string;
  namespace: string;
  /** The actual configuration: what the last successful job reached ({} before the first). */
  configuration: Partial<InfrastructureConfiguration>;
  terraformStateKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Null for a deleted tenant, whose record stays as a tombstone without a declaration. */
  desiredState: DesiredInfrastructure | null;
  currentJob: { id: string; kind: string; status: string } | null;
}

/**
 * The tenant's infrastructure record, declaration and open job, read in one snapshot so the
 * three agree. Undefined when the tenant has no record (it does not exist).
 */
export async function readInfrastructure(db: Db, tenantId: string): Promise<InfrastructureView | undefined> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const row = await trx
      .selectFrom('tenantInfrastructure as i')
      .innerJoin('tenants as t', 't.id', 'i.tenantId')
      .selectAll('i')
      .select('t.tier')
      .where('i.tenantId', '=', tenantId)
      .executeTakeFirst();
    if (!row) return undefined;
    const desired = await readDesired(trx, tenantId);
    const open = await openJobOf(trx, tenantId);
    return {
      id: row.id,
      tenantId: row.tenantId,
      status: row.status as InfrastructureStatus,
      cloudProvider: row.cloudProvider as CloudProvider,
      region: row.region,
      namespace: row.namespace,
      configuration: actualConfiguration(row.configuration, row.tier as Tier),
      terraformStateKey: row.terraformStateKey,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      desiredState: desired ?? null,
      currentJob: open ? { id: open.id, kind: open.kind, status: open.status } : null,
    };
  });
}

/** The actual configuration: empty until a job has reached a declaration (then it holds every field). */
function actualConfiguration(stored: Record<string, unknown>, tier: Tier): Partial<InfrastructureConfiguration> {
  return Object.keys(stored).length === 0 ? {} : readConfiguration(stored, tier);
}
