import { Command } from 'commander';
import type { ProvisioningStatus, Tenant } from '../api-types.js';
import type { CommandContext, Runner } from '../context.js';
import { OperationFailedError } from '../errors.js';
import { emit, jsonDocument } from '../output.js';
import { ASCII_GLYPHS, UNICODE_GLYPHS, renderStatus } from '../progress-bars.js';
import { progressView } from '../progress-view.js';
import { resolveTenant } from '../tenant-ref.js';
import { watchProgress } from '../watch.js';

/** tenants status [--watch]: the tenant's current (or last) job, as bars per stage. */
export function tenantStatusCommand(run: Runner): Command {
  return new Command('status')
    .description("the tenant's current or last job (provisioning, update, suspend, delete...): a bar per stage, progress and ETA")
    .argument('<tenant>', 'tenant id or slug')
    .option('-w, --watch', 'follow the job live (WebSocket) until it ends: exit 0 when it SUCCEEDED, 1 when it FAILED or was CANCELLED')
    .addHelpText(
      'after',
      '\nWith --watch on a terminal the bars are redrawn in place; when stdout is not a terminal one line is\n' +
        'printed per transition instead. With --output json nothing is printed until the job ends, then the\n' +
        'final status document.',
    )
    .action(
      run(async (ctx, [ref], options) => {
        const tenant = await resolveTenant(ctx.client, ref!);
        if (!options.watch) {
          const status = await ctx.client.request<ProvisioningStatus>('GET', `/api/v1/tenants/${tenant.id}/provisioning/status`);
          const glyphs = ctx.io.stdoutIsTTY ? UNICODE_GLYPHS : ASCII_GLYPHS;
          emit(ctx.io, ctx.format, status, (s) => `${renderStatus(s, { glyphs }).join('\n')}\n`);
          return;
        }
        await watch(ctx, tenant);
      }),
    );
}

async function watch(ctx: CommandContext, tenant: Tenant): Promise<void> {
  const view = progressView(ctx.io, ctx.format, `tenant ${tenant.slug}`);
  let final: ProvisioningStatus | undefined;
  try {
    final = await watchProgress({
      server: ctx.connection.server,
      tenantId: tenant.id,
      token: ctx.client.credential(),
      onStatus: (s) => view.onStatus(s),
      onTransition: (t) => view.onTransition(t),
      onReconnect: (attempt, reason) => view.onReconnect(attempt, reason),
    });
  } finally {
    view.finish(final);
  }
  if (ctx.format === 'json') ctx.io.out(jsonDocument(final));
  if (final.job.status !== 'SUCCEEDED') {
    throw new OperationFailedError(`job_${final.job.status.toLowerCase()}`, `the ${final.job.kind} job ${final.job.status}${final.errorMessage ? `: ${final.errorMessage}` : ''}`);
  }
}
