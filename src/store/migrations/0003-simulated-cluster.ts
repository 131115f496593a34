import type { Migration } from './migration.js';

/**
 * The simulated cluster (the Kubernetes test double of DESIGN.md section 5): what its "etcd"
 * holds, so objects survive a restart and every replica sharing a server sees the same cluster.
 */
export const simulatedCluster: Migration = {
  version: 3,
  name: 'simulated-cluster',
  sql: `
-- One counter for the whole cluster, as etcd's revision: a resourceVersion never repeats, even
-- for an object deleted and created again.
create sequence sim_object_versions;

create table sim_objects (
  api_group text not null,
  kind text not null,
  -- '' for cluster-scoped objects (Namespace), so the key has no nulls.
  namespace text not null,
  name text not null,
  -- The version it was last applied at; reads answer at the version asked for.
  api_version text not null,
  uid uuid not null,
  -- The object as declared: no status, no server-populated metadata.
  object jsonb not null,
  labels jsonb not null default '{}',
  generation integer not null default 1,
  resource_version bigint not null default nextval('sim_object_versions'),
  -- Every apply, changed or not: tests prove exactly-once applies with it.
  apply_count integer not null default 1,
  -- When the simulated controller has it ready; in the future while it "rolls out".
  ready_at timestamptz,
  load_balancer_ip text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (api_group, kind, namespace, name)
);
alter sequence sim_object_versions owned by sim_objects.resource_version;

-- Namespace deletion empties the namespace; list selects by labels.
create index sim_objects_namespace_idx on sim_objects (namespace);
create index sim_objects_labels_idx on sim_objects using gin (labels jsonb_path_ops);
-- One address per load balancer: two applies racing for the same free one, one wins.
create unique index sim_objects_load_balancer_ip_key on sim_objects (load_balancer_ip) where load_balancer_ip is not null;
`,
};
