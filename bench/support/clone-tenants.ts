/**
 * Many live tenants without provisioning them (benches only): provisioning 10,000 tenants for real
 * would take half an hour, so a bench provisions a few through the engine and clones their rows in
 * bulk SQL, on the control plane's database: tenant, declaration, infrastructure record,
 * provisioning state with phase outputs, the simulated cluster's objects, DNS zone, records and
 * delegation, and in the tenant database (the control plane's, as when TENANT_DATABASE_URL is
 * unset) each clone's role, nine schemas and migration table, with the seed's names replaced by
 * the clone's (`c-000001`, `c_000001`). A sweep then finds each clone matching its declaration:
 * cluster inventory, database catalog, DNS all observe real rows. Used by reconcile-sweep.ts and
 * ws-fanout.ts (--total-tenants).
 *
 * The roles are server-wide and named like the seeds' (the deployment's tenant role prefix kept):
 * whoever drops the scratch database drops them by that prefix.
 */

/** Runs SQL text with no parameters, several statements allowed (the simple query protocol). */
export type RunSql = (text: string) => Promise<unknown>;

const CLONE_BATCH = 1000;

/**
 * Clones the ACTIVE tenants there are (the seeds) into `clones` more, round robin, in bulk SQL. A
 * clone's rows are written together, as provisioning writes a tenant's (its cluster objects, its
 * records): written object by object across a thousand clones instead, each of a tenant's 57
 * objects lands on a heap page of its own, and the page inventory reads 57 pages per tenant.
 */
export async function cloneTenants(run: RunSql, clones: number): Promise<void> {
  if (clones <= 0) return;
  await run(`
    create table bench_clone_map (
      n integer primary key, id uuid not null, slug text not null, base text not null,
      template_id uuid not null, template_slug text not null, template_base text not null, template_zone text not null, parent_zone text not null);
    insert into bench_clone_map
    select i, gen_random_uuid(), 'c-' || lpad(i::text, 6, '0'), 'c_' || lpad(i::text, 6, '0'),
      t.id, t.slug, replace(t.slug, '-', '_'), s.phase_outputs->'CREATE_DNS_ZONE'->>'zone', s.phase_outputs->'CREATE_DNS_ZONE'->>'parentZone'
    from generate_series(1, ${clones}) i
    join (select id, slug, row_number() over (order by id) - 1 as k, count(*) over () as seeds from tenants where status = 'ACTIVE') t on t.k = i % t.seeds
    join tenant_provisioning_state s on s.tenant_id = t.id;
    create function bench_rename(x text, m bench_clone_map) returns text language sql immutable as
      $$ select replace(replace(replace(x, m.template_id::text, m.id::text), m.template_slug, m.slug), m.template_base, m.base) $$;
    create table bench_template_objects as
      select distinct m.template_id, o.* from bench_clone_map m
      join sim_objects o on o.namespace = 'matih-' || m.template_slug or (o.namespace = '' and o.name = 'matih-' || m.template_slug);`);
  for (let from = 1; from <= clones; from += CLONE_BATCH) {
    const range = `m.n between ${from} and ${Math.min(clones, from + CLONE_BATCH - 1)}`;
    await run(`
      insert into tenants (id, name, slug, tier, status, region, cloud_provider, admin_email, deployment_type, kubernetes_namespace,
        azure_aks_cluster_name, provisioning_started_at, provisioning_completed_at, created_at, updated_at)
      select m.id, 'Clone ' || m.slug, m.slug, t.tier, t.status, t.region, t.cloud_provider, m.slug || '@example.com', t.deployment_type,
        'matih-' || m.slug, t.azure_aks_cluster_name, t.provisioning_started_at, t.provisioning_completed_at, t.created_at, t.updated_at
      from bench_clone_map m join tenants t on t.id = m.template_id where ${range};
      insert into desired_infrastructure_state (tenant_id, tier, region, cloud_provider, configuration, suspended, generation, observed_generation,
        last_reconciled_at, updated_by, updated_at)
      select m.id, d.tier, d.region, d.cloud_provider, d.configuration, d.suspended, d.generation, d.observed_generation, d.last_reconciled_at,
        d.updated_by, d.updated_at
      from bench_clone_map m join desired_infrastructure_state d on d.tenant_id = m.template_id where ${range};
      insert into tenant_infrastructure (id, tenant_id, status, cloud_provider, region, namespace, configuration, terraform_state_key, created_at, updated_at)
      select gen_random_uuid(), m.id, i.status, i.cloud_provider, i.region, 'matih-' || m.slug, i.configuration, null, i.created_at, i.updated_at
      from bench_clone_map m join tenant_infrastructure i on i.tenant_id = m.template_id where ${range};
      insert into tenant_provisioning_state (tenant_id, job_id, current_phase, status, phase_outputs, started_at, last_updated_at, retry_count, event_seq)
      select m.id, s.job_id, s.current_phase, s.status, bench_rename(s.phase_outputs::text, m)::jsonb, s.started_at, s.last_updated_at, 0, 0
      from bench_clone_map m join tenant_provisioning_state s on s.tenant_id = m.template_id where ${range};
      insert into sim_objects (api_group, kind, namespace, name, api_version, uid, object, labels, generation, apply_count, ready_at,
        load_balancer_ip, created_at, updated_at)
      select o.api_group, o.kind, bench_rename(o.namespace, m), bench_rename(o.name, m), o.api_version, gen_random_uuid(),
        bench_rename(o.object::text, m)::jsonb, bench_rename(o.labels::text, m)::jsonb, o.generation, o.apply_count, o.ready_at,
        null, o.created_at, o.updated_at
      from bench_clone_map m join bench_template_objects o on o.template_id = m.template_id where ${range}
      order by m.n, o.namespace, o.kind, o.name;
      insert into dns_zones (name, serial, created_at, updated_at)
      select bench_rename(z.name, m), z.serial, z.created_at, z.updated_at
      from bench_clone_map m join dns_zones z on z.name = m.template_zone where ${range};
      insert into dns_records (zone, name, type, ttl, "values")
      select bench_rename(r.zone, m), r.name, r.type, r.ttl, r."values"
      from bench_clone_map m join dns_records r on r.zone = m.template_zone where ${range}
      order by m.n, r.name, r.type;
      insert into dns_records (zone, name, type, ttl, "values")
      select r.zone, m.slug, r.type, r.ttl, r."values"
      from bench_clone_map m join dns_records r on r.zone = m.parent_zone and r.name = m.template_slug and r.type = 'NS' where ${range};
      do $$ declare m record; schema text; begin
        for m in select c.base, c.template_base, s.phase_outputs->'SETUP_DATABASE' as db
                 from bench_clone_map c join tenant_provisioning_state s on s.tenant_id = c.id where ${range.replaceAll('m.n', 'c.n')} loop
          execute format('create role %I', m.db->>'role');
          for schema in select jsonb_array_elements_text(m.db->'schemas') loop execute format('create schema %I', schema); end loop;
          execute format('create table %I.schema_version (version integer primary key, name text not null, applied_at timestamptz not null default now())', m.base || '_governance');
          execute format('insert into %I.schema_version select version, name, applied_at from %I.schema_version', m.base || '_governance', m.template_base || '_governance');
        end loop;
      end $$;`);
  }
  await run('drop table bench_template_objects; drop function bench_rename; drop table bench_clone_map;');
  // Bulk inserts leave the labels index's pending list long (autovacuum would flush it): the steady state is vacuumed.
  await run('vacuum analyze');
}
