import { StepName as S, type StepName } from '../domain/plans.js';
import { DriverError, type ObjectKind } from '../drivers/contract.js';
import { KIND } from './cluster-step.js';
import { listOwned } from './cluster-sync.js';
import { LABEL, tenantHost } from './manifests/index.js';
import { terraformStateKey } from './dedicated-infrastructure.js';
import { databaseSpec } from './setup-database.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from './step.js';

/**
 * spec/002 "Deletion" 3-6 (and spec/000 deprovision): each teardown step undoes a group of
 * provisioning steps with their own rollbacks, which know exactly what they made, in spec/002's
 * order. Each observes before and after, so its outputs are the deletion receipt: per resource,
 * what was removed. A teardown step is idempotent (rollbacks are); a resumed deletion redoes the
 * step it was in and finds less to remove. Teardown steps have nothing to roll back: a deletion
 * goes forward only.
 */
export function teardownSteps(provisioning: ReadonlyMap<StepName, StepHandler>, drivers: StepDrivers, options: StepOptions): StepHandler[] {
  const undo = async (ctx: StepContext, steps: readonly StepName[]) => {
    for (const name of steps) {
      ctx.signal.throwIfAborted();
      const handler = provisioning.get(name);
      if (!handler) throw new Error(`no handler for ${name} to undo`);
      await handler.rollback(ctx);
    }
  };
  const tenantObjects = (ctx: StepContext, kinds: readonly ObjectKind[]) =>
    listOwned(drivers.cluster, { owner: { [LABEL.tenantId]: ctx.tenant.id }, kinds, namespace: ctx.tenant.namespace }).then((refs) =>
      refs.map((r) => `${r.kind}/${r.name}`),
    );
  const allKinds = Object.values(KIND);

  return [
    teardownStep(S.DELETE_HELM_RELEASES, {
      // Reverse of deployment (spec/004: uninstall in reverse order).
      undo: (ctx) => undo(ctx, [S.DEPLOY_MONITORING, S.DEPLOY_INGRESS_CONTROLLER, S.DEPLOY_DATA_SERVICES, S.DEPLOY_CORE_SERVICES]),
      // All kinds, so that the receipt also names what went with the releases (monitoring's RBAC and rules).
      observe: (ctx) => tenantObjects(ctx, allKinds),
      leftover: (after) => after.filter((name) => name.startsWith(`${KIND.HelmRelease.kind}/`)),
    }),
    teardownStep(S.DELETE_TENANT_DATABASE, {
      undo: (ctx) => undo(ctx, [S.SETUP_DATABASE]),
      observe: async (ctx) => {
        const spec = databaseSpec(ctx, options);
        const seen = await drivers.tenantDatabase.observe(spec);
        return [
          ...(seen.databasePresent && spec.database ? [`database ${spec.database}`] : []),
          ...seen.schemasPresent.map((schema) => `schema ${schema}`),
          ...(seen.rolePresent ? [`role ${spec.role}`] : []),
        ];
      },
    }),
    teardownStep(S.DELETE_NAMESPACE, {
      // Everything else the tenant has in the cluster; CREATE_NAMESPACE's rollback deletes the namespace last.
      undo: (ctx) =>
        undo(ctx, [S.SETUP_OBSERVABILITY, S.CONFIGURE, S.CREATE_TENANT_INGRESS, S.CONFIGURE_NETWORKING, S.DEPLOY_SECRETS, S.APPLY_QUOTAS, S.CREATE_NAMESPACE]),
      observe: (ctx) => tenantObjects(ctx, allKinds),
    }),
    teardownStep(S.DELETE_DNS_ZONE, {
      undo: (ctx) => undo(ctx, [S.CREATE_DNS_ZONE]),
      observe: async (ctx) => {
        const zone = tenantHost(ctx.tenant, options.baseDomain);
        const [child, parent] = await Promise.all([drivers.dns.observeZone(zone), drivers.dns.observeZone(options.baseDomain)]);
        const delegation = parent.records.some((r) => r.name === ctx.tenant.slug && r.type === 'NS') ? [`NS ${ctx.tenant.slug}.${options.baseDomain}`] : [];
        return [...(child.exists ? [`zone ${zone}`, ...child.records.map((r) => `${r.type} ${r.name === '@' ? zone : `${r.name}.${zone}`}`)] : []), ...delegation];
      },
    }),
    teardownStep(S.DESTROY_INFRASTRUCTURE, {
      undo: (ctx) => undo(ctx, [S.PROVISION_INFRASTRUCTURE]),
      // Terraform's destroy is its own observation: it reports what it destroyed in its state.
      observe: async () => [],
      removedWhenDone: (ctx) => [`terraform state ${terraformStateKey(ctx.tenant.id)}`],
    }),
  ];
}

interface TeardownDefinition {
  undo(ctx: StepContext): Promise<void>;
  /** What of the tenant this step removes is there now. */
  observe(ctx: StepContext): Promise<string[]>;
  /** For steps that cannot observe: what a successful undo removed. */
  removedWhenDone?(ctx: StepContext): string[];
  /** Of what is still observed after the undo, what this step should have removed (default: all of it). */
  leftover?(after: string[]): string[];
}

function teardownStep(name: StepName, def: TeardownDefinition): StepHandler {
  return {
    name,
    async run(ctx) {
      const before = await def.observe(ctx);
      await def.undo(ctx);
      const after = await def.observe(ctx);
      // Verified, not assumed: anything still there fails the step (retryable) and is named.
      const left = def.leftover?.(after) ?? after;
      if (left.length > 0) throw new DriverError(`${name}: still present after teardown: ${left.join(', ')}`, true);
      const removed = def.removedWhenDone?.(ctx) ?? before.filter((item) => !after.includes(item));
      return { outputs: { removed } };
    },
    async rollback() {},
  };
}
