import type { Migration } from './migration.js';

/**
 * The lifecycle operations and spec/000's infrastructure service:
 * - desired_infrastructure_state: what a tenant's infrastructure should be (DesiredInfrastructureState),
 *   with a generation bumped by every declaration change and the generation last reached;
 * - tenant_infrastructure: what it is (TenantInfrastructure), one row per tenant;
 * - infrastructure_state_transitions: every status change of it (InfrastructureStateTransition);
 * - tenant_deletion_requests: one-time, expiring confirmation codes (stored hashed);
 * - tenants.tokens_valid_after: suspension revokes every token issued before it, for good;
 * - a deleted tenant stays as a tombstone (status DELETED) so its history and deletion receipt
 *   remain readable; its name, slug and admin email are free again.
 * Existing tenants get a declaration equal to what they have.
 */
export const tenantLifecycle: Migration = {
  version: 7,
  name: 'tenant-lifecycle',
  sql: `
alter table tenants
  drop constraint tenants_status_check,
  add constraint tenants_status_check check (status in
    ('PROVISIONING', 'ACTIVE', 'FAILED', 'SUSPENDED', 'DELETING', 'DELETED', 'DEPROVISIONING', 'DEPROVISIONED'));
alter table tenants add column tokens_valid_after timestamptz;
alter table tenants add column deleted_at timestamptz;

drop index tenants_slug_key;
drop index tenants_name_key;
drop index tenants_admin_email_key;
create unique index tenants_slug_key on tenants (slug) where status <> 'DELETED';
create unique index tenants_name_key on tenants (lower(name)) where status <> 'DELETED';
create unique index tenants_admin_email_key on tenants (lower(admin_email)) where status <> 'DELETED';

create table desired_infrastructure_state (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  tier text not null,
  region text not null,
  cloud_provider text not null,
  configuration jsonb not null,
  suspended boolean not null default false,
  generation integer not null default 1,
  observed_generation integer not null default 0,
  -- When the reconciler last looked at the tenant, and what it found.
  last_reconciled_at timestamptz,
  updated_by text not null,
  updated_at timestamptz not null default now()
);
create index desired_infrastructure_state_sweep_idx on desired_infrastructure_state (last_reconciled_at nulls first, tenant_id);

create table tenant_infrastructure (
  id uuid primary key,
  tenant_id uuid not null unique references tenants (id) on delete cascade,
  status text not null,
  cloud_provider text not null,
  region text not null,
  namespace text not null,
  configuration jsonb not null,
  terraform_state_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table infrastructure_state_transitions (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  seq bigint generated always as identity,
  from_state text,
  to_state text not null,
  trigger text not null,
  details jsonb not null default '{}',
  job_id uuid,
  "timestamp" timestamptz not null default now()
);
create index infrastructure_state_transitions_tenant_idx on infrastructure_state_transitions (tenant_id, seq);

create table tenant_deletion_requests (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  code_hash text not null,
  requested_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index tenant_deletion_requests_tenant_idx on tenant_deletion_requests (tenant_id);

insert into desired_infrastructure_state (tenant_id, tier, region, cloud_provider, configuration, suspended, generation, observed_generation, updated_by)
select id, tier, region, cloud_provider, '{}'::jsonb, status = 'SUSPENDED', 1, case when status in ('ACTIVE', 'SUSPENDED') then 1 else 0 end, 'migration'
from tenants;

insert into tenant_infrastructure (id, tenant_id, status, cloud_provider, region, namespace, configuration, terraform_state_key)
select gen_random_uuid(), id,
  case status when 'ACTIVE' then 'ACTIVE' when 'SUSPENDED' then 'SUSPENDED' when 'FAILED' then 'FAILED'
    when 'DELETED' then 'DEPROVISIONED' when 'DELETING' then 'DEPROVISIONING' else 'REQUESTED' end,
  cloud_provider, region, 'matih-' || slug, '{}'::jsonb,
  case when tier = 'ENTERPRISE' then 'tenants/' || id || '.tfstate' end
from tenants;
`,
};
