import { isDeepStrictEqual } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { type DesiredResource, type Observation, type ResourceDriver, type ResourceRef } from '../contract.js';

/**
 * The simulated cloud: a TEST DOUBLE of Kubernetes, Helm, DNS and Terraform in the manner of
 * kwok or LocalStack (DESIGN.md section 5). It stores what steps apply (persisted, so it
 * survives restarts) and makes a step's resources "ready" after a configurable delay. It stands
 * in for the systems whose drivers come with issue 5 (ingress, DNS, TLS, monitoring, Terraform);
 * Kubernetes objects go to the ClusterDriver. Faults are injected around steps
 * (steps/fault-injection.ts), whatever drivers they use.
 */
export interface SimResourceStore {
  get(tenantId: string, kind: string, name: string): Promise<{ spec: Record<string, unknown> } | undefined>;
  upsert(resource: DesiredResource): Promise<void>;
  remove(tenantId: string, kind: string, name: string): Promise<void>;
  list(tenantId: string, step?: string): Promise<DesiredResource[]>;
}

export interface SimulatedCloudOptions {
  delayMs: number;
}

export class SimulatedCloud implements ResourceDriver {
  constructor(
    private readonly store: SimResourceStore,
    private options: SimulatedCloudOptions,
  ) {}

  /** Tests change the delay while the service runs. */
  configure(options: Partial<SimulatedCloudOptions>): void {
    this.options = { ...this.options, ...options };
  }

  async observe(desired: DesiredResource): Promise<Observation> {
    const actual = await this.store.get(desired.tenantId, desired.kind, desired.name);
    return { exists: actual !== undefined, upToDate: actual !== undefined && isDeepStrictEqual(actual.spec, desired.spec) };
  }

  async apply(desired: DesiredResource): Promise<void> {
    await this.store.upsert(desired);
  }

  async delete(ref: ResourceRef): Promise<void> {
    await this.store.remove(ref.tenantId, ref.kind, ref.name);
  }

  async list(tenantId: string, step?: string): Promise<DesiredResource[]> {
    return this.store.list(tenantId, step);
  }

  async awaitReady(_tenantId: string, _step: string, signal: AbortSignal): Promise<void> {
    if (this.options.delayMs > 0) await delay(this.options.delayMs, undefined, { signal });
  }
}
