import type { Migration } from './migration.js';

/**
 * The desired-state reconciler's sweep (spec/000 InfrastructureReconciler): one row that every
 * replica sharing the server reads. A replica sweeps only while it holds the row's lease, and only
 * once `next_sweep_at` has come, so N replicas sweep once per interval between them, not N times;
 * a replica that dies mid-sweep leaves a lease that runs out, and another one sweeps. The last
 * sweep's figures live here too, so the status route of any replica shows them.
 */
export const reconcilerLease: Migration = {
  version: 8,
  name: 'reconciler-lease',
  sql: `
create table reconciler_sweeps (
  name text primary key,
  lease_owner text,
  lease_until timestamptz,
  next_sweep_at timestamptz not null default now(),
  last_sweep jsonb
);
insert into reconciler_sweeps (name) values ('infrastructure');
`,
};
