import { StepName } from '../../src/domain/plans.js';
import type { KubeObject, TenantDatabaseConnection } from '../../src/drivers/contract.js';
import {
  type Provenance,
  type TenantSecretValues,
  applyQuotasManifests,
  configureNetworkingManifests,
  createNamespaceManifests,
  deployCoreServicesManifests,
  deployDataServicesManifests,
  deploySecretsManifests,
  setupDatabaseManifests,
} from '../../src/steps/manifests/index.js';
import type { DeployEnvironment, TenantFacts } from '../../src/steps/step.js';
import { DEFAULT_NETWORK_ISOLATION } from './network-isolation.js';

/** The steps whose objects the manifest tests build in one go. */
export const MANIFEST_STEPS = [
  StepName.CREATE_NAMESPACE,
  StepName.APPLY_QUOTAS,
  StepName.SETUP_DATABASE,
  StepName.DEPLOY_SECRETS,
  StepName.DEPLOY_CORE_SERVICES,
  StepName.CONFIGURE_NETWORKING,
  StepName.DEPLOY_DATA_SERVICES,
] as const;
export type ManifestStep = (typeof MANIFEST_STEPS)[number];

export interface TenantManifestOptions extends Provenance {
  secrets: TenantSecretValues;
  databaseCredentials: TenantDatabaseConnection;
  /** MATIH_ENVIRONMENT and its values file, which the service releases read. */
  environment: DeployEnvironment;
}

/** A tenant's objects of those steps at once, in plan order, as each step's manifests declare them. */
export function tenantManifests(tenant: TenantFacts, options: TenantManifestOptions): Record<ManifestStep, KubeObject[]> {
  const db = options.databaseCredentials;
  return {
    CREATE_NAMESPACE: createNamespaceManifests(tenant, options),
    APPLY_QUOTAS: applyQuotasManifests(tenant),
    SETUP_DATABASE: setupDatabaseManifests(tenant, db),
    DEPLOY_SECRETS: deploySecretsManifests(tenant, options.secrets, db),
    DEPLOY_CORE_SERVICES: deployCoreServicesManifests(tenant, options.environment),
    CONFIGURE_NETWORKING: configureNetworkingManifests(tenant, DEFAULT_NETWORK_ISOLATION),
    DEPLOY_DATA_SERVICES: deployDataServicesManifests(tenant, options.environment),
  };
}
