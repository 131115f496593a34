import { Type } from '@sinclair/typebox';
import { CLOUD_PROVIDERS } from '../../domain/cloud.js';
import { INFRASTRUCTURE_REPORTED_STATUSES, InfrastructureStatus } from '../../domain/infrastructure.js';
import { JOB_KINDS } from '../../domain/provisioning.js';
import { TIERS } from '../../domain/tiers.js';
import { DateTime, NullableDateTime } from './common.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const STATUSES = Object.values(InfrastructureStatus).join(', ');
const REPORTED_STATUSES = INFRASTRUCTURE_REPORTED_STATUSES.join(', ');

/** The largest cursor a JSON number carries exactly (the seq column is a bigint). */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export const InfraTenantParams = Type.Object({ tenantId: Type.String({ format: 'uuid', description: 'Tenant id' }) });

/**
 * The fields of spec/000's `configuration`. Their values are checked by the service against the
 * tier (domain/infrastructure-configuration.ts) rather than by the schema, so that one answer
 * names every problem, each with the tier's bound.
 */
const configurationFields = {
  databaseSize: Type.Optional(Type.Unknown({ description: 'string: the database SKU (Enterprise: the dedicated database), e.g. Standard_D2s_v3', examples: ['Standard_D2s_v3'] })),
  storageGb: Type.Optional(Type.Unknown({ description: "integer: the namespace's storage request quota in GB; Free up to 50, Professional 2048, Enterprise 65536", examples: [100] })),
  enableHa: Type.Optional(Type.Unknown({ description: 'boolean: two replicas of each core service (not on Free)', examples: [false] })),
  quota: Type.Optional(
    Type.Unknown({
      description:
        "ENTERPRISE only: the namespace's ResourceQuota (spec/002's custom quota), an object of cpuRequests, cpuLimits, memoryRequests, " +
        'memoryLimits (Kubernetes quantities, requests at most the limits), pods, services, persistentVolumeClaims (whole numbers); ' +
        "fields left out keep their declared value (all are required when none is declared); null removes the quota. It must hold the tenant's " +
        'own services, monitoring and ingress controller (and storageGb their volume claims). Free and Professional have their tier\'s quota',
      examples: [{ cpuRequests: '16', cpuLimits: '32', memoryRequests: '32Gi', memoryLimits: '64Gi', pods: 100, services: 50, persistentVolumeClaims: 20 }],
    }),
  ),
};

const ConfigurationPatch = Type.Object(configurationFields, {
  description: 'Any of databaseSize, storageGb, enableHa, quota; what is left out keeps its declared value',
});

export const ProvisionBody = Type.Object(
  {
    tier: Type.String({ description: `One of ${TIERS.map((t) => t.toLowerCase()).join(', ')}, any case`, examples: ['professional'] }),
    region: Type.String({ maxLength: 64, description: 'A region of the cloud provider', examples: ['eastus'] }),
    cloudProvider: Type.String({ description: `One of ${CLOUD_PROVIDERS.join(', ')}, enabled on this installation`, examples: ['AZURE'] }),
    configuration: Type.Optional(ConfigurationPatch),
  },
  {
    additionalProperties: false,
    examples: [{ tier: 'professional', region: 'eastus', cloudProvider: 'AZURE', configuration: { databaseSize: 'Standard_D2s_v3', storageGb: 100, enableHa: false } }],
  },
);

export const UpdateBody = Type.Object(
  {
    tier: Type.Optional(Type.String({ description: `Another tier of the same cluster type (${TIERS.join(', ')}, any case); to or from ENTERPRISE is refused` })),
    configuration: Type.Optional(ConfigurationPatch),
  },
  {
    additionalProperties: false,
    examples: [
      { configuration: { storageGb: 200, enableHa: true } },
      { configuration: { quota: { cpuRequests: '16', cpuLimits: '32', memoryRequests: '32Gi', memoryLimits: '64Gi', pods: 100, services: 50, persistentVolumeClaims: 20 } } },
    ],
  },
);

