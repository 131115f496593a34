import type { Transaction } from 'kysely';
import { NotFoundError } from '../../domain/errors.js';
import { type InfrastructureConfiguration, readConfiguration } from '../../domain/infrastructure-configuration.js';
import type { Tier } from '../../domain/tiers.js';
import type { Schema } from '../schema.js';

export interface DesiredInfrastructure {
  tenantId: string;
  tier: Tier;
  region: string;
  cloudProvider: string;
  configuration: InfrastructureConfiguration;
  suspended: boolean;
  generation: number;
  observedGeneration: number;
  lastReconciledAt: Date | null;
  updatedBy: string;
  updatedAt: Date;
}

export async function readDesired(trx: Transaction<Schema>, tenantId: string, lock = false): Promise<DesiredInfrastructure | undefined> {
  let q = trx.selectFrom('desiredInfrastructureState').selectAll().where('tenantId', '=', tenantId);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  return { ...row, tier: row.tier as Tier, configuration: readConfiguration(row.configuration, row.tier as Tier) };
}

/** The tenant's declaration, locked; every tenant has one from its creation on. */
export async function requireDesired(trx: Transaction<Schema>, tenantId: string): Promise<DesiredInfrastructure> {
  const desired = await readDesired(trx, tenantId, true);
  if (!desired) throw new NotFoundError('infrastructure declaration of tenant', tenantId);
  return desired;
}

export interface DeclarationChange {
  tier?: Tier;
  region?: string;
  cloudProvider?: string;
  configuration?: InfrastructureConfiguration;
  suspended?: boolean;
}

/**
 * Changes the tenant's declaration (spec/000 DesiredInfrastructureState) and bumps its generation,
 * in the caller's transaction. A change that changes nothing leaves the generation alone.
 * Returns the declaration as it now stands and whether it changed.
 */
export async function declareInfrastructure(
  trx: Transaction<Schema>,
  tenantId: string,
  change: DeclarationChange,
  actor: string,
): Promise<{ desired: DesiredInfrastructure; changed: boolean }> {
  const current = await requireDesired(trx, tenantId);
  const next = {
    tier: change.tier ?? current.tier,
    region: change.region ?? current.region,
    cloudProvider: change.cloudProvider ?? current.cloudProvider,
    configuration: change.configuration ?? current.configuration,
    suspended: change.suspended ?? current.suspended,
  };
  const changed =
    next.tier !== current.tier ||
    next.region !== current.region ||
    next.cloudProvider !== current.cloudProvider ||
    next.suspended !== current.suspended ||
    JSON.stringify(next.configuration) !== JSON.stringify(current.configuration);
  if (!changed) return { desired: current, changed: false };
  const row = await trx
    .updateTable('desiredInfrastructureState')
    .set((eb) => ({
      tier: next.tier,
      region: next.region,
      cloudProvider: next.cloudProvider,
      configuration: JSON.stringify(next.configuration),
      suspended: next.suspended,
      generation: eb('generation', '+', 1),
      updatedBy: actor,
      updatedAt: new Date(),
    }))
    .where('tenantId', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { desired: { ...row, tier: row.tier as Tier, configuration: readConfiguration(row.configuration, row.tier as Tier) }, changed: true };
}
