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
import { TenantIdParams } from '../schemas/common.js';

export interface ProgressStreamOptions {
  /** How often a connection looks for new transitions in the database. */
  pollMs: number;
}

/**
 * Live progress: GET /ws/provisioning/:id sends the status at connect, then every audit row
 * (transition) after the client's last sequence number, in order, each followed by the fresh
 * status. Transitions are read from the database, so any replica serves any tenant; a client
 * that reconnects with `?since=<last seq it saw>` misses nothing and sees nothing twice.
 */
export function provisioningStreamRoutes(options: ProgressStreamOptions): FastifyPluginAsyncTypebox<ApiDeps> {
  return async (app, deps) => {
    const { db } = deps.database;
    app.get(
      '/ws/provisioning/:id',
      {
        websocket: true,
        // Authenticated after the upgrade (close code 4401): a refused upgrade leaves sockets behind.
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
        try {
          let principal;
          try {
            principal = await deps.authenticate(bearerToken(request.headers));
          } catch (error) {
            const message = error instanceof Error ? error.message : 'unauthenticated';
            send({ type: 'error', code: ERROR_CODES.UNAUTHENTICATED.code, message });
            socket.close(4401, message.slice(0, 120));
            return;
          }
          requireTenantPermission(principal, request.params.id, Permission.TENANT_READ);
          const status = await provisioningStatus(db, request.params.id);
          const tenant = { id: request.params.id };
          send({ type: 'status', status });
          let last = request.query.since ?? status.lastSequence;
          while (open) {
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
            await new Promise((resolve) => setTimeout(resolve, options.pollMs));
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
