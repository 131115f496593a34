import { cidrProblem, parseIp } from '../domain/cidr.js';
import type { VariableReader } from './variable-reader.js';

/**
 * Rate limits and lockouts (api/request-limits.ts): requests per credential and per tenant in a
 * fixed window, failed sign-ins per client address and wrong deletion codes per tenant before a
 * lockout, all counted in the control-plane database so that replicas share them; and which
 * proxies may name the client address (the key of the per-address counters).
 */
export const REQUEST_LIMIT_VARIABLES = {
  MATIH_RATE_LIMIT_PER_CREDENTIAL: '600',
  MATIH_RATE_LIMIT_PER_TENANT: '1200',
  MATIH_RATE_LIMIT_WINDOW_S: '60',
  MATIH_LOGIN_LOCKOUT_FAILURES: '10',
  MATIH_LOGIN_LOCKOUT_WINDOW_S: '900',
  MATIH_DELETION_LOCKOUT_FAILURES: '5',
  MATIH_DELETION_LOCKOUT_WINDOW_S: '900',
  MATIH_TRUST_PROXY: '',
} as const;
type RequestLimitVariable = keyof typeof REQUEST_LIMIT_VARIABLES;

/** So many failures within a window lock the door until the window ends; 0 failures: no lockout. */
export interface LockoutSettings {
  failures: number;
  windowMs: number;
}

/** Fastify's `trustProxy`: false (the socket's peer), true (any proxy), a hop count, or the proxies' addresses and blocks. */
export type TrustProxy = boolean | number | readonly string[];

export interface RequestLimitSettings {
  /** Requests per window of one credential (an API key with its tokens, an OIDC subject, the bootstrap token; without one, the client address); 0: no limit. */
  perCredential: number;
  /** Requests per window of every credential of one tenant together; 0: no limit. */
  perTenant: number;
  /** The rate limits' fixed window. */
  windowMs: number;
  /** Refused credentials per client address (POST /api/v1/auth/token, bearer tokens). */
  loginLockout: LockoutSettings;
  /** Wrong deletion confirmation codes per tenant (DELETE /api/v1/tenants/:id). */
  deletionLockout: LockoutSettings;
  /** Who may say, in X-Forwarded-For, which address a request came from (MATIH_TRUST_PROXY). */
  trustProxy: TrustProxy;
}

export function parseRequestLimitSettings(read: VariableReader<RequestLimitVariable>, problems: string[]): RequestLimitSettings {
  return {
    perCredential: read.int('MATIH_RATE_LIMIT_PER_CREDENTIAL', 0, 1_000_000),
    perTenant: read.int('MATIH_RATE_LIMIT_PER_TENANT', 0, 1_000_000),
    windowMs: read.int('MATIH_RATE_LIMIT_WINDOW_S', 1, 3600) * 1000,
    loginLockout: { failures: read.int('MATIH_LOGIN_LOCKOUT_FAILURES', 0, 10_000), windowMs: read.int('MATIH_LOGIN_LOCKOUT_WINDOW_S', 1, 86_400) * 1000 },
    deletionLockout: { failures: read.int('MATIH_DELETION_LOCKOUT_FAILURES', 0, 10_000), windowMs: read.int('MATIH_DELETION_LOCKOUT_WINDOW_S', 1, 86_400) * 1000 },
    trustProxy: parseTrustProxy(read.text('MATIH_TRUST_PROXY'), problems),
  };
}

/** Empty or `false`: nobody; `true`: any peer; a whole number: that many proxies in front; else addresses and CIDR blocks, comma-separated. */
function parseTrustProxy(text: string, problems: string[]): TrustProxy {
  const value = text.toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((item) => (item.includes('/') ? cidrProblem(item) !== undefined : parseIp(item) === undefined));
  if (bad.length > 0) {
    problems.push(`MATIH_TRUST_PROXY: ${bad.map((b) => `"${b}"`).join(', ')} must be addresses or CIDR blocks (or true, false, a hop count)`);
    return false;
  }
  return items;
}
