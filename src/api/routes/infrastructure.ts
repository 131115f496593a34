import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { NotFoundError } from '../../domain/errors.js';
import { Permission } from '../../domain/roles.js';
import { requirePlatformAdmin, requireTenantPermission } from '../../iam/principal.js';
import { listTransitions } from '../../store/infrastructure/list-transitions.js';
import { readInfrastructure } from '../../store/infrastructure/read-infrastructure.js';
import { reportedStatusOf } from '../../domain/infrastructure.js';
import { requestDeprovision } from '../../store/infrastructure/request-deprovision.js';
import { requestProvision } from '../../store/infrastructure/request-provision.js';
import { type OperationRequest, requestUpdate } from '../../store/infrastructure/request-update.js';
import type { Db } from '../../store/open-database.js';
import type { ApiDeps } from '../deps.js';
import { withErrors } from '../schemas/common.js';
import {
  InfraTenantParams,
  InfrastructureRequestSchema,
  InfrastructureSchema,
  ProvisionBody,
  TransitionPageSchema,
  TransitionsQuery,
  UpdateBody,
} from '../schemas/infrastructure.js';

const PREFIX = '/api/v1/infrastructure/tenants/:tenantId';
const recordUrl = (tenantId: string) => `/api/v1/infrastructure/tenants/${tenantId}`;

/**
 * spec/000's infrastructure service (port 8089): the tenant's TenantInfrastructure record, its
 * DesiredInfrastructureState, and its transitions. POST, PUT and DELETE change the declaration
 * and queue the job that converges to it (the same engine as every tenant operation); they
 * answer 202 with the job, or 200 when the declaration already says so.
 */
export const infrastructureRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;
  const accepted = { 200: InfrastructureRequestSchema, 202: InfrastructureRequestSchema, 409: Type.Ref('Problem') };

  app.post(
    `${PREFIX}/provision`,
    {
      schema: {
        tags: ['infrastructure'],
        summary:
          "Declare the tenant's infrastructure and converge to it (platform admin). A deprovisioned or failed tenant is provisioned; " +
          'an active one is updated where the declaration differs; nothing differs: 200 and no job. Another region or cloud is a migration: 409',
        security: [{ bearer: [] }],
        params: InfraTenantParams,
        body: ProvisionBody,
        response: withErrors(accepted),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const { tenantId } = request.params;
      const result = await requestProvision(db, {
        tenantId,
        tier: request.body.tier,
        region: request.body.region,
        cloudProvider: request.body.cloudProvider,
        configuration: request.body.configuration,
        enabledCloudProviders: deps.enabledCloudProviders,
        ...(deps.dedicatedCloudProviders ? { dedicatedCloudProviders: deps.dedicatedCloudProviders } : {}),
        actor: request.principal.actor,
        maxRetries: deps.maxRetries,
        footprint: deps.workloadFootprint,
      });
      return answer(db, deps, reply, tenantId, result);
    },
  );

  app.get(
    PREFIX,
    {
      schema: {
        tags: ['infrastructure'],
        summary: "The tenant's infrastructure record (TenantInfrastructure) with its desired state and the job working on it",
        security: [{ bearer: [] }],
        params: InfraTenantParams,
        response: withErrors({ 200: InfrastructureSchema }),
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      requireTenantPermission(request.principal, tenantId, Permission.TENANT_READ);
      return requireRecord(db, tenantId);
    },
  );

  app.put(
    PREFIX,
    {
      schema: {
        tags: ['infrastructure'],
        summary:
          "Change an ACTIVE tenant's configuration or tier (platform admin): what is left out keeps its declared value. " +
          '202 with the UPDATE job, 200 when nothing changes',
        security: [{ bearer: [] }],
        params: InfraTenantParams,
        body: UpdateBody,
        response: withErrors(accepted),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const { tenantId } = request.params;
      const result = await requestUpdate(db, {
        tenantId,
        tier: request.body.tier,
        configuration: request.body.configuration,
        actor: request.principal.actor,
        maxRetries: deps.maxRetries,
        trigger: 'infrastructure.update',
        footprint: deps.workloadFootprint,
      });
      return answer(db, deps, reply, tenantId, result);
    },
  );

  app.delete(
    PREFIX,
    {
      schema: {
        tags: ['infrastructure'],
        summary:
          "Tear the tenant's infrastructure down, keeping its record (platform admin): everything in the cluster, its database, " +
          'its DNS zone and (Enterprise) its dedicated cluster go. 202 with the DEPROVISION job; 200 when already deprovisioned',
        security: [{ bearer: [] }],
        params: InfraTenantParams,
        response: withErrors(accepted),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      const { tenantId } = request.params;
      const result = await requestDeprovision(db, { tenantId, actor: request.principal.actor, maxRetries: deps.maxRetries });
      return answer(db, deps, reply, tenantId, result);
    },
  );

  app.get(
    `${PREFIX}/transitions`,
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Every status change of the infrastructure (InfrastructureStateTransition), oldest first, paged',
        security: [{ bearer: [] }],
        params: InfraTenantParams,
        querystring: TransitionsQuery,
        response: withErrors({ 200: TransitionPageSchema }),
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      requireTenantPermission(request.principal, tenantId, Permission.TENANT_READ);
      await requireRecord(db, tenantId);
      const page = await listTransitions(db, tenantId, request.query.after, request.query.limit);
      return { items: page.items, nextCursor: page.nextAfter };
    },
  );
};

/** The record as spec/000's clients read it: its status from the spec's set, the detailed phase beside it. */
async function requireRecord(db: Db, tenantId: string) {
  const record = await readInfrastructure(db, tenantId);
  if (!record) throw new NotFoundError('tenant', tenantId);
  return { ...record, status: reportedStatusOf(record.status), phase: record.status };
}

/** 202 and where to follow the job when one was queued; 200 when the request needed nothing. */
async function answer(db: Db, deps: ApiDeps, reply: FastifyReply, tenantId: string, result: OperationRequest) {
  const record = await requireRecord(db, tenantId);
  const body = { ...record, jobId: result.jobId };
  if (result.jobId === null) return reply.code(200).send(body);
  deps.wakeWorkers();
  return reply.code(202).header('location', recordUrl(tenantId)).send(body);
}
