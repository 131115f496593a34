import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../domain/errors.js';
import { TIERS, parseTier } from '../../domain/tiers.js';
import { confirmationCodeMatches, generateConfirmationCode } from '../../iam/confirmation-code.js';
import { requirePlatformAdmin } from '../../iam/principal.js';
import { requestUpdate } from '../../store/infrastructure/request-update.js';
import { createDeletionRequest, startDeletion } from '../../store/lifecycle/deletion.js';
import { reactivateTenant, suspendTenant } from '../../store/lifecycle/suspend-tenant.js';
import { getTenant } from '../../store/tenants/get-tenant.js';
import type { ApiDeps } from '../deps.js';
import { refuseLockedOutDeletion, wrongDeletionCode } from '../request-limits.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { DeleteTenantBody, DeleteTenantHeaders, DeletionRequestCreated, LifecycleAccepted, LifecycleBody, UpdateTenantBody } from '../schemas/lifecycle.js';

/**
 * spec/002 "Tenant Lifecycle Operations" on the tenant API: suspend, reactivate, delete (with a
 * confirmation code) and update (tier, configuration). Each answers at once; a job of the engine
 * carries the operation out, followed like provisioning (status, history, WebSocket). All are
 * platform-admin operations.
 */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;
  const conflicts = { 202: LifecycleAccepted, 200: LifecycleAccepted, 409: Type.Ref('Problem') };

  // Suspend and reactivate: the same shape, each its own store operation.
  const switches = [
    { path: 'suspend', operation: suspendTenant, summary: 'Suspend: keys and tokens refused at once, workloads scaled to zero, data kept (platform admin)' },
    { path: 'reactivate', operation: reactivateTenant, summary: 'Reactivate: workloads back to their replicas, ACTIVE once every service is healthy (platform admin)' },
  ];
  for (const { path, operation, summary } of switches) {
    app.post(
      `/api/v1/tenants/:id/${path}`,
      { schema: { tags: ['lifecycle'], summary, security: [{ bearer: [] }], params: TenantIdParams, body: LifecycleBody, response: withErrors(conflicts) } },
      async (request, reply) => {
        requirePlatformAdmin(request.principal);
        const result = await operation(db, { tenantId: request.params.id, actor: request.principal.actor, maxRetries: deps.maxRetries, reason: request.body?.reason });
        if (result.jobId) deps.wakeWorkers();
        return reply.code(result.jobId ? 202 : 200).send(result);
      },
    );
  }

  app.post(
    '/api/v1/tenants/:id/deletion-requests',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Issue a one-time deletion confirmation code (platform admin); it expires (MATIH_DELETION_CODE_TTL_S)',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        // Nothing to send: an empty object at most (any field is refused, naming it).
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: withErrors({ 201: DeletionRequestCreated, 409: Type.Ref('Problem') }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      // A code issued now could expire before a lockout ends: say when to ask instead.
      await refuseLockedOutDeletion(deps, request.params.id);
      const { code, hash } = generateConfirmationCode();
      const created = await createDeletionRequest(db, { tenantId: request.params.id, actor: request.principal.actor, codeHash: hash, ttlSeconds: deps.deletionCodeTtlSeconds ?? 600 });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ tenantId: request.params.id, slug: created.slug, confirmationCode: code, expiresAt: created.expiresAt.toISOString() });
    },
  );

  app.delete(
    '/api/v1/tenants/:id',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Delete the tenant with a confirmation code: archive its audit logs, tear down its data plane, remove its record (platform admin)',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        headers: DeleteTenantHeaders,
        body: DeleteTenantBody,
        response: withErrors({ 202: LifecycleAccepted, 409: Type.Ref('Problem') }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const fromHeader = request.headers['x-confirmation-code'];
      const fromBody = request.body?.confirmationCode;
      const code = fromBody ?? fromHeader;
      const codeField = fromBody !== undefined ? { field: 'confirmationCode', in: 'body' } : { field: 'x-confirmation-code', in: 'headers' };
      if (code === undefined || code.trim() === '') {
        throw new ValidationError([{ field: 'confirmationCode', message: 'is required (body `confirmationCode` or header `X-Confirmation-Code`); POST /api/v1/tenants/{id}/deletion-requests issues one' }]);
      }
      // Wrong codes lock the tenant's deletion for a while (api/request-limits.ts), the right one too.
      await refuseLockedOutDeletion(deps, request.params.id);
      let matched = false;
      const { jobId } = await startDeletion(db, {
        tenantId: request.params.id,
        actor: request.principal.actor,
        maxRetries: deps.maxRetries,
        codeMatches: (hash) => {
          const matches = confirmationCodeMatches(code, hash);
          matched ||= matches;
          return matches;
        },
        codeField,
      }).catch(async (error: unknown) => {
        // No code of the tenant's matched: a wrong code (a used or expired one is not a guess).
        throw error instanceof ValidationError && !matched ? await wrongDeletionCode(deps, request.params.id, error) : error;
      });
      deps.wakeWorkers();
      return reply.code(202).send({ tenantId: request.params.id, status: 'DELETING', jobId });
    },
  );

  app.patch(
    '/api/v1/tenants/:id',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Change the tier or the infrastructure configuration; an update job moves the tenant to it (platform admin)',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        body: UpdateTenantBody,
        response: withErrors({
          202: Type.Object({ tenant: Type.Ref('Tenant'), jobId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]), generation: Type.Integer() }),
          200: Type.Object({ tenant: Type.Ref('Tenant'), jobId: Type.Null(), generation: Type.Integer() }),
          409: Type.Ref('Problem'),
        }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const tier = request.body.tier === undefined ? undefined : parseTier(request.body.tier);
      if (request.body.tier !== undefined && !tier) throw new ValidationError([{ field: 'tier', message: `must be one of ${TIERS.join(', ')}` }]);
      const result = await requestUpdate(db, {
        tenantId: request.params.id,
        ...(tier ? { tier } : {}),
        ...(request.body.configuration !== undefined ? { configuration: request.body.configuration } : {}),
        actor: request.principal.actor,
        maxRetries: deps.maxRetries,
        trigger: 'tenant.update_requested',
        footprint: deps.workloadFootprint,
      });
      if (result.jobId) deps.wakeWorkers();
      const tenant = await getTenant(db, request.params.id);
      return reply.code(result.jobId ? 202 : 200).send({ tenant, jobId: result.jobId, generation: result.desired.generation });
    },
  );
};
