import { Command } from 'commander';
import type { InfraTransition, Infrastructure } from '../api-types.js';
import { confirmSlug } from '../confirm.js';
import type { Runner } from '../context.js';
import { UsageError } from '../errors.js';
import { configurationOf, nonNegativeInt, positiveInt, withConfigurationOptions } from '../options.js';
import { type Column, emit, keyValues, table } from '../output.js';
import { allPages } from '../paging.js';
import { resolveTenant, resolveTenantId } from '../tenant-ref.js';

const base = (id: string) => `/api/v1/infrastructure/tenants/${id}`;

function configurationText(c: Infrastructure['configuration'] | undefined): string {
  if (!c) return '-';
  // An Enterprise quota is an object: shown as its JSON, one word per setting.
  return Object.entries(c).map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(' ') || '-';
}

function infraDetail(r: Infrastructure): string {
  const desired = r.desiredState;
  return keyValues([
    ['tenant', r.tenantId],
    ['status', r.status],
    ['cloud/region', `${r.cloudProvider}/${r.region}`],
    ['namespace', r.namespace],
    ['configuration', configurationText(r.configuration)],
    ['desired tier', desired?.tier],
    ['desired configuration', configurationText(desired?.configuration)],
    ['generation', desired ? `${desired.generation} (observed ${desired.observedGeneration})` : null],
    ['suspended', desired?.suspended],
    ['terraform state', r.terraformStateKey],
    ['current job', r.currentJob ? `${r.currentJob.kind} ${r.currentJob.status} ${r.currentJob.id}` : null],
    ...(r.jobId !== undefined ? [['queued job', r.jobId ?? 'none: nothing to do'] as const] : []),
    ['updated', r.updatedAt],
  ]);
}

const TRANSITION_COLUMNS: readonly Column<InfraTransition>[] = [
  { header: 'SEQ', value: (t) => t.seq },
  { header: 'TIME', value: (t) => t.timestamp },
  { header: 'FROM', value: (t) => t.fromState },
  { header: 'TO', value: (t) => t.toState },
  { header: 'TRIGGER', value: (t) => t.trigger },
  { header: 'JOB', value: (t) => t.jobId },
];

/** infra provision | get | update | deprovision | transitions: the infrastructure API (8089). */
export function infraCommand(run: Runner): Command {
  const infra = new Command('infra').description("the tenant's infrastructure record, desired state and transitions (infrastructure API, port 8089)");

  infra.addCommand(
    withConfigurationOptions(
      new Command('provision')
        .description('declare the infrastructure and converge to it: provisions a deprovisioned or failed tenant, updates an active one')
        .argument('<tenant>', 'tenant id or slug')
        .requiredOption('--tier <tier>', 'FREE, PROFESSIONAL or ENTERPRISE')
        .requiredOption('--region <region>', 'a region of the cloud provider')
        .requiredOption('--cloud-provider <provider>', 'AZURE, AWS or GCP'),
    ).action(
      run(async ({ io, format, client }, [ref], o) => {
        const id = await resolveTenantId(client, ref!);
        const body = { tier: o.tier, region: o.region, cloudProvider: o.cloudProvider, configuration: configurationOf(o) };
        emit(io, format, await client.request<Infrastructure>('POST', `${base(id)}/provision`, { api: 'infra', body }), infraDetail);
      }),
    ),
  );

  infra.addCommand(
    new Command('get')
      .description("the tenant's infrastructure record with its desired state")
      .argument('<tenant>', 'tenant id or slug')
      .action(
        run(async ({ io, format, client }, [ref]) => {
          const id = await resolveTenantId(client, ref!);
          emit(io, format, await client.request<Infrastructure>('GET', base(id), { api: 'infra' }), infraDetail);
        }),
      ),
  );

  infra.addCommand(
    withConfigurationOptions(
      new Command('update')
        .description("change an ACTIVE tenant's configuration or tier; what is left out keeps its declared value")
        .argument('<tenant>', 'tenant id or slug')
        .option('--tier <tier>', 'another tier of the same cluster type'),
    ).action(
      run(async ({ io, format, client }, [ref], o) => {
        const configuration = configurationOf(o);
        if (o.tier === undefined && configuration === undefined) {
          throw new UsageError('nothing to change: give --tier, --storage-gb, --enable-ha/--no-enable-ha or --database-size');
        }
        const id = await resolveTenantId(client, ref!);
        emit(io, format, await client.request<Infrastructure>('PUT', base(id), { api: 'infra', body: { tier: o.tier, configuration } }), infraDetail);
      }),
    ),
  );

  infra.addCommand(
    new Command('deprovision')
      .description("tear the tenant's infrastructure down, keeping its record (irreversible)")
      .argument('<tenant>', 'tenant id or slug')
      .option('-y, --yes', 'do not ask to type the slug again')
      .action(
        run(async ({ io, format, client }, [ref], o) => {
          const tenant = await resolveTenant(client, ref!);
          await confirmSlug(io, tenant.slug, `tear down every resource of tenant ${tenant.slug}`, o.yes === true);
          emit(io, format, await client.request<Infrastructure>('DELETE', base(tenant.id), { api: 'infra' }), infraDetail);
        }),
      ),
  );

  infra.addCommand(
    new Command('transitions')
      .description('every status change of the infrastructure, oldest first')
      .argument('<tenant>', 'tenant id or slug')
      .option('--after <seq>', 'only transitions after this sequence number (nextCursor of a page)', nonNegativeInt)
      .option('--limit <n>', 'transitions per page (1-1000)', positiveInt)
      .option('--all', 'follow the cursors to the end (JSON: one document with every item)')
      .action(
        run(async ({ io, format, client }, [ref], o) => {
          const id = await resolveTenantId(client, ref!);
          const page = await allPages<InfraTransition>(o.all === true, o.after as number | undefined, (after) =>
            client.request('GET', `${base(id)}/transitions`, { api: 'infra', query: { after, limit: o.limit as number | undefined } }),
          );
          emit(io, format, page, (p) => table(TRANSITION_COLUMNS, p.items));
        }),
      ),
  );
  return infra;
}

