import { sql, type Transaction } from 'kysely';
import { CLOUD_PROVIDERS, type CloudProvider, isRegionOf, parseCloudProvider } from '../../domain/cloud.js';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { ConflictError, type FieldError, ValidationError } from '../../domain/errors.js';
import { InfrastructureStatus, terraformStateKeyOf } from '../../domain/infrastructure.js';
import { type FootprintOf, type InfrastructureConfiguration, clampForTier, mergeConfiguration } from '../../domain/infrastructure-configuration.js';
import { JobKind } from '../../domain/provisioning.js';
import { provisionRequestKind } from '../../domain/operations.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import { DeploymentType, TIER_PROFILES, TIERS, type Tier, parseTier } from '../../domain/tiers.js';
import { type PreparedOperation, requestOperation } from '../engine/request-operation.js';
import type { Db } from '../open-database.js';
import type { Schema } from '../schema.js';
import type { TenantRow } from '../tenants/tenant-row.js';
import { type DesiredInfrastructure, declareInfrastructure, requireDesired } from './declare-infrastructure.js';
import { moveInfrastructure } from './move-infrastructure.js';
import { type Declared, type OperationRequest, changeTier, fitProblems, prepareUpdate, requireSameDeployment } from './request-update.js';
import { transaction } from '../transaction.js';
import { dedicatedCloudProblem } from '../../domain/tenant-validation.js';

export interface RequestProvisionInput {
  tenantId: string;
  /** Any case (spec/000 sends "professional"). */
  tier: string;
  region: string;
  cloudProvider: string;
  /** A (partial) configuration, merged over the tenant's declared one. */
  configuration?: unknown;
  /** The providers this installation offers (MATIH_CLOUD_PROVIDERS). */
  enabledCloudProviders: readonly CloudProvider[];
  /** Those it can build dedicated (Enterprise) infrastructure on; default: all. */
  dedicatedCloudProviders?: readonly CloudProvider[];
  actor: string;
  maxRetries: number;
  /** What the tenant's workloads need: a custom quota is checked against it (required once one is declared). */
  footprint?: FootprintOf;
}

const TRIGGER = 'infrastructure.provision';

/**
 * spec/000 POST provision as "declare and converge", idempotent:
 * - a tenant without infrastructure (DEPROVISIONED, or FAILED provisioning) gets everything given
 *   declared and a PROVISION job;
 * - an ACTIVE tenant gets what differs as an update (requestUpdate's rules), or nothing at all
 *   when the declaration already says this;
 * - a move to another region or cloud is a migration, which is not built.
 * Every problem with the request is reported at once, before any state is looked at.
 */
export async function requestProvision(db: Db, input: RequestProvisionInput): Promise<OperationRequest> {
  return transaction(db, async (trx) => {
    const { jobId, checked } = await requestOperation(
      trx,
      // A live tenant gets what differs as an update; one without infrastructure a provisioning.
      { tenantId: input.tenantId, kind: (tenant) => provisionRequestKind(tenant.status as TenantStatus), verb: 'provision', actor: input.actor, trigger: TRIGGER, maxRetries: input.maxRetries },
      {
        async check() {
          const current = await requireDesired(trx, input.tenantId);
          return { target: validate(input, current), declared: { desired: current, changed: false } };
        },
        async prepare(tenant, { target, declared }) {
          if (tenant.status === TenantStatus.ACTIVE) {
            requireSamePlace(tenant, target, 'its infrastructure lives there now');
            return prepareUpdate(trx, tenant, target, input.actor, declared);
          }
          if (tenant.status === TenantStatus.FAILED) {
            // A failed provisioning may have left parts behind (rollback off, or an undo that failed):
            // they are where the tenant was placed, so it is provisioned there or deprovisioned first.
            requireSamePlace(tenant, target, 'a failed provisioning may have left resources there; deprovision it first (DELETE)');
            requireSameDeployment(tenant.tier as Tier, target.tier);
          }
          return prepareProvisionAgain(trx, tenant, target, input.actor, declared);
        },
        async started(tenant, id, { target, declared }) {
          if (tenant.status === TenantStatus.ACTIVE) return;
          await moveInfrastructure(trx, {
            tenantId: tenant.id,
            to: InfrastructureStatus.REQUESTED,
            trigger: 'provision.requested',
            jobId: id,
            details: { kind: JobKind.PROVISION, tier: target.tier, generation: declared.desired.generation, fromStatus: tenant.status },
          });
        },
      },
    );
    return { jobId, ...checked.declared };
  });
}