/** spec/002's custom quota of an Enterprise tenant, as declared. */
const CustomQuotaSchema = Type.Object(
  {
    cpuRequests: Type.String({ description: 'Kubernetes quantity: requests.cpu' }),
    cpuLimits: Type.String({ description: 'Kubernetes quantity: limits.cpu' }),
    memoryRequests: Type.String({ description: 'Kubernetes quantity: requests.memory' }),
    memoryLimits: Type.String({ description: 'Kubernetes quantity: limits.memory' }),
    pods: Type.Integer(),
    services: Type.Integer(),
    persistentVolumeClaims: Type.Integer(),
  },
  { description: "The namespace's ResourceQuota (ENTERPRISE); storage is storageGb. Absent: no quota (Enterprise) or the tier's (Free, Professional)" },
);

const Configuration = Type.Object(
  {
    databaseSize: Type.Optional(Type.String()),
    storageGb: Type.Optional(Type.Integer()),
    enableHa: Type.Optional(Type.Boolean()),
    quota: Type.Optional(CustomQuotaSchema),
  },
  { description: 'databaseSize, storageGb, enableHa, and an Enterprise tenant\'s quota' },
);

export const DesiredStateSchema = Type.Object(
  {
    tier: Type.String(),
    region: Type.String(),
    cloudProvider: Type.String(),
    configuration: Configuration,
    suspended: Type.Boolean(),
    generation: Type.Integer({ description: 'Goes up with every change of the declaration' }),
    observedGeneration: Type.Integer({ description: 'The generation the last successful job reached; equal to generation when converged' }),
    lastReconciledAt: NullableDateTime,
    updatedBy: Type.String(),
    updatedAt: DateTime,
  },
  { description: 'DesiredInfrastructureState: what the infrastructure should be' },
);

export const InfrastructureSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Infrastructure record id' }),
    tenantId: Type.String({ format: 'uuid' }),
    status: Type.String({ description: `spec/000's status: ${REPORTED_STATUSES}; PROVISIONING covers the phases REQUESTED to VERIFYING` }),
    phase: Type.String({ description: `Where the record stands in detail: ${STATUSES}` }),
    cloudProvider: Type.String(),
    region: Type.String(),
    namespace: Type.String({ description: 'Kubernetes namespace, matih-{slug}' }),
    configuration: Type.Object(Configuration.properties, { description: 'The actual configuration: what the last successful job reached ({} before the first)' }),
    terraformStateKey: Type.Union([Type.String(), Type.Null()], { description: 'tenants/{tenantId}.tfstate for Enterprise; null on the shared cluster' }),
    createdAt: DateTime,
    updatedAt: DateTime,
    desiredState: Type.Union([DesiredStateSchema, Type.Null()], { description: 'Null once the tenant is deleted' }),
    currentJob: Type.Union(
      [Type.Object({ id: Type.String({ format: 'uuid' }), kind: Type.String({ description: JOB_KINDS.join(', ') }), status: Type.String() }), Type.Null()],
      { description: 'The job working on the tenant now, if any' },
    ),
  },
  { description: 'TenantInfrastructure (spec/000)' },
);

export const InfrastructureRequestSchema = Type.Object(
  {
    ...InfrastructureSchema.properties,
    jobId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The job queued to carry the request out; null when nothing needed doing' }),
  },
  { description: 'The infrastructure record after the request' },
);

export const TransitionsQuery = Type.Object(
  {
    after: Type.Integer({ minimum: 0, maximum: MAX_SEQ, default: 0, description: 'nextCursor of the previous page' }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const TransitionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenantId: Type.String({ format: 'uuid' }),
  seq: Type.Integer({ description: 'Position among all transitions; the paging cursor' }),
  fromState: NullableString,
  toState: Type.String({ description: STATUSES }),
  trigger: Type.String({ description: 'What moved it: tenant.created, job.started, step.started, job.succeeded, job.failed, provision.requested...' }),
  details: Type.Record(Type.String(), Type.Unknown()),
  jobId: NullableString,
  timestamp: DateTime,
});

export const TransitionPageSchema = Type.Object({
  items: Type.Array(TransitionSchema),
  nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as after for the next page; null on the last' }),
});
