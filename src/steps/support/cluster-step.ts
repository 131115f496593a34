import type { StepName } from '../../domain/plans.js';
import type { KubeObject, ObjectKind } from '../../drivers/contract.js';
import { LABEL } from '../manifests/index.js';
import type { Difference } from '../../domain/drift.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, StepResult, TenantObservation } from '../step.js';
import { observeHeld, syncObjects, teardownOwned, type SyncResult } from './cluster-sync.js';
import { observeObjects } from './observe-objects.js';

/** What every cluster step records: the objects it holds ("Kind/name") and which ones this run changed. */
export interface ClusterStepOutputs {
  objects: string[];
  applied: string[];
  pruned: string[];
}

/** What a step built on clusterStep records beyond its objects (its `result`, or a wrapper's). */
export type ExtraOutputs<O extends ClusterStepOutputs> = Omit<O, keyof ClusterStepOutputs>;

export interface ClusterStepDefinition {
  name: StepName;
  /** Every kind the step may create: rollback and pruning select these by the step's labels. */
  kinds: readonly ObjectKind[];
  /**
   * The objects the step declares; may read earlier outputs, or what the step holds now (`held`:
   * its objects of its kinds, by its owner labels), such as secret values to keep.
   */
  declare(ctx: StepContext, held: readonly KubeObject[]): Promise<KubeObject[]> | KubeObject[];
  /**
   * The declared objects again, for teardown in reverse order, when building them needs no
   * secrets (services, policies). Without it rollback deletes what the label selection finds.
   */
  teardownOrder?(ctx: StepContext): KubeObject[];
  /** Outputs and placement beyond the objects the step synced. */
  result?(ctx: StepContext, sync: SyncResult): Omit<StepResult, 'outputs'> & { outputs?: Record<string, unknown> };
  /** Drift beyond the objects (a certificate due for renewal), from what the step recorded. */
  observe?(observed: TenantObservation): Difference[];
}

/** The labels that select what one step of one tenant owns. */
export function stepOwner(ctx: StepContext, step: StepName): Record<string, string> {
  return { [LABEL.tenantId]: ctx.tenant.id, [LABEL.step]: step };
}

/**
 * A step whose work is Kubernetes objects: sync (observe, apply the difference, prune, wait until
 * ready) on run; delete everything it owns, newest first, on rollback. Outputs name every object
 * the step holds and which ones this run applied, so the history says what changed, and so a
 * sweep can observe them without building a manifest (or reading a secret).
 */
export function clusterStep(def: ClusterStepDefinition, drivers: StepDrivers, options: StepOptions): StepHandler {
  return {
    name: def.name,
    async run(ctx) {
      const scope = { owner: stepOwner(ctx, def.name), kinds: def.kinds, namespace: ctx.tenant.namespace };
      // Listed once, before declaring: the declaration may keep what is held, and the sync compares with it.
      const held = await observeHeld(drivers.cluster, scope);
      const declared = await def.declare(ctx, held.objects);
      const sync = await syncObjects(drivers.cluster, declared, { ...scope, signal: ctx.signal, readyTimeoutMs: options.readyTimeoutMs, held });
      const extra = def.result?.(ctx, sync) ?? {};
      const recorded: ClusterStepOutputs = { objects: sync.objects, applied: sync.applied, pruned: sync.pruned };
      return { ...extra, outputs: { ...recorded, ...extra.outputs } };
    },
    async observe(observed) {
      return [...(await observeObjects(def.name, observed)), ...(def.observe?.(observed) ?? [])];
    },
    async rollback(ctx) {
      await teardownOwned(drivers.cluster, def.teardownOrder?.(ctx) ?? [], {
        owner: stepOwner(ctx, def.name),
        kinds: def.kinds,
        namespace: ctx.tenant.namespace,
        signal: ctx.signal,
      });
    },
  };
}

export const KIND = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace' },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount' },
  Secret: { apiVersion: 'v1', kind: 'Secret' },
  ResourceQuota: { apiVersion: 'v1', kind: 'ResourceQuota' },
  LimitRange: { apiVersion: 'v1', kind: 'LimitRange' },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  HelmRelease: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap' },
  Ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  Certificate: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
  PrometheusRule: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' },
  AlertmanagerConfig: { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig' },
} as const satisfies Record<string, ObjectKind>;
