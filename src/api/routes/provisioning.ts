import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Permission } from '../../domain/roles.js';
import { requirePlatformAdmin, requireTenantPermission } from '../../iam/principal.js';
import { requestCancel } from '../../store/engine/cancel-job.js';
import { listAudit } from '../../store/engine/list-audit.js';
import { retryJob } from '../../store/engine/retry-job.js';
import type { ApiDeps } from '../deps.js';
import { provisioningStatus } from '../provisioning-status.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { AuditEntrySchema, HistoryQuery } from '../schemas/provisioning.js';
import { requireTenant } from './tenant-directory.js';

export const provisioningRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.get(
    '/api/v1/tenants/:id/provisioning/status',
    {
      schema: {
        tags: ['provisioning'],
        summary: 'Where provisioning stands: phase, steps, progress, ETA, retries, last error',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        response: withErrors({ 200: Type.Ref('ProvisioningStatus') }),
      },
    },
    async (request) => {
      requireTenantPermission(request.principal, request.params.id, Permission.TENANT_READ);
      return provisioningStatus(db, request.params.id);
    },
  );

  app.get(
    '/api/v1/tenants/:id/provisioning/history',
    {
      schema: {
        tags: ['provisioning'],
        summary: 'Every step and stage transition, oldest first (provisioning_audit_logs)',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        querystring: HistoryQuery,
        response: withErrors({ 200: Type.Object({ items: Type.Array(AuditEntrySchema) }) }),
      },
    },
    async (request) => {
      requireTenantPermission(request.principal, request.params.id, Permission.TENANT_READ);
      await requireTenant(db, request.params.id);
      return { items: await listAudit(db, request.params.id, request.query.after, request.query.limit) };
    },
  );

  const jobAction = Type.Object({ jobId: Type.String({ format: 'uuid' }), status: Type.String(), fromStep: Type.Optional(Type.String()) });

  // Retry and cancel: the same shape, each its own store operation and answer.
  const actions = [
    {
      path: 'retry',
      summary: 'Restart a FAILED or CANCELLED job from the first step not completed (platform admin)',
      act: async (tenantId: string, actor: string) => {
        const { jobId, step } = await retryJob(db, tenantId, actor);
        return { jobId, status: 'PENDING', fromStep: step };
      },
    },
    {
      path: 'cancel',
      summary: 'Stop a running job and roll back what it did (platform admin)',
      act: async (tenantId: string, actor: string) => ({ jobId: (await requestCancel(db, tenantId, actor)).jobId, status: 'CANCEL_REQUESTED' }),
    },
  ];
  for (const { path, summary, act } of actions) {
    app.post(
      `/api/v1/tenants/:id/provisioning/${path}`,
      {
        schema: {
          tags: ['provisioning'],
          summary,
          security: [{ bearer: [] }],
          params: TenantIdParams,
          response: withErrors({ 202: jobAction, 409: Type.Ref('Problem') }),
        },
      },
      async (request, reply) => {
        requirePlatformAdmin(request.principal);
        await requireTenant(db, request.params.id);
        const answer = await act(request.params.id, request.principal.actor);
        deps.wakeWorkers();
        return reply.code(202).send(answer);
      },
    );
  }
};
