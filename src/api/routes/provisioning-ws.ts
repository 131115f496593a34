import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { ERROR_CODES, ErrorKind } from '../../domain/error-codes.js';
import { MatihError } from '../../domain/errors.js';
import { Permission } from '../../domain/roles.js';
import { requireTenantPermission } from '../../iam/principal.js';
import { bearerToken } from '../auth-hook.js';
import { CredentialWatch } from '../credential-watch.js';
import type { ApiDeps } from '../deps.js';
import { ProgressFanout } from '../progress-fanout.js';
import { provisioningStatus } from '../provisioning-status.js';
import { credentialRefused } from '../request-limits.js';
import { requireRouteScope } from '../route-scopes.js';
import { TenantIdParams } from '../schemas/common.js';

export interface ProgressStreamOptions {
  /**
   * How often the process checks the watched tenants' sequences beside NOTIFY (the safety net of
   * progress-listener.ts; a stream learns of new transitions by NOTIFY, within milliseconds).
   */
  checkMs: number;
  /** How often an open stream's credential is checked again (default 1 s). */
  recheckMs?: number;
}

/** Close code for a credential that is (or became) no good: the 401 of the WebSocket world. */
const UNAUTHENTICATED_CLOSE = 4401;

/**
 * Live progress: GET /ws/provisioning/:id sends the status at connect, then every audit row
 * (transition) after the client's last sequence number, in order, each followed by the fresh
 * status. Transitions are read from the database, so any replica serves any tenant; a client
 * that reconnects with `?since=<last seq it saw>` misses nothing and sees nothing twice. The
 * process learns of new transitions by NOTIFY and reads them once for all the tenant's sockets
 * (progress-fanout.ts).
 *
 * A stream lasts no longer than its credential: the credential is checked again every second (a
 * revoked key or token, a suspended or deleted tenant end it) and a token's stream ends when the
 * token expires, each with close code 4401 and an error message saying why.
 */
export function provisioningStreamRoutes(options: ProgressStreamOptions): FastifyPluginAsyncTypebox<ApiDeps> {
  return async (app, deps) => {
    const { db } = deps.database;
    const credentials = new CredentialWatch(deps.recheckCredentials, options.recheckMs ?? 1_000);
    const fanout = new ProgressFanout(deps.database, deps.logger, options.checkMs);
    app.addHook('onClose', async () => {
      credentials.close();
      await fanout.close();
    });
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
          // A lockout (429) is said as such; any other refusal of the credential is a 4401.
          const code = error instanceof MatihError && error.kind === ErrorKind.TOO_MANY_REQUESTS ? error.code : ERROR_CODES.UNAUTHENTICATED.code;
          send({ type: 'error', code, message });
          if (open) socket.close(code === ERROR_CODES.UNAUTHENTICATED.code ? UNAUTHENTICATED_CLOSE : 4429, message.slice(0, 120));
          open = false;
        };
        const fail = (error: unknown) => {
          const message = error instanceof Error ? error.message : 'stream failed';
          send({ type: 'error', ...(error instanceof MatihError ? { code: error.code } : {}), message });
          // 4403: the credential may not read this tenant (its role or its key's scopes); 4404: the
          // tenant is gone or hidden from this caller; 1011: the server failed.
          const close = error instanceof MatihError && error.kind === ErrorKind.FORBIDDEN ? 4403 : message.includes('does not exist') ? 4404 : 1011;
          if (open) socket.close(close, message.slice(0, 120));
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
          // Gone while it was authenticated: its close event has fired, nothing below would be undone.
          if (!open) return;
          if (principal.expiresAt) {
            // setTimeout takes at most 2^31-1 ms; tokens live minutes to a day.
            const left = Math.min(Math.max(principal.expiresAt.getTime() - Date.now(), 0), 2 ** 31 - 1);
            expiry = setTimeout(() => refuse(new Error('the token has expired')), left);
          }
          socket.on('close', credentials.watch(bearer, refuse));
          // Joined before the status is read: whatever is committed from here on reaches this socket.
          const subscription = fanout.join(request.params.id, {
            send: (frame) => {
              if (open) socket.send(frame);
            },
            fail: (error) => fail(error),
          });
          socket.on('close', () => subscription.end());
          const status = await provisioningStatus(db, request.params.id);
          send({ type: 'status', status });
          await subscription.start(status, request.query.since);
        } catch (error) {
          fail(error);
        }
      },
    );
  };
}
