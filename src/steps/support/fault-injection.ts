import type { StepName } from '../../domain/plans.js';
import { DriverError } from '../../drivers/contract.js';
import type { StepHandler } from '../step.js';

export interface InjectedFault {
  step: string;
  kind: 'retryable' | 'permanent';
  /** Retryable: fail this many times per tenant, then succeed. */
  times: number;
}

/**
 * MATIH_SIM_FAULTS (DESIGN.md section 7): makes named steps fail after doing their work, as a
 * cloud that times out or refuses would, so retries, backoff and rollback can be exercised on
 * demand. It wraps the steps rather than living in one driver because a step may talk to several
 * systems (SETUP_DATABASE: the database and the cluster) or none that is simulated. With no
 * faults configured it changes nothing. It also counts two steps of one tenant running at once,
 * which the engine promises never happens (tests read `concurrentStepViolations`).
 */
export class FaultInjector {
  private faults: readonly InjectedFault[];
  private readonly failures = new Map<string, number>();
  /** Steps running now, per tenant: more than one is a violation of the engine's promise. */
  private readonly running = new Map<string, number>();
  concurrentStepViolations = 0;

  constructor(faults: readonly InjectedFault[] = []) {
    this.faults = faults;
  }

  /** Tests change faults while the service runs (for example, remove one and retry). */
  configure(options: { faults: readonly InjectedFault[] }): void {
    this.faults = options.faults;
    this.failures.clear();
  }

  wrap(handler: StepHandler): StepHandler {
    return {
      ...handler,
      run: async (ctx) => {
        const tenant = ctx.tenant.id;
        const before = this.running.get(tenant) ?? 0;
        if (before > 0) this.concurrentStepViolations++;
        this.running.set(tenant, before + 1);
        try {
          const result = await handler.run(ctx);
          this.inject(tenant, handler.name);
          return result;
        } finally {
          const left = (this.running.get(tenant) ?? 1) - 1;
          if (left > 0) this.running.set(tenant, left);
          else this.running.delete(tenant);
        }
      },
      rollback: (ctx) => handler.rollback(ctx),
    };
  }

  wrapAll(registry: ReadonlyMap<StepName, StepHandler>): ReadonlyMap<StepName, StepHandler> {
    return new Map([...registry].map(([name, handler]) => [name, this.wrap(handler)] as const));
  }

  private inject(tenantId: string, step: string): void {
    const fault = this.faults.find((f) => f.step === step);
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
