import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { Permission } from '../../domain/roles.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { bearerToken } from '../auth-hook.js';
import { listAudit } from '../../store/engine/list-audit.js';
import type { ApiDeps } from '../deps.js';
import { provisioningStatus } from '../provisioning-status.js';
import { credentialRefused } from '../request-limits.js';
import { requireRouteScope } from '../route-scopes.js';
import { TenantIdParams } from '../schemas/common.js';

export interface ProgressStreamOptions {
  /** How often a connection looks for new transitions in the database. */
  pollMs: number;
  /** How often an open stream's credential is checked again (default 1 s). */
  recheckMs?: number;
}

/** Close code for a credential that is (or became) no good: the 401 of the WebSocket world. */
const UNAUTHENTICATED_CLOSE = 4401;

/**
 * A credential's standing, asked of the authenticator again at most once per `everyMs` however many
 * streams present it: a thousand sockets on one token cost one check a second, not a thousand.
 */
class CredentialChecks {
  private readonly recent = new Map<string, { at: number; check: Promise<unknown> }>();
  constructor(
    private readonly authenticate: (bearer: string) => Promise<unknown>,
    private readonly everyMs: number,
  ) {}

  check(bearer: string): Promise<unknown> {
    const now = Date.now();
    const seen = this.recent.get(bearer);
    if (seen && now - seen.at < this.everyMs) return seen.check;
    const check = this.authenticate(bearer);
    // Failures are remembered too (a revoked token stays revoked), and the map never outgrows the
    // credentials checked within the last interval.
    check.catch(() => undefined);
    for (const [key, entry] of this.recent) if (now - entry.at >= this.everyMs) this.recent.delete(key);
    this.recent.set(bearer, { at: now, check });
    return check;
  }
}

/**
 * Live progress: GET /ws/provisioning/:id sends the status at connect, then every audit row
 * (transition) after the client's last sequence number, in order, each followed by the fresh
 * status. Transitions are read from the database, so any replica serves any tenant; a client
 * that reconnects with `?since=<last seq it saw>` misses nothing and sees nothing twice.
 *
 * A stream lasts no longer than its credential: the credential is checked again every second (a
 * revoked key or token, a suspended or deleted tenant end it) and a token's stream ends when the
 * token expires, each with close code 4401 and an error message saying why.
 */
export function provisioningStreamRoutes(options: ProgressStreamOptions): FastifyPluginAsyncTypebox<ApiDeps> {
  return async (app, deps) => {
    const { db } = deps.database;
    const recheckMs = options.recheckMs ?? 1_000;
    const checks = new CredentialChecks(deps.authenticate, recheckMs);
    app.get(
      '/ws/provisioning/:id',
      {
        websocket: true,
        // Authenticated after the upgrade (close code 4401): a refused upgrade leaves sockets behind.
        // A sign-in all the same: a refused credential counts against the address, and once it is
        // locked out the upgrade is refused (429).
        config: { public: true },
        schema: {
          tags: ['provisioning'],
          summary: 'WebSocket: status, then every transition live (authenticate with the Authorization header or subprotocol "bearer.<token>")',
          params: TenantIdParams,
          querystring: Type.Object({ since: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
        },
      },
      async (socket: WebSocket, request) => {
        let open = true;
        socket.on('close', () => {
          open = false;
        });
        const send = (message: unknown) => {
          if (open) socket.send(JSON.stringify(message));
        };
        const refuse = (error: unknown) => {
          const message = error instanceof Error ? error.message : 'unauthenticated';
          send({ type: 'error', code: ERROR_CODES.UNAUTHENTICATED.code, message });
          if (open) socket.close(UNAUTHENTICATED_CLOSE, message.slice(0, 120));
          open = false;
        };
        let expiry: NodeJS.Timeout | undefined;
        socket.on('close', () => clearTimeout(expiry));
        try {
          let principal;
          let bearer: string;
          try {
            bearer = bearerToken(request.headers);
            principal = await deps.authenticate(bearer).catch(async (error: unknown) => {
              throw await credentialRefused(deps, request, error);
            });
          } catch (error) {
            refuse(error);
            return;
          }
          requireTenantPermission(principal, request.params.id, Permission.TENANT_READ);
          requireRouteScope(principal, 'GET', request.routeOptions.url ?? '/ws/provisioning/:id');
          if (principal.expiresAt) {
            // setTimeout takes at most 2^31-1 ms; tokens live minutes to a day.
            const left = Math.min(Math.max(principal.expiresAt.getTime() - Date.now(), 0), 2 ** 31 - 1);
            expiry = setTimeout(() => refuse(new Error('the token has expired')), left);
          }
          let checkedAt = Date.now();
          const status = await provisioningStatus(db, request.params.id);
          const tenant = { id: request.params.id };
          send({ type: 'status', status });
          let last = request.query.since ?? status.lastSequence;
          while (open) {
            if (Date.now() - checkedAt >= recheckMs) {
              checkedAt = Date.now();
              const still = await checks.check(bearer).then(
                () => true,
                (error: unknown) => {
                  refuse(error);
                  return false;
                },
              );
              if (!still) return;
            }
            const rows = await listAudit(db, tenant.id, last, 200);
            for (const row of rows) send({ type: 'transition', ...row });
            if (rows.length > 0) {
              last = rows[rows.length - 1]!.seq;
              if (rows.length === 200) continue;
              // The status is read in one snapshot with the sequence of its last transition. When
              // a commit landed after the rows above (a job's last one, say), send its transitions
              // first: a client that stops at a final status must have seen every row before it.
              const fresh = await provisioningStatus(db, tenant.id);
              if (fresh.lastSequence > last) continue;
              send({ type: 'status', status: fresh });
            }
            await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs, recheckMs)));
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : 'stream failed';
          send({ type: 'error', message });
          // 4404: the tenant is gone or hidden from this caller; 1011: the server failed.
          if (open) socket.close(message.includes('does not exist') ? 4404 : 1011, message.slice(0, 120));
        }
      },
    );
  };
}
