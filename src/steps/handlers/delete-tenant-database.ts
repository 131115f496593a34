import { StepName } from '../../domain/plans.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { databaseSpec } from '../support/database-spec.js';
import { type ProvisioningHandlers, type TeardownOutputs, teardownStep } from '../support/teardown-step.js';

export type DeleteTenantDatabaseOutputs = TeardownOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DELETE_TENANT_DATABASE: DeleteTenantDatabaseOutputs;
  }
}

/**
 * spec/002 "Deletion" 4: the tenant's schemas (or database) and login role, and the credentials
 * Secret, by SETUP_DATABASE's rollback.
 */
export function deleteTenantDatabase(provisioning: ProvisioningHandlers, drivers: Pick<StepDrivers, 'tenantDatabase'>, options: StepOptions): StepHandler {
  return teardownStep(StepName.DELETE_TENANT_DATABASE, provisioning, {
    undo: [StepName.SETUP_DATABASE],
    observe: async (ctx) => {
      const spec = databaseSpec(ctx, options);
      const seen = await drivers.tenantDatabase.observe(spec);
      return [
        ...(seen.databasePresent && spec.database ? [`database ${spec.database}`] : []),
        ...seen.schemasPresent.map((schema) => `schema ${schema}`),
        ...(seen.rolePresent ? [`role ${spec.role}`] : []),
      ];
    },
  });
}
