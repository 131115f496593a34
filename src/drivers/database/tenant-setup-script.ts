import type { TenantDatabaseSpec } from '../contract.js';
import { connectStatement } from './connect-group.js';
import { notOursError } from './ownership-mark.js';
import { pgDriverError } from './pg-errors.js';
import { seedStatements } from './seed.js';
import type { SqlClient } from './sql-client.js';
import { type ServiceSchemas, migrationStatements, versionTable } from './tenant-migrations.js';
import { roleStatements } from './tenant-role.js';
import { protectVersionTableStatement, schemaStatements } from './tenant-schemas.js';

/**
 * A tenant's database setup as SQL scripts: every statement of a step sent in one message (the
 * simple query protocol runs the statements of one message in order), inside one transaction.
 * One round trip per script instead of one per statement, and a crash leaves all of it or none.
 * Nothing is read first: PL/pgSQL blocks decide on the server (create or alter, refuse what is
 * another tenant's), so a script run twice, or after a crash, converges to the same state.
 *
 * SCHEMA_PER_TENANT is one script. DATABASE_PER_TENANT is three steps, since CREATE DATABASE
 * cannot run inside a transaction: the role (roleScript), the database (dedicated-database.ts),
 * then the contents inside it (contentsScript).
 */

export interface TenantSetup {
  spec: TenantDatabaseSpec;
  schemas: ServiceSchemas;
  /** The SCRAM verifier of the role's password (scram-verifier.ts). */
  verifier: string;
  connectionLimit: number;
}

/** SCHEMA_PER_TENANT: role, schemas, grants, migrations, seed and CONNECT; answers the database's name. */
export function sharedSchemasScript(setup: TenantSetup): string {
  return transaction(
    [...roleStatementsOf(setup), ...contentsStatements(setup), connectStatement(setup.spec.role, setup.spec.connectGroup)],
    'SELECT current_database() AS database;',
  );
}

/** DATABASE_PER_TENANT, in the admin's database: the role. */
export function roleScript(setup: TenantSetup): string {
  return transaction(roleStatementsOf(setup));
}

/** DATABASE_PER_TENANT, in the tenant's own database: schemas, grants, migrations and seed. */
export function contentsScript(setup: TenantSetup): string {
  return transaction(contentsStatements(setup));
}

/**
 * Runs a script. Errors are DriverErrors: an object of another tenant's is a permanent refusal
 * (ownership-mark.ts); anything else is classified as usual (pg-errors.ts), without the server's
 * message and cause when they quote the password's verifier (a role statement's error context
 * quotes the statement). The session may be left in a failed transaction: the caller discards it.
 */
export async function runSetupScript(client: SqlClient, script: string, setup: TenantSetup, action: string): Promise<unknown> {
  try {
    return await client.query(script);
  } catch (error) {
    throw notOursError(error, setup.spec.tenantId) ?? pgDriverError(action, error, { redact: quotesSecret(error, setup.verifier) });
  }
}

function roleStatementsOf(setup: TenantSetup): string[] {
  return roleStatements({ tenantId: setup.spec.tenantId, role: setup.spec.role, verifier: setup.verifier, connectionLimit: setup.connectionLimit });
}

/** Schemas and grants, then migrations, then the record's protection and the seed: each needs the one before. */
function contentsStatements(setup: TenantSetup): string[] {
  const { spec, schemas } = setup;
  return [
    ...schemaStatements({ tenantId: spec.tenantId, schemas: spec.schemas, role: spec.role }),
    ...migrationStatements(schemas),
    protectVersionTableStatement(versionTable(schemas), spec.role),
    ...seedStatements(schemas),
  ];
}

function transaction(statements: readonly string[], after = ''): string {
  return ['BEGIN;', ...statements, 'COMMIT;', after].filter((s) => s !== '').join('\n');
}

/** Whether any text of a server error carries the verifier or one of its parts (salt, keys). */
function quotesSecret(error: unknown, verifier: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const parts = [verifier, ...verifier.split(/[$:]/).filter((p) => p.length >= 16)];
  const texts = ['message', 'detail', 'hint', 'where', 'internalQuery'].map((key) => (error as Record<string, unknown>)[key]);
  return texts.some((text) => typeof text === 'string' && parts.some((p) => text.includes(p)));
}
