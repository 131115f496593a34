import type { Transaction } from 'kysely';
import { DEFAULT_BILLING_PLANS } from '../../domain/billing.js';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { type FootprintOf, type InfrastructureConfiguration, clampForTier, mergeConfiguration, quotaFitProblems } from '../../domain/infrastructure-configuration.js';
import { JobKind } from '../../domain/provisioning.js';
import { DeploymentType, TIER_PROFILES, TIERS, type Tier, parseTier } from '../../domain/tiers.js';
import { type PreparedOperation, requestOperation } from '../engine/request-operation.js';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';
import type { TenantRow } from '../tenants/tenant-row.js';
import { type DesiredInfrastructure, declareInfrastructure, requireDesired } from './declare-infrastructure.js';
import { transaction } from '../transaction.js';

export interface RequestUpdateInput {
  tenantId: string;
  /** The target tier, any case; absent: the tenant's own. */
  tier?: string | undefined;
  /** A partial configuration patch ({storageGb: 200}), validated here against the target tier. */
  configuration?: unknown;
  actor: string;
  maxRetries: number;
  /** What asked for it, recorded on the job and its audit row (`api.tenant.patch`, `infrastructure.put`). */
  trigger: string;
  /** What the tenant's workloads need: a custom quota is checked against it (required once one is declared). */
  footprint?: FootprintOf;
}

/** What an operation request did: the job it queued (null when nothing needed doing) and the declaration. */
export interface OperationRequest {
  jobId: string | null;
  /** The declaration as it stands after the request. */
  desired: DesiredInfrastructure;
  /** Whether the request changed the declaration (its generation went up). */
  changed: boolean;
}

/** The declaration as a request left it: the generation it reached and whether the request moved it. */
export interface Declared {
  desired: DesiredInfrastructure;
  changed: boolean;
}

/**
 * The shared "request an update" operation (PATCH /api/v1/tenants/:id on 8082, PUT and POST
 * provision on 8089): validates the change against the target tier, declares it, and when the
 * declaration changed queues the UPDATE job that converges the tenant to it. One transaction,
 * with the tenant locked, so two requests cannot both pass the checks.
 */
export async function requestUpdate(db: Db, input: RequestUpdateInput): Promise<OperationRequest> {
  return transaction(db, async (trx) => {
    const { jobId, checked } = await requestOperation(
      trx,
      { tenantId: input.tenantId, kind: JobKind.UPDATE, actor: input.actor, trigger: input.trigger, maxRetries: input.maxRetries },
      {
        async check(tenant) {
          const tier = parseTargetTier(input.tier, tenant);
          const current = await requireDesired(trx, tenant.id);
          const target = { tier, configuration: targetConfiguration(current, tier, input.configuration, input.footprint) };
          return { target, declared: { desired: current, changed: false } };
        },
        prepare: (tenant, { target, declared }) => prepareUpdate(trx, tenant, target, input.actor, declared),
      },
    );
    return { jobId, ...checked.declared };
  });
}

function parseTargetTier(value: string | undefined, tenant: TenantRow): Tier {
  if (value === undefined) return tenant.tier as Tier;
  const tier = parseTier(value);
  if (!tier) throw new ValidationError([{ field: 'tier', message: `must be one of ${TIERS.join(', ')} (any case)` }]);
  return tier;
}

/**
 * The configuration the tenant should have at `tier`: its declared one (made to fit the tier
 * when the tier changes) with the patch merged over it. Every problem of the patch at once; then,
 * once the patch itself is sound, whether a declared quota holds the tenant's workloads.
 */
export function targetConfiguration(current: DesiredInfrastructure, tier: Tier, patch: unknown, footprint: FootprintOf | undefined) {
  const base = tier === current.tier ? current.configuration : clampForTier(current.configuration, tier);
  const { configuration, problems } = mergeConfiguration(base, patch, tier);
  if (problems.length === 0) problems.push(...fitProblems(configuration, tier, footprint));
  if (problems.length > 0) throw new ValidationError(problems);
  return configuration;
}

/**
 * The quota check of a configuration about to be declared. Every route passes the footprint; a
 * caller that does not, with a quota to check, is a bug, and accepting the quota unchecked could
 * leave a tenant whose pods the API server refuses.
 */
export function fitProblems(configuration: InfrastructureConfiguration, tier: Tier, footprint: FootprintOf | undefined) {
  if (!footprint) {
    if (configuration.quota) throw new Error('a custom quota was declared without the footprint to check it against');
    // Store-level callers without a footprint (tests of the store alone) check no tier quota.
    return [];
  }
  return quotaFitProblems(configuration, tier, footprint);
}

/**
 * A move between the shared cluster (Free, Professional) and a dedicated one (Enterprise) is a
 * migration of the tenant's data and workloads to another cluster, which is not built: refused.
 */
export function requireSameDeployment(from: Tier, to: Tier): void {
  if (TIER_PROFILES[from].deploymentType === TIER_PROFILES[to].deploymentType) return;
  throw new ConflictError('tier', ERROR_CODES.TIER_MIGRATION_UNSUPPORTED, from, to, TIER_PROFILES[to].deploymentType === DeploymentType.DEDICATED);
}

export interface UpdateTarget {
  tier: Tier;
  configuration: InfrastructureConfiguration;
}

/**
 * The update itself, for a tenant requestOperation has locked and admitted (ACTIVE, no job in
 * flight): the tier rules, the declaration (written into `declared`), the tenant's tier and plan,
 * and the UPDATE job's tier and details; null when the declaration already said this.
 */
export async function prepareUpdate(trx: Transaction<Schema>, tenant: TenantRow, target: UpdateTarget, actor: string, declared: Declared): Promise<PreparedOperation | null> {
  const fromTier = tenant.tier as Tier;
  const tierChanged = target.tier !== fromTier;
  if (tierChanged) {
    requireSameDeployment(fromTier, target.tier);
    await requireRoomForUsers(trx, tenant.id, target.tier);
  }
  Object.assign(declared, await declareInfrastructure(trx, tenant.id, { tier: target.tier, configuration: target.configuration }, actor));
  if (!declared.changed) return null;
  if (tierChanged) await changeTier(trx, tenant.id, target.tier);
  return {
    tier: target.tier,
    details: {
      generation: declared.desired.generation,
      configuration: declared.desired.configuration,
      ...(tierChanged ? { fromTier, toTier: target.tier } : {}),
    },
  };
}

/** A downgrade must leave room for everyone already there: users are not removed behind anyone's back. */
async function requireRoomForUsers(trx: Transaction<Schema>, tenantId: string, tier: Tier): Promise<void> {
  const maxUsers = TIER_PROFILES[tier].quota.maxUsers;
  if (maxUsers === null) return;
  const row = await trx.selectFrom('users').select((eb) => eb.fn.countAll<string | number>().as('n')).where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
  const users = Number(row.n);
  if (users > maxUsers) {
    throw new ConflictError('tier', ERROR_CODES.TOO_MANY_USERS, users, tier, maxUsers);
  }
}

/** The tenant's tier and its subscription's plan follow the declaration (the plan of the new tier). */
export async function changeTier(trx: Transaction<Schema>, tenantId: string, tier: Tier): Promise<void> {
  await trx.updateTable('tenants').set({ tier, updatedAt: new Date() }).where('id', '=', tenantId).execute();
  await trx.updateTable('billingSubscriptions').set({ planId: DEFAULT_BILLING_PLANS[tier].id }).where('tenantId', '=', tenantId).execute();
}
