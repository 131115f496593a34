import { StepName } from '../domain/plans.js';
import { deployedServicesFor } from './services.js';
import { type StepDrivers, type StepHandler, declarativeStep } from './step.js';

/** spec/002 phase 7: every deployed service healthy (the driver's readiness wait says so). */
export function verify(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.VERIFY, drivers, () => [], (ctx) => ({
    outputs: { healthy: [...deployedServicesFor(ctx.tenant.tier)] },
  }));
}
