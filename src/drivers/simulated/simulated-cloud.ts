import { isDeepStrictEqual } from 'node:util';
import { type DesiredResource, DriverError, type Observation, type ResourceDriver, type ResourceRef } from '../contract.js';

/**
 * The simulated cloud: a TEST DOUBLE of Kubernetes, Helm, DNS and Terraform in the manner of
 * kwok or LocalStack (DESIGN.md section 5). It stores what steps apply (persisted, so it
 * survives restarts), makes a step's resources "ready" after a configurable delay, and fails
 * named steps on demand. It is the default so that a laptop runs everything; it is never the
 * only implementation of a system.
 */
export interface SimResourceStore {
  get(tenantId: string, kind: string, name: string): Promise<{ spec: Record<string, unknown> } | undefined>;
  upsert(resource: DesiredResource): Promise<void>;
  remove(tenantId: string, kind: string, name: string): Promise<void>;
  list(tenantId: string, step?: string): Promise<DesiredResource[]>;
}

export interface SimFaultSpec {
  step: string;
  kind: 'retryable' | 'permanent';
  /** Retryable: fail this many times per tenant, then succeed. */
  times: number;
}

export interface SimulatedCloudOptions {
  delayMs: number;
  faults: readonly SimFaultSpec[];
}

export class SimulatedCloud implements ResourceDriver {
  private readonly failures = new Map<string, number>();
  private readonly busyTenants = new Map<string, string>();
  /** Times two steps of one tenant were waited on at once: the engine promises this stays 0. */
  concurrentStepViolations = 0;

  constructor(
    private readonly store: SimResourceStore,
    private options: SimulatedCloudOptions,
  ) {}

  /** Tests change faults and delay while the service runs (for example, remove a fault and retry). */
  configure(options: Partial<SimulatedCloudOptions>): void {
    this.options = { ...this.options, ...options };
    if (options.faults) this.failures.clear();
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

  async awaitReady(tenantId: string, step: string, signal: AbortSignal): Promise<void> {
    const other = this.busyTenants.get(tenantId);
    if (other !== undefined) this.concurrentStepViolations++;
    this.busyTenants.set(tenantId, step);
    try {
      if (this.options.delayMs > 0) await sleep(this.options.delayMs, signal);
      this.injectFault(tenantId, step);
    } finally {
      if (this.busyTenants.get(tenantId) === step) this.busyTenants.delete(tenantId);
    }
  }

  private injectFault(tenantId: string, step: string): void {
    const fault = this.options.faults.find((f) => f.step === step);
    if (!fault) return;
    if (fault.kind === 'permanent') throw new DriverError(`simulated permanent fault in ${step}`, false);
    const key = `${tenantId}:${step}`;
    const failed = this.failures.get(key) ?? 0;
    if (failed < fault.times) {
      this.failures.set(key, failed + 1);
      throw new DriverError(`simulated transient fault in ${step} (${failed + 1} of ${fault.times})`, true);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
