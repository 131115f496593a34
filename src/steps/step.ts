import type { CloudProvider } from '../domain/cloud.js';
import type { StepName } from '../domain/plans.js';
import type { DeploymentType, Tier } from '../domain/tiers.js';
import type { ClusterDriver, DesiredResource, ResourceDriver, SecretBox, TenantDatabaseDriver } from '../drivers/contract.js';

/** What a step knows of the tenant it works for. */
export interface TenantFacts {
  id: string;
  slug: string;
  tier: Tier;
  region: string;
  cloudProvider: CloudProvider;
  adminEmail: string;
  namespace: string;
}

export interface StepContext {
  tenant: TenantFacts;
  jobId: string;
  /** Outputs of the steps completed before this one, by step name. */
  outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Aborted when the job loses its lease or is cancelled: stop waiting, change nothing more. */
  signal: AbortSignal;
  /** Who asked for the tenant and when (spec/004's namespace annotations); stable across re-runs. */
  provenance: { provisionedAt: string; provisionedBy: string };
}

/** Tenant record fields the data-plane tier fills in (spec/003: null after the control-plane tier). */
export interface TenantPlacement {
  deploymentType?: DeploymentType;
  kubernetesNamespace?: string;
  azureAksClusterName?: string;
}

export interface StepResult {
  outputs: Record<string, unknown>;
  placement?: TenantPlacement;
}

/**
 * One step of a plan. `run` is idempotent: it observes, acts only on the difference, and may be
 * run again after a crash half-way through. `rollback` removes what `run` made, including what a
 * failed run made part-way, and is idempotent too.
 */
export interface StepHandler {
  readonly name: StepName;
  run(ctx: StepContext): Promise<StepResult>;
  rollback(ctx: StepContext): Promise<void>;
}

export interface StepDrivers {
  /** The simulated cloud: the systems whose real drivers come with issue 5 (ingress, DNS, TLS, monitoring, Terraform). */
  cloud: ResourceDriver;
  cluster: ClusterDriver;
  tenantDatabase: TenantDatabaseDriver;
  secretBox: SecretBox;
}

export interface StepOptions {
  /** Parent DNS zone of the tenant zones. */
  baseDomain: string;
  /** How long a step waits for its workloads to become ready. */
  readyTimeoutMs: number;
  /** How long VERIFY waits for each service to answer healthy. */
  verifyTimeoutMs: number;
  /** How often VERIFY asks an unhealthy service again. */
  verifyIntervalMs: number;
  /** Prefix of the server-wide tenant database names (roles, dedicated databases). */
  tenantDbPrefix: string;
}

export type Declared = Omit<DesiredResource, 'tenantId' | 'step'>;

/**
 * A step that declares resources: apply what differs, wait until ready, report what it made.
 * Rollback deletes whatever the driver holds for this step (declared or not), newest first.
 */
export function declarativeStep(
  name: StepName,
  drivers: StepDrivers,
  declare: (ctx: StepContext) => Declared[],
  result: (ctx: StepContext) => Omit<StepResult, 'outputs'> & { outputs?: Record<string, unknown> } = () => ({}),
): StepHandler {
  return {
    name,
    async run(ctx) {
      const desired = declare(ctx).map((d) => ({ ...d, tenantId: ctx.tenant.id, step: name }));
      let changed = 0;
      for (const resource of desired) {
        ctx.signal.throwIfAborted();
        const seen = await drivers.cloud.observe(resource);
        if (seen.upToDate) continue;
        await drivers.cloud.apply(resource);
        changed++;
      }
      await drivers.cloud.awaitReady(ctx.tenant.id, name, ctx.signal);
      const extra = result(ctx);
      return {
        ...extra,
        outputs: { resources: desired.map((d) => `${d.kind}/${d.name}`), changed, ...extra.outputs },
      };
    },
    async rollback(ctx) {
      const existing = await drivers.cloud.list(ctx.tenant.id, name);
      for (const resource of existing.reverse()) await drivers.cloud.delete(resource);
    },
  };
}

export function resource(kind: string, name: string, spec: Record<string, unknown> = {}): Declared {
  return { kind, name, spec };
}
