import type { StepName } from '../../domain/plans.js';
import { type ClusterDriver, DriverError, type ObjectKind } from '../../drivers/contract.js';
import { LABEL } from '../manifests/index.js';
import type { StepContext, StepHandler } from '../step.js';
import { KIND } from './cluster-step.js';
import { listOwned } from './cluster-sync.js';

/** The provisioning steps' handlers, whose rollbacks the teardown steps run. */
export type ProvisioningHandlers = ReadonlyMap<StepName, StepHandler>;

/** What every teardown step records: the receipt of what it removed. */
export interface TeardownOutputs {
  /** What was there before the step and is gone after it ("Kind/name", "schema x", "zone y", ...). */
  removed: string[];
}

export interface TeardownDefinition {
  /** The provisioning steps whose rollbacks remove what this step removes, in the order they run. */
  undo: readonly StepName[];
  /** What of the tenant this step removes is there now. */
  observe(ctx: StepContext): Promise<string[]>;
  /** For steps that cannot observe: what a successful undo removed. */
  removedWhenDone?(ctx: StepContext): string[];
  /** Of what is still observed after the undo, what this step should have removed (default: all of it). */
  leftover?(after: string[]): string[];
}

/**
 * spec/002 "Deletion" 3-6 (and spec/000 deprovision): each teardown step undoes a group of
 * provisioning steps with their own rollbacks, which know exactly what they made, in spec/002's
 * order. Each observes before and after, so its outputs are the deletion receipt: per resource,
 * what was removed. A teardown step is idempotent (rollbacks are); a resumed deletion redoes the
 * step it was in and finds less to remove. Teardown steps have nothing to roll back: a deletion
 * goes forward only.
 */
export function teardownStep(name: StepName, provisioning: ProvisioningHandlers, def: TeardownDefinition): StepHandler {
  const undo = async (ctx: StepContext) => {
    for (const step of def.undo) {
      ctx.signal.throwIfAborted();
      const handler = provisioning.get(step);
      if (!handler) throw new Error(`no handler for ${step} to undo`);
      await handler.rollback(ctx);
    }
  };
  return {
    name,
    async run(ctx) {
      const before = await def.observe(ctx);
      await undo(ctx);
      const after = await def.observe(ctx);
      // Verified, not assumed: anything still there fails the step (retryable) and is named.
      const left = def.leftover?.(after) ?? after;
      if (left.length > 0) throw new DriverError(`${name}: still present after teardown: ${left.join(', ')}`, true);
      const removed = def.removedWhenDone?.(ctx) ?? before.filter((item) => !after.includes(item));
      return { outputs: { removed } satisfies TeardownOutputs };
    },
    async rollback() {},
  };
}

/** Every kind a step may create: what the tenant has in the cluster, whichever step made it. */
export const ALL_KINDS: readonly ObjectKind[] = Object.values(KIND);

/** The tenant's objects of `kinds` ("Kind/name"), whichever step made them. */
export async function tenantObjects(cluster: ClusterDriver, ctx: StepContext, kinds: readonly ObjectKind[]): Promise<string[]> {
  const refs = await listOwned(cluster, { owner: { [LABEL.tenantId]: ctx.tenant.id }, kinds, namespace: ctx.tenant.namespace });
  return refs.map((r) => `${r.kind}/${r.name}`);
}
