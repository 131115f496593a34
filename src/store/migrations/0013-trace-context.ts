import type { Migration } from './migration.js';

/**
 * The W3C trace context (`traceparent`) of whoever wrote a row, when tracing is on (OTEL_*):
 * on a job, the API request (or reconcile sweep) that queued it, so that its runs, in whichever
 * replica and however much later, join that trace (one provisioning, one trace); on an outbox
 * event, the step or request that wrote it, which the relay hands on as the CloudEvents
 * `traceparent` extension. Null when nothing was traced, and in every row from before. Nullable
 * columns with no default: a release before this one, running beside it during a rolling
 * upgrade, writes and reads these tables as it did.
 */
export const traceContext: Migration = {
  version: 13,
  name: 'trace-context',
  sql: `
alter table tenant_provisioning_jobs add column trace_parent text;
alter table outbox add column trace_parent text;
`,
};
