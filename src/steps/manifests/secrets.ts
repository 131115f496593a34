import type { ISecret } from 'kubernetes-models/v1/Secret';
import { StepName } from '../../domain/plans.js';
import type { KubeObject, TenantDatabaseConnection } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { GRAFANA_ADMIN_SECRET } from './grafana-values.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

export const GRAFANA_ADMIN_USER = 'admin';

/**
 * The credentials of spec/002 phase 3 that are not the database's. The caller generates or
 * fetches them (and keeps them sealed); the builders only encode, so a re-run applies the same
 * values instead of rotating every secret by accident.
 */
export interface TenantSecretValues {
  redisPassword: string;
  kafka: { username: string; password: string };
  jwtSigningKey: string;
  llmApiKey: string;
  /** The tenant Grafana's admin password (its user is always `admin`). */
  grafanaAdminPassword: string;
}

export const DATABASE_SECRET = 'tenant-database-credentials';

/**
 * Keys are environment variable names, as spec/004's database secret has them, so a chart can
 * load a secret whole with `envFrom`; no two secrets share a key except the two database ones,
 * which hold the same login.
 */
function opaque(tenant: TenantFacts, step: StepName, name: string, plain: Record<string, string>): KubeObject {
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: tenantMeta(tenant, step, name),
    type: 'Opaque',
    // `data`, never `stringData`: the API server turns stringData into data, so a declaration with
    // stringData would never equal what it reads back and would look drifted on every observe.
    data: Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
  return toKubeObject(secret);
}

/** A libpq URI; user, password and database are percent-encoded, an IPv6 host is bracketed. */
export function databaseUrl(c: TenantDatabaseConnection): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const enc = encodeURIComponent;
  return `postgresql://${enc(c.user)}:${enc(c.password)}@${host}:${c.port}/${enc(c.database)}`;
}

/**
 * spec/004 phase 2. Owned by SETUP_DATABASE, not DEPLOY_SECRETS: spec/004 makes the database
 * phase create it and delete it on rollback, and the step that sets the role's password is the
 * one that must write it down, or a rollback would leave a secret for a dropped login.
 */
export function databaseSecretManifest(tenant: TenantFacts, c: TenantDatabaseConnection): KubeObject {
  return opaque(tenant, StepName.SETUP_DATABASE, DATABASE_SECRET, {
    POSTGRES_HOST: c.host,
    POSTGRES_PORT: String(c.port),
    POSTGRES_DB: c.database,
    POSTGRES_USER: c.user,
    POSTGRES_PASSWORD: c.password,
    DATABASE_URL: databaseUrl(c),
  });
}

/**
 * spec/002 phase 3's five secrets, and the Grafana admin login DEPLOY_MONITORING needs. `tenant-db-credentials` ("PostgreSQL username, password")
 * is the same login as spec/004's database secret, taken from the same connection rather than
 * a second input, so the two can never disagree.
 */
export function tenantSecretManifests(tenant: TenantFacts, values: TenantSecretValues, db: TenantDatabaseConnection): KubeObject[] {
  const step = StepName.DEPLOY_SECRETS;
  return [
    opaque(tenant, step, 'tenant-db-credentials', { POSTGRES_USER: db.user, POSTGRES_PASSWORD: db.password }),
    opaque(tenant, step, 'tenant-redis-credentials', { REDIS_PASSWORD: values.redisPassword }),
    opaque(tenant, step, 'tenant-kafka-credentials', {
      KAFKA_SASL_USERNAME: values.kafka.username,
      KAFKA_SASL_PASSWORD: values.kafka.password,
    }),
    opaque(tenant, step, 'tenant-jwt-secret', { JWT_SIGNING_KEY: values.jwtSigningKey }),
    opaque(tenant, step, 'tenant-llm-api-key', { LLM_API_KEY: values.llmApiKey }),
    // For DEPLOY_MONITORING's Grafana, which reads it by these chart-default keys (grafana-values.ts).
    opaque(tenant, step, GRAFANA_ADMIN_SECRET.name, {
      [GRAFANA_ADMIN_SECRET.userKey]: GRAFANA_ADMIN_USER,
      [GRAFANA_ADMIN_SECRET.passwordKey]: values.grafanaAdminPassword,
    }),
  ];
}
