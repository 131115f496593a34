import { tenantNamePrefixProblem } from '../domain/tenant-database.js';
import type { VariableReader } from './variable-reader.js';

/** The PostgreSQL server holding the tenants' schemas, roles and (Enterprise) databases. */
export const TENANT_DATABASE_VARIABLES = {
  TENANT_DATABASE_URL: '',
  MATIH_TENANT_DB_PREFIX: '',
} as const;
type TenantDatabaseVariable = keyof typeof TENANT_DATABASE_VARIABLES;

export interface TenantDatabaseSettings {
  /** Unset: the control-plane database (the embedded server's when DATABASE_URL is unset too), filled in at start. */
  url: string | undefined;
  /** Prefix of the server-wide names (roles, dedicated databases), so control planes can share a server. */
  namePrefix: string;
}

/** `controlPlaneUrl` is DATABASE_URL: the default server of the tenant databases. */
export function parseTenantDatabaseSettings(
  read: VariableReader<TenantDatabaseVariable>,
  controlPlaneUrl: string | undefined,
  problems: string[],
): TenantDatabaseSettings {
  return {
    url: parseUrl(read.optional('TENANT_DATABASE_URL'), controlPlaneUrl, problems),
    namePrefix: parseNamePrefix(read.text('MATIH_TENANT_DB_PREFIX'), problems),
  };
}

function parseUrl(raw: string | undefined, controlPlaneUrl: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return controlPlaneUrl;
  if (!/^postgres(ql)?:\/\//.test(raw)) problems.push('TENANT_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return raw;
}

/** The prefix of the server-wide names, by the domain's rule. */
function parseNamePrefix(raw: string, problems: string[]): string {
  const problem = tenantNamePrefixProblem(raw);
  if (problem === undefined) return raw;
  problems.push(`MATIH_TENANT_DB_PREFIX="${raw}" ${problem}`);
  return '';
}
