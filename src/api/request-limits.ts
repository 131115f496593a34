import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LockoutSettings, RequestLimitSettings } from '../config/request-limit-settings.js';
import { ERROR_CODES } from '../domain/error-codes.js';
import { TooManyRequestsError, UnauthenticatedError } from '../domain/errors.js';
import type { Principal } from '../iam/principal.js';
import { type CounterState, countHits, readCounter } from '../store/limits/request-counters.js';
import type { Db } from '../store/open-database.js';
import type { ApiDeps } from './deps.js';

/**
 * Rate limits and lockouts, counted in the control-plane database so that every replica sees the
 * same counts (store/limits/request-counters.ts: fixed windows, one row per key).
 *
 * **Rate limits** (@fastify/rate-limit with a store over that table): each request counts against
 * its credential (an API key and the tokens exchanged for it, an OpenID subject, the bootstrap
 * token; a request without one, against its client address) and, when the credential belongs to
 * a tenant, against the tenant: both in the one statement the store runs. The limiter runs in an
 * onRequest hook added right after the auth hook, so the principal is set; unknown paths (404)
 * count against the address. Routes with `config: { rateLimit: false }` (health, readiness,
 * metrics) are not counted.
 *
 * **Lockouts**: refused credentials count against the client address (auth hook, token exchange,
 * WebSocket), wrong deletion codes against the tenant (routes/lifecycle.ts). Past so many failures
 * in a window, a refused credential is answered 429 instead of 401 until the window ends; a
 * credential that verifies is still served. Every credential here (API keys, our tokens, the
 * provider's signed tokens, a bootstrap token of 24 characters or more) is beyond guessing, so
 * refusing the right one would protect nothing, and it would let anyone behind the same address
 * (a NAT, a proxy without MATIH_TRUST_PROXY, an IPv6 /64) lock every admin out with ten bad
 * requests. A deletion code is short enough to guess: there the right code is refused too.
 */
export async function installRequestLimits(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const settings = deps.requestLimits;
  if (!settings) return;
  const { db } = deps.database;
  const rateLimited = settings.perCredential > 0 || settings.perTenant > 0;
  // The lockouts need no hook: the places that refuse a credential or a code count them.
  if (!rateLimited) return;

  if (rateLimited) {
    await app.register(rateLimit, {
      // Not a hook of its own on each route: the one below runs it, right after the auth hook.
      global: false,
      timeWindow: settings.windowMs,
      store: counterStore(db),
      keyGenerator: (request) => encodePlan(planOf(request, settings)),
      // The first policy's limit: the credential's (or address's), else the tenant's.
      max: (request) => planOf(request, settings).policies[0]?.limit ?? 0,
      // The store's errors (the database away) reach the error handler as they are.
      skipOnError: false,
      errorResponseBuilder: (request, context) => {
        const retryAfter = Math.max(1, Math.ceil(context.ttl / 1000));
        return new TooManyRequestsError(retryAfter, ERROR_CODES.RATE_LIMITED, describe(planOf(request, settings).policies, settings.windowMs), retryAfter);
      },
    });
  }
  const limit = app.rateLimit();

  const check = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.rateLimit === false) return;
    if (limit && planOf(request, settings).policies.length > 0) await limit.call(this, request, reply);
  };
  // An instance hook added right after the auth hook: it runs after it, with the principal set,
  // and before whatever else checks the request (a request refused later is counted too).
  // WebSocket routes are the exception: @fastify/websocket marks an upgrade in an onRequest hook
  // of its own, registered later, and destroys the socket of a refused upgrade only when marked;
  // their check is a route hook, which runs after every instance hook.
  const websocketRoutes = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (!route.websocket) return;
    for (const method of [route.method].flat()) websocketRoutes.add(`${method} ${route.url}`);
    const hooks = [route.onRequest ?? []].flat();
    // Fastify's HEAD twin of a GET route comes with the GET's options, this hook among them.
    if (!hooks.includes(check)) route.onRequest = [...hooks, check];
  });
  app.addHook('onRequest', async function (request, reply) {
    if (websocketRoutes.has(`${request.method} ${request.routeOptions.url}`)) return;
    await check.call(this, request, reply);
  });
}

/**
 * A credential was refused (401): counts it against the client address and returns what to throw,
 * the refusal itself or, once the address is past its failures, the lockout. Other errors (a 403,
 * the OpenID Provider away) are no failed sign-in and pass through uncounted.
 */
export async function credentialRefused(deps: ApiDeps, request: FastifyRequest, error: unknown): Promise<unknown> {
  const lockout = deps.requestLimits?.loginLockout;
  if (!lockout || lockout.failures === 0 || !(error instanceof UnauthenticatedError)) return error;
  const state = await countFailure(deps.database.db, loginKey(request), lockout);
  return state.count > lockout.failures ? loginLockedOut(lockout, state) : error;
}

/** Before a deletion code is checked: refused while the tenant's deletion is locked out. */
export async function refuseLockedOutDeletion(deps: ApiDeps, tenantId: string): Promise<void> {
  const lockout = deps.requestLimits?.deletionLockout;
  if (!lockout || lockout.failures === 0) return;
  const locked = lockedOut(lockout, await readCounter(deps.database.db, deletionKey(tenantId)));
  if (locked) throw deletionLockedOut(lockout, locked);
}

/** A wrong deletion code: counted against the tenant; returns what to throw (the refusal, or the lockout when it came during one). */
export async function wrongDeletionCode(deps: ApiDeps, tenantId: string, error: unknown): Promise<unknown> {
  const lockout = deps.requestLimits?.deletionLockout;
  if (!lockout || lockout.failures === 0) return error;
  const state = await countFailure(deps.database.db, deletionKey(tenantId), lockout);
  return state.count > lockout.failures ? deletionLockedOut(lockout, state) : error;
}

