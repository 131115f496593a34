import { Type } from '@sinclair/typebox';
import { DateTime } from './common.js';

export const LifecycleBody = Type.Optional(
  Type.Object(
    { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Why; kept in the audit log and the event' })) },
    { additionalProperties: false },
  ),
);

export const LifecycleAccepted = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  status: Type.String({ description: 'The tenant status now' }),
  jobId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The job carrying the operation out; null when there was nothing to do' }),
});

export const DeletionRequestCreated = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  confirmationCode: Type.String({ description: 'Shown once. Send it with DELETE /api/v1/tenants/{id} before it expires' }),
  expiresAt: DateTime,
});

export const DeleteTenantBody = Type.Optional(
  Type.Object({ confirmationCode: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
);

export const DeleteTenantHeaders = Type.Object({
  'x-confirmation-code': Type.Optional(Type.String({ maxLength: 64, description: 'The confirmation code (or `confirmationCode` in the body)' })),
});

export const UpdateTenantBody = Type.Object(
  {
    tier: Type.Optional(Type.String({ description: 'FREE, PROFESSIONAL or ENTERPRISE (a change to or from ENTERPRISE is refused: it is a migration)' })),
    configuration: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'spec/000 configuration fields to change: databaseSize, storageGb, enableHa, and (ENTERPRISE) quota: ' +
            '{cpuRequests, cpuLimits, memoryRequests, memoryLimits, pods, services, persistentVolumeClaims}, null for none',
        },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
