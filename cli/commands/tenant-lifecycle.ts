import { Command } from 'commander';
import type { JobAccepted, TenantUpdate } from '../api-types.js';
import type { Runner } from '../context.js';
import { UsageError } from '../errors.js';
import { configurationOf, withConfigurationOptions } from '../options.js';
import { emit, keyValues } from '../output.js';
import { resolveTenantId } from '../tenant-ref.js';
import { tenantDetail } from '../tenant-views.js';

const follow = (ref: string) => `follow it: matihctl tenants status ${ref} --watch\n`;

function accepted(tenantId: string, document: JobAccepted): string {
  return keyValues([
    ['tenant', tenantId],
    ['status', document.status],
    ['job', document.jobId ?? 'none: nothing to do'],
    ...('fromStep' in document && document.fromStep ? [['from step', document.fromStep] as const] : []),
  ]);
}

/** A POST that starts (or stops) a job and answers with it. */
function jobAction(run: Runner, name: string, description: string, path: (id: string) => string, withReason: boolean): Command {
  const command = new Command(name).description(description).argument('<tenant>', 'tenant id or slug');
  if (withReason) command.option('--reason <text>', 'why; kept in the audit log and the event');
  return command.action(
    run(async ({ io, format, client }, [ref], o) => {
      const id = await resolveTenantId(client, ref!);
      const body = withReason && typeof o.reason === 'string' ? { reason: o.reason } : undefined;
      const result = await client.request<JobAccepted>('POST', path(id), { body });
      emit(io, format, result, (r) => accepted(id, r));
      if (format === 'table' && result.jobId) io.err(follow(ref!));
    }),
  );
}

/** tenants retry | cancel | suspend | reactivate | update */
export function tenantLifecycleCommands(run: Runner): Command[] {
  const retry = jobAction(run, 'retry', 'restart a FAILED or CANCELLED job from the first step not completed', (id) => `/api/v1/tenants/${id}/provisioning/retry`, false);
  const cancel = jobAction(run, 'cancel', 'stop a running job and roll back what it did', (id) => `/api/v1/tenants/${id}/provisioning/cancel`, false);
  const suspend = jobAction(run, 'suspend', "suspend: the tenant's keys and tokens are refused at once, workloads scaled to zero", (id) => `/api/v1/tenants/${id}/suspend`, true);
  const reactivate = jobAction(run, 'reactivate', 'reactivate a suspended tenant: workloads back, ACTIVE once every service is healthy', (id) => `/api/v1/tenants/${id}/reactivate`, true);

  const update = withConfigurationOptions(
    new Command('update')
      .description('change the tier or the infrastructure configuration; an update job moves the tenant to it')
      .argument('<tenant>', 'tenant id or slug')
      .option('--tier <tier>', 'FREE or PROFESSIONAL (to or from ENTERPRISE is refused: a migration)'),
  ).action(
    run(async ({ io, format, client }, [ref], o) => {
      const configuration = configurationOf(o);
      if (o.tier === undefined && configuration === undefined) {
        throw new UsageError('nothing to change: give --tier, --storage-gb, --enable-ha/--no-enable-ha or --database-size');
      }
      const id = await resolveTenantId(client, ref!);
      const result = await client.request<TenantUpdate>('PATCH', `/api/v1/tenants/${id}`, { body: { tier: o.tier, configuration } });
      emit(io, format, result, (r) => tenantDetail(r.tenant) + keyValues([['generation', r.generation], ['job', r.jobId ?? 'none: nothing changes']]));
      if (format === 'table' && result.jobId) io.err(follow(ref!));
    }),
  );

  return [retry, cancel, suspend, reactivate, update];
}