/* ------------------------------------------ the plan ------------------------------------------ */

/** One limit a request counts against: the counter's key, its limit, and how the 429 names it. */
interface Policy {
  key: string;
  limit: number;
  what: string;
}

interface Plan {
  policies: Policy[];
}

const plans = new WeakMap<FastifyRequest, Plan>();
const TENANT = 'its tenant';

/** What a request counts against, worked out once (the limiter asks several times). */
function planOf(request: FastifyRequest, settings: RequestLimitSettings): Plan {
  let plan = plans.get(request);
  if (plan) return plan;
  // Null on public routes: the auth hook sets it on the others before any limit is looked at.
  const principal = request.principal as Principal | null;
  const policies: Policy[] = [];
  if (principal === null) {
    if (settings.perCredential > 0) policies.push({ key: `rate:address:${clientAddress(request)}`, limit: settings.perCredential, what: 'this address' });
  } else {
    if (settings.perCredential > 0) policies.push({ key: `rate:credential:${credentialOf(principal)}`, limit: settings.perCredential, what: 'this credential' });
    if (principal.tenantId !== null && settings.perTenant > 0) policies.push({ key: `rate:tenant:${principal.tenantId}`, limit: settings.perTenant, what: TENANT });
  }
  plan = { policies };
  plans.set(request, plan);
  return plan;
}

/** The credential behind a principal: an API key and the tokens exchanged for it share one. */
function credentialOf(principal: Principal): string {
  return principal.apiKeyId !== undefined ? `api-key:${principal.apiKeyId}` : principal.actor;
}

/** The client address (MATIH_TRUST_PROXY decides whether a proxy may name it); an IPv6 client is its /64. */
function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip, 64);
}

const loginKey = (request: FastifyRequest) => `lockout:login:${clientAddress(request)}`;
const deletionKey = (tenantId: string) => `lockout:deletion:${tenantId}`;

/** The plan as the limiter's key: the store reads the counters back from it. */
function encodePlan(plan: Plan): string {
  return JSON.stringify(plan.policies.map((p) => [p.key, p.limit]));
}

function decodePlan(key: string): [string, number][] {
  return JSON.parse(key) as [string, number][];
}

/** The limits of a 429: "this credential may make 600 requests per minute, and its tenant 1200". */
function describe(policies: readonly Policy[], windowMs: number): string {
  const per = windowMs === 60_000 ? 'per minute' : `per ${windowMs / 1000} s`;
  const [first, ...rest] = policies;
  if (!first) return 'no limit applies';
  const subject = first.what === TENANT ? 'the tenant of this credential' : first.what;
  return [`${subject} may make ${first.limit} requests ${per}`, ...rest.map((p) => `${p.what} ${p.limit}`)].join(', and ');
}

/* ------------------------------------------ the store ------------------------------------------ */

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * The limiter's store over the counters table. The plugin knows one counter and one maximum per
 * request; a request here counts against up to two (its credential's and its tenant's), so the
 * store answers with the tighter one expressed against the plugin's maximum: `current` such that
 * max - current is the requests left before either limit, and the time until the window that
 * binds ends (the latest of those exceeded, when some are).
 */
function counterStore(db: Db) {
  return class CounterStore {
    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void {
      const counters = decodePlan(key);
      countHits(
        db,
        counters.map(([counter]) => ({ key: counter, windowMs: timeWindow })),
      ).then(
        (counted) => callback(null, tighter(counters, counted, max)),
        (error: Error) => callback(error),
      );
    }

    child(): CounterStore {
      return this;
    }
  };
}

/** The binding counter, as the plugin's `current` against `max`, and its time to reset. */
function tighter(limits: readonly (readonly [string, number])[], counted: readonly CounterState[], max: number): { current: number; ttl: number } {
  const states = limits.map(([key, limit]) => {
    const state = counted.find((c) => c.key === key);
    return { left: limit - (state?.count ?? 0), ttl: state?.ttlMs ?? 0 };
  });
  if (states.length === 0) return { current: 0, ttl: 0 };
  const left = Math.min(...states.map((s) => s.left));
  const binding = left < 0 ? states.filter((s) => s.left < 0) : states.filter((s) => s.left === left);
  return { current: max - left, ttl: Math.max(...binding.map((s) => s.ttl)) };
}

/* ------------------------------------------ lockouts ------------------------------------------ */

async function countFailure(db: Db, key: string, lockout: LockoutSettings): Promise<CounterState> {
  const counted = await countHits(db, [{ key, windowMs: lockout.windowMs }]);
  return counted[0] ?? { key, count: 1, ttlMs: lockout.windowMs };
}

/** The counter when it says locked (its failures reached the limit), else undefined. */
function lockedOut(lockout: LockoutSettings, state: CounterState | undefined): CounterState | undefined {
  return lockout.failures > 0 && state !== undefined && state.count >= lockout.failures ? state : undefined;
}

function retryAfter(state: CounterState): number {
  return Math.max(1, Math.ceil(state.ttlMs / 1000));
}

function loginLockedOut(lockout: LockoutSettings, state: CounterState): TooManyRequestsError {
  const seconds = retryAfter(state);
  return new TooManyRequestsError(seconds, ERROR_CODES.LOGIN_LOCKED_OUT, lockout.failures, lockout.windowMs / 1000, seconds);
}

function deletionLockedOut(lockout: LockoutSettings, state: CounterState): TooManyRequestsError {
  const seconds = retryAfter(state);
  return new TooManyRequestsError(seconds, ERROR_CODES.DELETION_LOCKED_OUT, lockout.failures, lockout.windowMs / 1000, seconds);
}
