import type { Migration } from './migration.js';

export const controlPlane: Migration = {
  version: 1,
  name: 'control-plane',
  sql: `
create table tenants (
  id uuid primary key,
  name text not null,
  slug text not null,
  tier text not null check (tier in ('FREE', 'PROFESSIONAL', 'ENTERPRISE')),
  status text not null check (status in ('PROVISIONING', 'ACTIVE', 'FAILED', 'SUSPENDED', 'DELETING', 'DELETED')),
  region text not null,
  cloud_provider text not null check (cloud_provider in ('AZURE', 'AWS', 'GCP')),
  admin_email text not null,
  deployment_type text check (deployment_type in ('SHARED', 'DEDICATED')),
  kubernetes_namespace text,
  azure_aks_cluster_name text,
  provisioning_started_at timestamptz,
  provisioning_completed_at timestamptz,
  provisioning_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index tenants_slug_key on tenants (slug);
create unique index tenants_name_key on tenants (lower(name));
create unique index tenants_admin_email_key on tenants (lower(admin_email));
-- Ids are UUIDv7 (time-ordered), so lists page on (filter, id) alone.
create index tenants_status_page_idx on tenants (status, id desc);
create index tenants_tier_page_idx on tenants (tier, id desc);

create table users (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  email text not null,
  display_name text,
  status text not null check (status in ('PENDING_ACTIVATION', 'ACTIVE', 'DISABLED')),
  is_tenant_admin boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_tenant_email_key on users (tenant_id, lower(email));

create table roles (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null,
  description text not null,
  permissions jsonb not null,
  is_system boolean not null default true,
  created_at timestamptz not null default now(),
  constraint roles_tenant_name_key unique (tenant_id, name)
);

create table user_roles (
  user_id uuid not null references users (id) on delete cascade,
  role_id uuid not null references roles (id) on delete cascade,
  primary key (user_id, role_id)
);

create table billing_plans (
  id text primary key,
  tier text not null,
  name text not null,
  monthly_price_cents integer not null,
  trial_days integer not null
);
insert into billing_plans (id, tier, name, monthly_price_cents, trial_days) values
  ('free-monthly', 'FREE', 'Free', 0, 0),
  ('professional-monthly', 'PROFESSIONAL', 'Professional', 49900, 14),
  ('enterprise-annual', 'ENTERPRISE', 'Enterprise', 499900, 30);

create table billing_subscriptions (
  id uuid primary key,
  tenant_id uuid not null unique references tenants (id) on delete cascade,
  plan_id text not null references billing_plans (id),
  status text not null check (status in ('TRIALING', 'ACTIVE', 'CANCELLED')),
  started_at timestamptz not null,
  trial_ends_at timestamptz,
  current_period_end timestamptz not null
);

create table tenant_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  settings jsonb not null,
  version integer not null default 1,
  updated_at timestamptz not null default now(),
  updated_by text not null
);

create table api_keys (
  id uuid primary key,
  tenant_id uuid references tenants (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  name text not null,
  role text not null,
  secret_hash text not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_tenant_idx on api_keys (tenant_id);

create table revoked_tokens (
  jti text primary key,
  expires_at timestamptz not null,
  revoked_at timestamptz not null default now(),
  revoked_by text not null
);

create table signing_keys (
  id text primary key,
  secret text not null,
  created_at timestamptz not null default now()
);

create table tenant_provisioning_jobs (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null,
  tier text not null,
  current_state text not null,
  status text not null check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  initiated_by text not null,
  started_at timestamptz,
  completed_at timestamptz,
  error_message text,
  retry_count integer not null default 0,
  max_retries integer not null default 3,
  next_retry_at timestamptz,
  context jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- At most one unfinished job per tenant: two operations never race on one tenant's infrastructure.
create unique index tenant_provisioning_jobs_open_key on tenant_provisioning_jobs (tenant_id)
  where status in ('PENDING', 'RUNNING');
create index tenant_provisioning_jobs_due_idx on tenant_provisioning_jobs (status, next_retry_at);

-- Events outlive their tenant (a deletion is itself an event), so no foreign key here.
create table outbox (
  id bigserial primary key,
  event_id uuid not null unique,
  aggregate_type text not null,
  aggregate_id uuid not null,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index outbox_pending_idx on outbox (id) where delivered_at is null;
`,
};