interface ProvisionTarget {
  tier: Tier;
  region: string;
  cloudProvider: CloudProvider;
  configuration: InfrastructureConfiguration;
}

function validate(input: RequestProvisionInput, current: DesiredInfrastructure): ProvisionTarget {
  const problems: FieldError[] = [];
  const tier = parseTier(input.tier);
  if (!tier) problems.push({ field: 'tier', message: `must be one of ${TIERS.map((t) => t.toLowerCase()).join(', ')} (any case)` });
  const provider = parseCloudProvider(input.cloudProvider);
  const region = input.region.trim();
  if (!provider) {
    problems.push({ field: 'cloudProvider', message: `must be one of ${CLOUD_PROVIDERS.join(', ')}` });
  } else if (!input.enabledCloudProviders.includes(provider)) {
    problems.push({ field: 'cloudProvider', message: `${provider} is not enabled here; enabled: ${input.enabledCloudProviders.join(', ') || 'none'}` });
  } else if (!isRegionOf(provider, region)) {
    problems.push({ field: 'region', message: `"${region}" is not a region of ${provider}` });
  }
  // Without a valid tier the configuration is checked against the current one, so its own
  // problems are still reported in the same answer.
  const checkedTier = tier ?? current.tier;
  const base = checkedTier === current.tier ? current.configuration : clampForTier(current.configuration, checkedTier);
  const merged = mergeConfiguration(base, input.configuration, checkedTier);
  problems.push(...merged.problems);
  const dedicated = tier && provider ? dedicatedCloudProblem(tier, provider, input.dedicatedCloudProviders) : undefined;
  if (dedicated) problems.push(dedicated);
  if (problems.length === 0 && tier) problems.push(...fitProblems(merged.configuration, tier, input.footprint));
  if (problems.length > 0 || !tier || !provider) throw new ValidationError(problems);
  return { tier, region, cloudProvider: provider, configuration: merged.configuration };
}

function requireSamePlace(tenant: TenantRow, target: ProvisionTarget, why: string): void {
  const moves: string[] = [];
  if (target.cloudProvider !== tenant.cloudProvider) moves.push(`cloud provider ${tenant.cloudProvider} to ${target.cloudProvider}`);
  if (target.region !== tenant.region) moves.push(`region ${tenant.region} to ${target.region}`);
  if (moves.length === 0) return;
  throw new ConflictError(moves.length > 1 || target.region === tenant.region ? 'cloudProvider' : 'region', ERROR_CODES.MIGRATION_UNSUPPORTED, moves, why);
}

/**
 * The tenant has no infrastructure (deprovisioned) or a failed attempt at it: declare what was
 * asked (not suspended: a new start), place the tenant, and say what the PROVISION job records.
 * The record goes back to REQUESTED once the job is queued; its plan starts after the
 * control-plane steps, as at creation.
 */
async function prepareProvisionAgain(trx: Transaction<Schema>, tenant: TenantRow, target: ProvisionTarget, actor: string, declared: Declared): Promise<PreparedOperation> {
  Object.assign(
    declared,
    await declareInfrastructure(
      trx,
      tenant.id,
      { tier: target.tier, region: target.region, cloudProvider: target.cloudProvider, configuration: target.configuration, suspended: false },
      actor,
    ),
  );
  if (target.tier !== tenant.tier) await changeTier(trx, tenant.id, target.tier);
  const dedicated = TIER_PROFILES[target.tier].deploymentType === DeploymentType.DEDICATED;
  await trx
    .updateTable('tenantInfrastructure')
    .set({ region: target.region, cloudProvider: target.cloudProvider, terraformStateKey: dedicated ? terraformStateKeyOf(tenant.id) : null, updatedAt: new Date() })
    .where('tenantId', '=', tenant.id)
    .execute();
  return {
    tier: target.tier,
    tenantChanges: {
      region: target.region,
      cloudProvider: target.cloudProvider,
      provisioningStartedAt: sql<Date>`now()`,
      provisioningCompletedAt: null,
      provisioningError: null,
    },
    details: { generation: declared.desired.generation, fromStatus: tenant.status, region: target.region, cloudProvider: target.cloudProvider },
  };
}
