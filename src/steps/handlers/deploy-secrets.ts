import { randomBytes } from 'node:crypto';
import { StepName } from '../../domain/plans.js';
import { DriverError, type KubeObject, type SecretBox, type TenantDatabaseConnection } from '../../drivers/contract.js';
import { GRAFANA_ADMIN_SECRET, type TenantSecretValues, deploySecretsManifests } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TenantFacts } from '../step.js';
import { type ClusterStepOutputs, KIND, clusterStep } from '../support/cluster-step.js';
import { heldTenantSecret } from '../support/secret-data.js';
import { outputOf } from '../support/step-outputs.js';

/** The Secrets by name, never their values. */
export type DeploySecretsOutputs = ClusterStepOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_SECRETS: DeploySecretsOutputs;
  }
}

/**
 * spec/002 phase 3: the five tenant secrets, and Grafana's admin login. The database login comes sealed from SETUP_DATABASE;
 * the others are generated once and read back from the cluster on every later run, so a re-run
 * (after a crash, or a repair) rotates nothing. Values never reach outputs, logs or events.
 */
export function deploySecrets(drivers: StepDrivers, options: StepOptions): StepHandler {
  return clusterStep(
    {
      name: StepName.DEPLOY_SECRETS,
      kinds: [KIND.Secret],
      declare(ctx, held) {
        const db = openDatabaseCredentials(ctx, drivers.secretBox);
        return deploySecretsManifests(ctx.tenant, heldOrGeneratedValues(held, ctx.tenant), db);
      },
    },
    drivers,
    options,
  );
}

/** The tenant database login SETUP_DATABASE sealed into its outputs. */
export function openDatabaseCredentials(ctx: StepContext, box: SecretBox): TenantDatabaseConnection {
  const sealed = outputOf(ctx, StepName.SETUP_DATABASE)?.credentials;
  if (typeof sealed !== 'string') {
    throw new DriverError(`${StepName.SETUP_DATABASE} recorded no database credentials; run it again`, false);
  }
  return JSON.parse(box.open(sealed)) as TenantDatabaseConnection;
}

function generated(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

function heldOrGeneratedValues(held: readonly KubeObject[], tenant: TenantFacts): TenantSecretValues {
  const [redis, kafka, jwt, llm, grafana] = ['tenant-redis-credentials', 'tenant-kafka-credentials', 'tenant-jwt-secret', 'tenant-llm-api-key', GRAFANA_ADMIN_SECRET.name].map(
    (name) => heldTenantSecret(held, tenant, name),
  );
  return {
    redisPassword: redis?.REDIS_PASSWORD ?? generated(),
    kafka: {
      username: kafka?.KAFKA_SASL_USERNAME ?? `tenant-${tenant.slug}`,
      password: kafka?.KAFKA_SASL_PASSWORD ?? generated(),
    },
    jwtSigningKey: jwt?.JWT_SIGNING_KEY ?? generated(64),
    // A per-tenant key for the platform's LLM gateway, which attributes usage by it; the
    // provider's own key stays with the gateway.
    llmApiKey: llm?.LLM_API_KEY ?? `mlk_${generated()}`,
    grafanaAdminPassword: grafana?.[GRAFANA_ADMIN_SECRET.passwordKey] ?? generated(),
  };
}
