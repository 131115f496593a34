import { DriverError, type TenantDatabaseSpec } from '../contract.js';

/**
 * Names of a tenant's database objects, and the only way they reach SQL text.
 *
 * Names are derived from the tenant slug ([a-z0-9-], checked by the domain) with hyphens mapped
 * to underscores; slugs never contain underscores, so the mapping is injective and two tenants
 * never share a name. The driver still re-checks every name it is handed (defence in depth: a
 * spec assembled by a buggy caller must not become SQL), and still quotes every identifier: a
 * valid name such as `1acme_ai` is not a valid *unquoted* identifier.
 */

/** PostgreSQL truncates identifiers longer than 63 bytes (NAMEDATALEN - 1); a truncated name could collide. */
const MAX_IDENTIFIER_BYTES = 63;
const NAME_PATTERN = /^[a-z0-9][a-z0-9_]*$/;
/** Names the server or the platform own; dropping one of them (DROP ... CASCADE) would be a disaster. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['public', 'information_schema', 'postgres', 'template0', 'template1', 'matih']);

/** Why `name` may not name a tenant object, or undefined when it may. */
export function identifierProblem(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return 'must be lowercase letters, digits and underscores, starting with a letter or digit';
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) return `must be at most ${MAX_IDENTIFIER_BYTES} bytes long`;
  if (RESERVED_NAMES.has(name) || name.startsWith('pg_')) return 'is reserved';
  return undefined;
}

/**
 * Checks every name of a spec before any SQL runs, with a permanent error: a bad name stays bad.
 * The message quotes the offending name with JSON escaping so that it cannot forge log lines.
 */
export function checkTenantDatabaseSpec(spec: TenantDatabaseSpec): void {
  const named: [string, string | undefined][] = [['role', spec.role], ...spec.schemas.map((s): [string, string] => ['schema', s])];
  if (spec.connectGroup !== undefined) named.push(['connect group', spec.connectGroup]);
  if (spec.isolation === 'DATABASE_PER_TENANT') {
    if (spec.database === undefined) throw new DriverError(`tenant ${spec.tenantId}: DATABASE_PER_TENANT needs a database name`, false);
    named.push(['database', spec.database]);
  }
  if (spec.schemas.length === 0) throw new DriverError(`tenant ${spec.tenantId}: no schemas declared`, false);
  if (new Set(spec.schemas).size !== spec.schemas.length) throw new DriverError(`tenant ${spec.tenantId}: schemas declared twice`, false);
  for (const [kind, name] of named) {
    const problem = name === undefined ? 'is missing' : identifierProblem(name);
    if (problem !== undefined) {
      throw new DriverError(`tenant ${spec.tenantId}: ${kind} name ${JSON.stringify(name)} ${problem}`, false);
    }
  }
}

/**
 * Quotes an identifier for SQL text (the rule of PostgreSQL's quote_ident: wrap in double quotes,
 * double any double quote). Always applied, even to checked names, so that correctness never
 * depends on the check alone. A NUL byte cannot be sent at all, so it is refused.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new DriverError('an identifier cannot contain a NUL byte', false);
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal for the few statements that take no bind parameters (CREATE/ALTER
 * ROLE ... PASSWORD is utility syntax, which the extended protocol cannot parameterise). Uses the
 * E'' form with backslashes doubled, as libpq's PQescapeLiteral does, so the result means the
 * same whatever standard_conforming_strings is set to (the leading space is libpq's too: E'' must
 * not fuse with a token before it).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new DriverError('a literal cannot contain a NUL byte', false);
  const escaped = value.replaceAll("'", "''");
  return value.includes('\\') ? ` E'${escaped.replaceAll('\\', '\\\\')}'` : `'${escaped}'`;
}
