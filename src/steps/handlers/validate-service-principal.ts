import { StepName } from '../../domain/plans.js';
import { DriverError } from '../../drivers/contract.js';
import type { StepHandler } from '../step.js';
import type { EnterpriseStepDeps } from '../support/enterprise-step-deps.js';

export interface ValidateServicePrincipalOutputs {
  /** Always true: an invalid principal fails the step. */
  validated: true;
  /** The Azure subscription the principal works in, when the validator says. */
  subscriptionId?: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    VALIDATE_SERVICE_PRINCIPAL: ValidateServicePrincipalOutputs;
  }
}

/** spec/003: the Azure credentials the dedicated infrastructure is built with must work before anything is built. */
export function validateServicePrincipal(deps: Pick<EnterpriseStepDeps, 'servicePrincipals'>): StepHandler {
  return {
    name: StepName.VALIDATE_SERVICE_PRINCIPAL,
    async run(ctx) {
      const result = await deps.servicePrincipals.validate({ tenantId: ctx.tenant.id, cloudProvider: ctx.tenant.cloudProvider, signal: ctx.signal });
      // Credentials that are wrong stay wrong until someone fixes them: no retry can help.
      if (!result.valid) throw new DriverError(`service principal invalid: ${result.reason ?? 'rejected'}`, false);
      return { outputs: { validated: true, ...(result.subscriptionId ? { subscriptionId: result.subscriptionId } : {}) } satisfies ValidateServicePrincipalOutputs };
    },
    // Checking changes nothing.
    async rollback() {},
  };
}
