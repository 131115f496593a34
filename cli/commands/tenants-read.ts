import { Command } from 'commander';
import type { CreatedTenant, Tenant, TenantPage } from '../api-types.js';
import type { Runner } from '../context.js';
import { positiveInt } from '../options.js';
import { emit, keyValues } from '../output.js';
import { resolveTenant } from '../tenant-ref.js';
import { tenantDetail, tenantTable } from '../tenant-views.js';

/** tenants create | list | get */
export function tenantReadCommands(run: Runner): Command[] {
  const create = new Command('create')
    .description('create a tenant; prints it and its initial admin API key (shown once)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--slug <slug>', 'lowercase letters, digits and hyphens; names its namespace and DNS zone')
    .requiredOption('--tier <tier>', 'FREE, PROFESSIONAL or ENTERPRISE')
    .requiredOption('--admin-email <email>', "the tenant admin's email")
    .option('--region <region>', "a region of the cloud provider (default: the provider's first)")
    .option('--cloud-provider <provider>', 'AZURE (default), AWS or GCP')
    .action(
      run(async ({ io, format, client }, _args, o) => {
        const created = await client.request<CreatedTenant>('POST', '/api/v1/tenants', {
          body: { name: o.name, slug: o.slug, tier: o.tier, adminEmail: o.adminEmail, region: o.region, cloudProvider: o.cloudProvider },
        });
        emit(io, format, created, (t) =>
          tenantDetail(t) +
          keyValues([
            ['provisioning job', t.provisioningJobId],
            ['admin API key id', t.initialApiKey.id],
            ['admin API key', t.initialApiKey.key],
          ]),
        );
        io.err(`warning: the admin API key is shown once and cannot be read again; store it now.\nfollow provisioning: matihctl tenants status ${created.slug} --watch\n`);
      }),
    );

  const list = new Command('list')
    .description('list tenants, newest first')
    .option('--status <status>', 'only this status (PROVISIONING, ACTIVE, SUSPENDED, FAILED, DELETING, DELETED...)')
    .option('--tier <tier>', 'only this tier')
    .option('--search <text>', 'text in the name or slug')
    .option('--limit <n>', 'tenants per page (1-200)', positiveInt)
    .option('--all', 'follow the cursors and list every page (JSON: one document with every item)')
    .action(
      run(async ({ io, format, client }, _args, o) => {
        const query = { status: o.status as string | undefined, tier: o.tier as string | undefined, q: o.search as string | undefined, limit: o.limit as number | undefined };
        let page = await client.request<TenantPage>('GET', '/api/v1/tenants', { query });
        const items: Tenant[] = [...page.items];
        while (o.all && page.nextCursor) {
          page = await client.request<TenantPage>('GET', '/api/v1/tenants', { query: { ...query, cursor: page.nextCursor } });
          items.push(...page.items);
        }
        const document: TenantPage = { items, nextCursor: page.nextCursor };
        emit(io, format, document, (d) => tenantTable(d.items));
        if (format === 'table' && page.nextCursor) io.err('more tenants: use --all, or --limit\n');
      }),
    );

  const get = new Command('get')
    .description('show one tenant')
    .argument('<tenant>', 'tenant id or slug')
    .action(
      run(async ({ io, format, client }, [ref]) => {
        emit(io, format, await resolveTenant(client, ref!), tenantDetail);
      }),
    );

  return [create, list, get];
}
