import { Command } from 'commander';
import type { AuditEntry } from '../api-types.js';
import type { Runner } from '../context.js';
import { collect, nonNegativeInt, positiveInt } from '../options.js';
import { type Column, emit, table } from '../output.js';
import { allPages } from '../paging.js';
import { resolveTenantId } from '../tenant-ref.js';

const COLUMNS: readonly Column<AuditEntry>[] = [
  { header: 'SEQ', value: (e) => e.seq },
  { header: 'TIME', value: (e) => e.time },
  { header: 'KIND', value: (e) => e.kind },
  { header: 'TRIGGER', value: (e) => e.trigger },
  { header: 'FROM', value: (e) => e.fromState },
  { header: 'TO', value: (e) => e.toState },
  { header: 'STEP', value: (e) => e.step },
  { header: 'ACTOR', value: (e) => e.actor },
];

/** audit: the tenant's audit log (every transition and operation), filtered and paged. */
export function auditCommand(run: Runner): Command {
  return new Command('audit')
    .description("a tenant's audit log: every transition and operation with actor and trigger, oldest first")
    .argument('<tenant>', 'tenant id or slug')
    .option('--from <time>', 'entries at or after this RFC 3339 time')
    .option('--to <time>', 'entries before this RFC 3339 time')
    .option('--kind <kind>', 'only this kind (repeatable or comma-separated): JOB, STAGE, STEP, ROLLBACK, OPERATION', collect)
    .option('--trigger <trigger>', 'only this trigger (repeatable or comma-separated), e.g. step.failed', collect)
    .option('--after <seq>', 'only entries after this sequence number (nextCursor of a page)', nonNegativeInt)
    .option('--limit <n>', 'entries per page (1-500)', positiveInt)
    .option('--all', 'follow the cursors to the end (JSON: one document with every item)')
    .action(
      run(async ({ io, format, client }, [ref], o) => {
        const id = await resolveTenantId(client, ref!);
        const query = { from: o.from as string | undefined, to: o.to as string | undefined, kind: o.kind as string[] | undefined, trigger: o.trigger as string[] | undefined, limit: o.limit as number | undefined };
        const page = await allPages<AuditEntry>(o.all === true, o.after as number | undefined, (after) =>
          client.request('GET', `/api/v1/tenants/${id}/audit`, { query: { ...query, after } }),
        );
        emit(io, format, page, (p) => table(COLUMNS, p.items));
        if (format === 'table' && page.nextCursor !== null) io.err(`more entries: --after ${page.nextCursor}, or --all\n`);
      }),
    );
}
