import { DEFAULT_BILLING_PLANS, initialSubscriptionStatus } from '../../domain/billing.js';
import { EventType } from '../../domain/events.js';
import { newId } from '../../domain/ids.js';
import { DEFAULT_MAX_RETRIES, JobKind, JobStatus, ProvisioningState } from '../../domain/provisioning.js';
import { DEFAULT_ROLES, TenantRole } from '../../domain/roles.js';
import { defaultSettings } from '../../domain/settings.js';
import type { NewTenant, Tenant } from '../../domain/tenant.js';
import { TenantStatus } from '../../domain/tenant-status.js';
import type { Db } from '../open-database.js';
import { asConflict } from '../unique-violation.js';
import { toTenant } from './tenant-row.js';

/** The writes of the control-plane tier, in the order they happen inside the one transaction. */
export const CREATE_TENANT_WRITES = [
  'tenant', 'adminUser', 'billingSubscription', 'roles', 'settings', 'apiKey', 'provisioningJob', 'outboxEvent',
] as const;
export type CreateTenantWrite = (typeof CREATE_TENANT_WRITES)[number];

export interface CreateTenantInput {
  tenant: NewTenant;
  /** Who asked: recorded on the job, the settings and the key. */
  actor: string;
  /** The initial admin API key: only its hash is stored. */
  apiKey: { id: string; secretHash: string };
  /** Tests inject failures after a write to prove the transaction leaves nothing behind. */
  afterWrite?: (write: CreateTenantWrite) => void | Promise<void>;
}

export interface CreatedTenant {
  tenant: Tenant;
  adminUserId: string;
  jobId: string;
}

const TENANT_UNIQUE_FIELDS = {
  tenants_slug_key: 'slug',
  tenants_name_key: 'name',
  tenants_admin_email_key: 'adminEmail',
};

/**
 * spec/003 "Control Plane Tier": tenant record, admin user, billing subscription, default roles,
 * default settings, initial API key, the pending data-plane job and the tenant.created event,
 * all in one transaction: it all exists, or none of it does.
 */
export async function createTenant(db: Db, input: CreateTenantInput): Promise<CreatedTenant> {
  const { tenant: t, actor, apiKey } = input;
  const after = input.afterWrite ?? (() => undefined);
  const tenantId = newId();
  const adminUserId = newId();
  const jobId = newId();
  const now = new Date();
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('tenants')
        .values({
          id: tenantId,
          name: t.name,
          slug: t.slug,
          tier: t.tier,
          status: TenantStatus.PROVISIONING,
          region: t.region,
          cloudProvider: t.cloudProvider,
          adminEmail: t.adminEmail,
          // spec/003: these are set by the data-plane tier once a cluster is chosen.
          deploymentType: null,
          kubernetesNamespace: null,
          azureAksClusterName: null,
          provisioningStartedAt: now,
          provisioningCompletedAt: null,
          provisioningError: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await after('tenant');

      // The admin becomes ACTIVE in IAM at the ACTIVATE step (spec/002 phase 8).
      await trx
        .insertInto('users')
        .values({ id: adminUserId, tenantId, email: t.adminEmail, displayName: null, status: 'PENDING_ACTIVATION', isTenantAdmin: true })
        .execute();
      await after('adminUser');

      const plan = DEFAULT_BILLING_PLANS[t.tier];
      const trialEndsAt = plan.trialDays > 0 ? new Date(now.getTime() + plan.trialDays * 86_400_000) : null;
      await trx
        .insertInto('billingSubscriptions')
        .values({
          id: newId(),
          tenantId,
          planId: plan.id,
          status: initialSubscriptionStatus(plan),
          startedAt: now,
          trialEndsAt,
          currentPeriodEnd: trialEndsAt ?? addMonths(now, 1),
        })
        .execute();
      await after('billingSubscription');

      const roles = DEFAULT_ROLES.map((r) => ({
        id: newId(),
        tenantId,
        name: r.name,
        description: r.description,
        permissions: JSON.stringify(r.permissions),
        isSystem: true,
      }));
      await trx.insertInto('roles').values(roles).execute();
      const adminRole = roles.find((r) => r.name === TenantRole.ADMIN);
      if (adminRole) await trx.insertInto('userRoles').values({ userId: adminUserId, roleId: adminRole.id }).execute();
      await after('roles');

      await trx
        .insertInto('tenantSettings')
        .values({ tenantId, settings: JSON.stringify(defaultSettings(t.tier)), version: 1, updatedBy: actor })
        .execute();
      await after('settings');

      await trx
        .insertInto('apiKeys')
        .values({
          id: apiKey.id,
          tenantId,
          userId: adminUserId,
          name: 'initial admin key',
          role: TenantRole.ADMIN,
          secretHash: apiKey.secretHash,
          createdBy: actor,
          expiresAt: null,
          lastUsedAt: null,
          revokedAt: null,
        })
        .execute();
      await after('apiKey');

      await trx
        .insertInto('tenantProvisioningJobs')
        .values({
          id: jobId,
          tenantId,
          kind: JobKind.PROVISION,
          tier: t.tier,
          // VALIDATING_INPUT and CREATING_TENANT_RECORD are done by now, synchronously.
          currentState: ProvisioningState.CREATING_TENANT_RECORD,
          status: JobStatus.PENDING,
          initiatedBy: actor,
          startedAt: null,
          completedAt: null,
          errorMessage: null,
          maxRetries: DEFAULT_MAX_RETRIES,
          nextRetryAt: null,
          context: JSON.stringify({
            slug: t.slug,
            region: t.region,
            cloudProvider: t.cloudProvider,
            completedStates: [ProvisioningState.VALIDATING_INPUT, ProvisioningState.CREATING_TENANT_RECORD],
          }),
        })
        .execute();
      await after('provisioningJob');

      const tenant = toTenant(row);
      await trx
        .insertInto('outbox')
        .values({
          eventId: newId(),
          aggregateType: 'tenant',
          aggregateId: tenantId,
          type: EventType.TENANT_CREATED,
          payload: JSON.stringify({ tenant, jobId, initiatedBy: actor }),
        })
        .execute();
      await after('outboxEvent');

      return { tenant, adminUserId, jobId };
    });
  } catch (error) {
    throw asConflict(error, TENANT_UNIQUE_FIELDS, 'tenant');
  }
}

function addMonths(date: Date, months: number): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}
