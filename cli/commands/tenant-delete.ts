import { Command } from 'commander';
import type { DeletionAccepted, DeletionRequest } from '../api-types.js';
import { confirmSlug } from '../confirm.js';
import type { Runner } from '../context.js';
import { emit, keyValues } from '../output.js';
import { resolveTenant } from '../tenant-ref.js';

/**
 * tenants delete: the API wants a one-time code from POST deletion-requests, sent back with
 * DELETE. The CLI asks for the slug first, so declining issues no code.
 */
export function tenantDeleteCommand(run: Runner): Command {
  return new Command('delete')
    .description('delete a tenant: archive its audit logs, tear down its data plane, remove its record')
    .argument('<tenant>', 'tenant id or slug')
    .option('-y, --yes', 'do not ask to type the slug again')
    .action(
      run(async ({ io, format, client }, [ref], o) => {
        const tenant = await resolveTenant(client, ref!);
        await confirmSlug(io, tenant.slug, `delete tenant ${tenant.slug} (${tenant.id}) and everything it has`, o.yes === true);
        const request = await client.request<DeletionRequest>('POST', `/api/v1/tenants/${tenant.id}/deletion-requests`);
        const result = await client.request<DeletionAccepted>('DELETE', `/api/v1/tenants/${tenant.id}`, {
          headers: { 'x-confirmation-code': request.confirmationCode },
        });
        emit(io, format, result, (r) => keyValues([['tenant', r.tenantId], ['status', r.status], ['job', r.jobId]]));
        if (format === 'table') io.err(`follow it: matihctl tenants status ${tenant.slug} --watch\n`);
      }),
    );
}
