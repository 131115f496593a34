import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type FieldError, ValidationError } from '../../domain/errors.js';
import { Permission } from '../../domain/roles.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { AUDIT_KINDS, isAuditKind, queryAudit } from '../../store/engine/query-audit.js';
import type { ApiDeps } from '../deps.js';
import { AuditPageSchema, AuditQuerySchema } from '../schemas/audit.js';
import { TenantIdParams, withErrors } from '../schemas/common.js';
import { requireTenant } from './tenant-directory.js';

// Triggers are open-ended (new operations add their own), so only their shape is checked.
const TRIGGER = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

/** GET /api/v1/tenants/:id/audit: every transition and operation of a tenant, filtered and paged. */
export const auditRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db } = deps.database;

  app.get(
    '/api/v1/tenants/:id/audit',
    {
      schema: {
        tags: ['provisioning'],
        summary: 'Every transition and operation of the tenant with actor, trigger and details, oldest first',
        security: [{ bearer: [] }],
        params: TenantIdParams,
        querystring: AuditQuerySchema,
        response: withErrors({ 200: AuditPageSchema }),
      },
    },
    async (request) => {
      const q = request.query;
      const problems: FieldError[] = [];
      const from = parseTime('from', q.from, problems);
      const to = parseTime('to', q.to, problems);
      if (from && to && from.getTime() > to.getTime()) problems.push({ in: 'query', field: 'from', message: `is after to (${q.to ?? ''})` });
      const kinds = parseList('kind', q.kind, problems, (v) => {
        const kind = v.toUpperCase();
        return isAuditKind(kind) ? { value: kind } : { error: `unknown kind "${v}": must be one of ${AUDIT_KINDS.join(', ')}` };
      });
      const triggers = parseList('trigger', q.trigger, problems, (v) =>
        TRIGGER.test(v) ? { value: v } : { error: `"${v}" is not a trigger (like step.failed)` },
      );
      if (problems.length > 0) throw new ValidationError(problems);

      // Same permission as the provisioning history, which is a view of the same rows.
      requireTenantPermission(request.principal, request.params.id, Permission.TENANT_READ);
      await requireTenant(db, request.params.id);
      const page = await queryAudit(db, request.params.id, { afterSeq: q.after, limit: q.limit, from, to, kinds, triggers });
      return {
        items: page.items.map((r) => ({
          seq: r.seq,
          time: r.createdAt,
          kind: r.kind,
          trigger: r.trigger,
          fromState: r.fromState,
          toState: r.toState,
          step: r.step,
          jobId: r.jobId,
          actor: r.actor,
          details: r.details,
        })),
        nextCursor: page.nextAfterSeq,
      };
    },
  );
};

function parseTime(field: string, value: string | undefined, problems: FieldError[]): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  // The date-time format lets through what Date cannot hold, such as a leap second.
  if (Number.isNaN(time.getTime())) {
    problems.push({ in: 'query', field, message: 'is not a time this service can represent' });
    return undefined;
  }
  return time;
}

/** A repeatable, comma-separated parameter as a list of checked, normalised values without duplicates. */
function parseList(
  field: string,
  values: readonly string[] | undefined,
  problems: FieldError[],
  check: (value: string) => { value: string } | { error: string },
): string[] | undefined {
  if (values === undefined) return undefined;
  const parts = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (parts.length === 0) {
    problems.push({ in: 'query', field, message: 'names nothing' });
    return undefined;
  }
  const accepted = new Set<string>();
  for (const part of parts) {
    const result = check(part);
    if ('value' in result) accepted.add(result.value);
    else problems.push({ in: 'query', field, message: result.error });
  }
  return [...accepted];
}
