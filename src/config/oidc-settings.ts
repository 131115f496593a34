import { TENANT_ROLES, type TenantRole } from '../domain/roles.js';
import type { VariableReader } from './variable-reader.js';

/**
 * Single sign-on through an OpenID Provider (README "Signing in"): which issuer's access tokens
 * the API accepts, for which audience, how their claims map to roles, and the clients the
 * dashboard and matihctl sign in as. All unset: no OIDC, only the bootstrap token, API keys and
 * the service's own JWTs.
 */
export const OIDC_VARIABLES = {
  MATIH_OIDC_ISSUER: '',
  MATIH_OIDC_AUDIENCE: '',
  MATIH_OIDC_CLIENT_ID: '',
  MATIH_OIDC_CLIENT_SECRET: '',
  MATIH_OIDC_CLI_CLIENT_ID: '',
  MATIH_OIDC_SCOPES: 'openid profile email',
  MATIH_OIDC_RESOURCE_INDICATOR: 'true',
  MATIH_OIDC_GROUPS_CLAIM: 'groups',
  MATIH_OIDC_TENANT_CLAIM: 'matih_tenant',
  MATIH_OIDC_ADMIN_GROUPS: '',
  MATIH_OIDC_ROLE_GROUPS: '',
  MATIH_OIDC_CLOCK_SKEW_S: '30',
} as const;
type OidcVariable = keyof typeof OIDC_VARIABLES;

/** One group → tenant role rule of MATIH_OIDC_ROLE_GROUPS. */
export interface OidcRoleGroup {
  role: TenantRole;
  group: string;
}

export interface OidcSettings {
  /** The `iss` every accepted token carries, exactly; its discovery document is at `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** What an accepted access token's `aud` must contain: the API's resource identifier at the provider. */
  audience: string;
  /** The dashboard's client (public, or confidential with `clientSecret`); undefined: no SSO sign-in, tokens are still accepted. */
  clientId: string | undefined;
  /** Used by the service alone, when it relays the dashboard's code exchange; never sent to a browser. */
  clientSecret: string | undefined;
  /** matihctl's client (a native, public one); default: `clientId`. */
  cliClientId: string | undefined;
  scopes: readonly string[];
  /** Send the audience as the RFC 8707 `resource` parameter when signing in (false for providers that refuse it). */
  resourceIndicator: boolean;
  groupsClaim: string;
  tenantClaim: string;
  /** A token with one of these groups is a platform admin. */
  adminGroups: readonly string[];
  /** A token with one of these groups and a tenant claim has that role in that tenant (the highest when several match). */
  roleGroups: readonly OidcRoleGroup[];
  clockSkewSeconds: number;
}

/** Undefined unless MATIH_OIDC_ISSUER is set; the secret is never echoed in a problem. */
export function parseOidcSettings(read: VariableReader<OidcVariable>, problems: string[]): OidcSettings | undefined {
  const issuer = read.optional('MATIH_OIDC_ISSUER');
  if (issuer === undefined) {
    const stray = Object.keys(OIDC_VARIABLES).filter((name) => (read.env[name]?.trim() ?? '') !== '');
    if (stray.length > 0) problems.push(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but MATIH_OIDC_ISSUER is not: set it, or unset them`);
    return undefined;
  }
  checkIssuer(issuer, problems);
  const audience = read.optional('MATIH_OIDC_AUDIENCE');
  if (audience === undefined) problems.push("MATIH_OIDC_AUDIENCE is required with MATIH_OIDC_ISSUER: the API's identifier at the provider, which its access tokens carry in `aud`");
  const clientId = read.optional('MATIH_OIDC_CLIENT_ID');
  const clientSecret = read.optional('MATIH_OIDC_CLIENT_SECRET');
  if (clientSecret !== undefined && clientId === undefined) problems.push('MATIH_OIDC_CLIENT_SECRET needs MATIH_OIDC_CLIENT_ID');
  const scopes = read.text('MATIH_OIDC_SCOPES').split(/[\s,]+/).filter(Boolean);
  if (!scopes.includes('openid')) problems.push(`MATIH_OIDC_SCOPES="${scopes.join(' ')}" must include openid`);
  const adminGroups = list(read.text('MATIH_OIDC_ADMIN_GROUPS'));
  const roleGroups = parseRoleGroups(read.text('MATIH_OIDC_ROLE_GROUPS'), problems);
  if (adminGroups.length === 0 && roleGroups.length === 0) {
    problems.push('MATIH_OIDC_ISSUER needs MATIH_OIDC_ADMIN_GROUPS or MATIH_OIDC_ROLE_GROUPS: without a group mapped to a role every token would be refused');
  }
  const claim = (name: 'MATIH_OIDC_GROUPS_CLAIM' | 'MATIH_OIDC_TENANT_CLAIM') => {
    const value = read.text(name);
    if (!/^[A-Za-z0-9_:./-]{1,200}$/.test(value)) problems.push(`${name}="${value}" must be a claim name (letters, digits, _ : . / -)`);
    return value;
  };
  return {
    issuer,
    audience: audience ?? '',
    clientId,
    clientSecret,
    cliClientId: read.optional('MATIH_OIDC_CLI_CLIENT_ID') ?? clientId,
    scopes,
    resourceIndicator: read.bool('MATIH_OIDC_RESOURCE_INDICATOR'),
    groupsClaim: claim('MATIH_OIDC_GROUPS_CLAIM'),
    tenantClaim: claim('MATIH_OIDC_TENANT_CLAIM'),
    adminGroups,
    roleGroups,
    clockSkewSeconds: read.int('MATIH_OIDC_CLOCK_SKEW_S', 0, 300),
  };
}

/** https, or plain http on a loopback address (a provider on the same machine, as the tests start). */
function checkIssuer(issuer: string, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    problems.push(`MATIH_OIDC_ISSUER="${issuer}" must be an https URL`);
    return;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) problems.push(`MATIH_OIDC_ISSUER="${issuer}" must be an https URL (http only on a loopback address)`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') problems.push(`MATIH_OIDC_ISSUER="${issuer}" must have no query, fragment or credentials`);
}

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `Admin:group-a,Analyst:group-b,Viewer:group-c`; a role may appear more than once. */
function parseRoleGroups(raw: string, problems: string[]): OidcRoleGroup[] {
  const rules: OidcRoleGroup[] = [];
  for (const entry of list(raw)) {
    const colon = entry.indexOf(':');
    const role = entry.slice(0, colon).trim();
    const group = entry.slice(colon + 1).trim();
    if (colon < 0 || group === '' || !(TENANT_ROLES as readonly string[]).includes(role)) {
      problems.push(`MATIH_OIDC_ROLE_GROUPS entry "${entry}" must be <role>:<group> with a role of ${TENANT_ROLES.join(', ')}`);
      continue;
    }
    rules.push({ role: role as TenantRole, group });
  }
  return rules;
}
