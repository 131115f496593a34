import type { Migration } from './migration.js';

/** The durable engine of DESIGN.md section 4: leases, step records, audit log, relay state. */
export const provisioningEngine: Migration = {
  version: 2,
  name: 'provisioning-engine',
  sql: `
alter table tenant_provisioning_jobs
  drop constraint tenant_provisioning_jobs_status_check,
  add constraint tenant_provisioning_jobs_status_check
    check (status in ('PENDING', 'RUNNING', 'ROLLING_BACK', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  add column current_step text,
  add column lease_owner text,
  add column lease_until timestamptz,
  add column cancel_requested_by text,
  add column failed_step text;

drop index tenant_provisioning_jobs_open_key;
create unique index tenant_provisioning_jobs_open_key on tenant_provisioning_jobs (tenant_id)
  where status in ('PENDING', 'RUNNING', 'ROLLING_BACK');
drop index tenant_provisioning_jobs_due_idx;
-- The claim query: unfinished jobs whose retry time has come.
create index tenant_provisioning_jobs_claim_idx on tenant_provisioning_jobs (next_retry_at nulls first)
  where status in ('PENDING', 'RUNNING', 'ROLLING_BACK');

-- One row per step of a job: what the status API, the dashboard and rollback read.
create table provisioning_steps (
  job_id uuid not null references tenant_provisioning_jobs (id) on delete cascade,
  name text not null,
  stage text not null,
  position integer not null,
  status text not null check (status in ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED')),
  attempts integer not null default 0,
  started_at timestamptz,
  completed_at timestamptz,
  last_error text,
  outputs jsonb not null default '{}',
  primary key (job_id, name)
);

-- spec/002 ProvisioningState: the per-tenant view, phaseOutputs included.
create table tenant_provisioning_state (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  job_id uuid not null,
  current_phase text not null,
  status text not null check (status in ('IN_PROGRESS', 'COMPLETED', 'FAILED')),
  failure_reason text,
  phase_outputs jsonb not null default '{}',
  started_at timestamptz not null,
  last_updated_at timestamptz not null,
  retry_count integer not null default 0,
  -- The last audit sequence number written for the tenant: audit rows are numbered 1, 2, 3...
  -- per tenant, so a client that saw N asks for everything after N and misses nothing.
  event_seq integer not null default 0
);

create table provisioning_audit_logs (
  id bigserial primary key,
  tenant_id uuid not null,
  seq integer not null,
  job_id uuid,
  kind text not null,
  from_state text,
  to_state text,
  step text,
  trigger text not null,
  details jsonb not null default '{}',
  actor text not null,
  created_at timestamptz not null default now(),
  constraint provisioning_audit_logs_tenant_seq_key unique (tenant_id, seq)
);

alter table outbox
  add column attempts integer not null default 0,
  add column next_attempt_at timestamptz not null default now(),
  add column last_error text;
drop index outbox_pending_idx;
create index outbox_pending_idx on outbox (aggregate_id, id) where delivered_at is null;

-- What the simulated cloud (the test double of DESIGN.md section 5) holds, so it survives restarts.
create table sim_resources (
  tenant_id uuid not null,
  step text not null,
  kind text not null,
  name text not null,
  spec jsonb not null,
  apply_count integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, kind, name)
);
`,
};
