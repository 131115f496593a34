import { StepName } from '../domain/plans.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

/** spec/002 phase 3 and spec/004's database credentials secret. Values never leave the driver. */
export const TENANT_SECRETS = [
  'tenant-db-credentials', 'tenant-redis-credentials', 'tenant-kafka-credentials', 'tenant-jwt-secret', 'tenant-llm-api-key',
  'tenant-database-credentials',
] as const;

export function deploySecrets(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.DEPLOY_SECRETS, drivers, (ctx) =>
    TENANT_SECRETS.map((name) => resource('Secret', `${ctx.tenant.namespace}/${name}`, { type: 'Opaque' })),
  );
}
