import type { Migration } from './migration.js';

/**
 * The per-tenant Terraform state lock of spec/003 (ACQUIRING_TERRAFORM_LOCK), held in the
 * database so every replica sees it. One row per state key while someone holds or last held it.
 * No foreign key to the job: a lock whose job is gone is simply free once its lease runs out.
 */
export const terraformLocks: Migration = {
  version: 6,
  name: 'terraform-locks',
  sql: `
create table terraform_state_locks (
  -- The backend key of the state: "tenants/{tenantId}.tfstate".
  state_key text primary key,
  holder_job_id uuid not null,
  acquired_at timestamptz not null default now(),
  -- The lock's own lease, renewed by its holder while Terraform runs.
  expires_at timestamptz not null
);
`,
};
