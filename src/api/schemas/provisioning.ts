import { Type } from '@sinclair/typebox';
import { DateTime, NullableDateTime } from './common.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const StepStatusSchema = Type.Object({
  name: Type.String(),
  stage: Type.String(),
  position: Type.Integer(),
  status: Type.String(),
  attempts: Type.Integer(),
  startedAt: NullableDateTime,
  completedAt: NullableDateTime,
  lastError: Nullable(Type.String()),
});

/** spec/003 "Provisioning Status API", plus the step detail the dashboard shows. */
export const ProvisioningStatusSchema = Type.Object(
  {
    tenantId: Type.String({ format: 'uuid' }),
    status: Type.String({ description: 'The tenant status: PROVISIONING, ACTIVE, FAILED...' }),
    currentPhase: Type.String(),
    completedPhases: Type.Array(Type.String()),
    remainingPhases: Type.Array(Type.String()),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    startedAt: NullableDateTime,
    estimatedCompletion: NullableDateTime,
    retryCount: Type.Integer(),
    currentStep: Nullable(Type.String()),
    steps: Type.Array(StepStatusSchema),
    errorMessage: Nullable(Type.String()),
    nextRetryAt: NullableDateTime,
    completedAt: NullableDateTime,
    job: Type.Object(
      {
        id: Type.String({ format: 'uuid' }),
        kind: Type.String(),
        status: Type.String(),
        maxRetries: Type.Integer(),
        initiatedBy: Type.String({
          description:
            'Who asked for the job, as a principal reference: `bootstrap` (the bootstrap token), `api-key:{keyId}` (an API key, or a token exchanged for one: GET /api/v1/tenants/{id}/api-keys names it), or `reconciler` (a drift repair)',
        }),
        tier: Type.String({ description: 'The tier the job runs for (a tier change runs at the new tier)' }),
        currentState: Type.String({ description: 'spec/003 TenantProvisioningJob.currentState: the stage the job is in' }),
        context: Type.Record(Type.String(), Type.Unknown(), {
          description: 'spec/003 TenantProvisioningJob.context: what asked for the job (trigger) and what it carries out (generation, configuration, reason); never a secret',
        }),
      },
      { description: 'spec/003 TenantProvisioningJob' },
    ),
    lastSequence: Type.Integer({ description: 'The newest history sequence number; resume the WebSocket from here' }),
  },
  { $id: 'ProvisioningStatus' },
);

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  jobId: Nullable(Type.String()),
  kind: Type.String(),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  step: Nullable(Type.String()),
  trigger: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  actor: Type.String(),
  createdAt: DateTime,
});

export const HistoryQuery = Type.Object(
  {
    after: Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0, description: 'Only entries after this sequence number' }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
  },
  { additionalProperties: false },
);
