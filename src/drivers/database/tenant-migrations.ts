import { DriverError } from '../contract.js';
import { quoteIdent, quoteLiteral } from './identifiers.js';
import { doBlock } from './plpgsql.js';
import type { SqlClient } from './sql-client.js';

/**
 * The tenant's own tables (spec/004 SETUP_DATABASE "run migrations"), numbered and applied once
 * each, in order, inside the tenant's schemas. The control plane owns only the reference tables it
 * seeds; each data-plane service migrates the rest of its schema itself when it starts.
 *
 * Applied versions are recorded in `{slug}_governance.schema_version`, beside the tenant's data, so
 * that dropping the tenant's schemas (or database) drops the record too and a re-provisioned
 * tenant starts from version 0.
 */

/** The schemas the migrations write to, by service. */
export const MIGRATED_SERVICES = ['ai', 'bi', 'query', 'governance'] as const;
export type MigratedService = (typeof MIGRATED_SERVICES)[number];
/** Quoted schema names by service, ready to splice into SQL. */
export type ServiceSchemas = Readonly<Record<MigratedService, string>>;

export interface TenantMigration {
  version: number;
  name: string;
  /**
   * Statements PL/pgSQL can run: the setup script runs them inside a DO block of its transaction
   * (migrationStatements), so nothing that refuses a transaction (CREATE INDEX CONCURRENTLY).
   */
  sql(s: ServiceSchemas): string;
}

export const TENANT_MIGRATIONS: readonly TenantMigration[] = [
  {
    version: 1,
    name: 'bi_dashboards',
    sql: (s) => `
      create table ${s.bi}.dashboard_templates (
        key text primary key,
        name text not null,
        description text not null,
        definition jsonb not null,
        created_at timestamptz not null default now()
      );
      create table ${s.bi}.dashboards (
        id uuid primary key default gen_random_uuid(),
        name text not null,
        template_key text references ${s.bi}.dashboard_templates (key),
        definition jsonb not null default '{}',
        created_by text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`,
  },
  {
    version: 2,
    name: 'governance_system_roles',
    sql: (s) => `
      create table ${s.governance}.system_roles (
        name text primary key,
        description text not null,
        permissions text[] not null,
        built_in boolean not null default true,
        created_at timestamptz not null default now()
      );`,
  },
  {
    version: 3,
    name: 'service_configuration',
    // One table per service, in the service's own schema: each service reads only its schema.
    sql: (s) =>
      [s.ai, s.query, s.bi]
        .map(
          (schema) => `
      create table ${schema}.configuration (
        key text primary key,
        value jsonb not null,
        description text not null,
        updated_at timestamptz not null default now()
      );`,
        )
        .join(''),
  },
];


// Two-key advisory locks live apart from the control plane's one-key migration lock.
const LOCK_CLASS = 724_002;

/**
 * Finds each migrated service's schema among the declared ones by its `_<service>` suffix.
 * Exactly one must match; a spec without them cannot be migrated, which no retry will change.
 */
export function serviceSchemas(schemas: readonly string[]): ServiceSchemas {
  const found = {} as Record<MigratedService, string>;
  for (const service of MIGRATED_SERVICES) {
    const matches = schemas.filter((name) => name.endsWith(`_${service}`));
    if (matches.length !== 1) {
      throw new DriverError(`the tenant's schemas must include exactly one ending in _${service} (found ${matches.length})`, false);
    }
    found[service] = quoteIdent(matches[0] as string);
  }
  return found;
}

/** The quoted name of the migration record. */
export function versionTable(s: ServiceSchemas): string {
  return `${s.governance}.schema_version`;
}

/** The highest applied version, or null when none is (or the schema is absent). */
export async function tenantMigrationVersion(client: SqlClient, s: ServiceSchemas): Promise<number | null> {
  const exists = await client.query<{ present: boolean }>('select to_regclass($1) is not null as present', [versionTable(s)]);
  if (!exists.rows[0]?.present) return null;
  const row = await client.query<{ version: number | null }>(`select max(version)::int as version from ${versionTable(s)}`);
  return row.rows[0]?.version ?? null;
}

/**
 * The statements that apply what is not applied yet, in order, each with its version row, for a
 * setup script, inside its transaction. Two ensures of one tenant at once queue on a per-tenant
 * advisory lock and check under it, so each migration runs exactly once; the transaction makes a
 * crash leave either every statement or none.
 */
export function migrationStatements(s: ServiceSchemas, migrations: readonly TenantMigration[] = TENANT_MIGRATIONS): string[] {
  const table = versionTable(s);
  return [
    `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${quoteLiteral(table)}));`,
    `CREATE TABLE IF NOT EXISTS ${table} (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    );`,
    ...migrations.map((m) =>
      doBlock(`IF NOT EXISTS (SELECT 1 FROM ${table} WHERE version = ${m.version}) THEN
${m.sql(s)}
  INSERT INTO ${table} (version, name) VALUES (${m.version}, ${quoteLiteral(m.name)});
END IF;`),
    ),
  ];
}
