import type { AuditEntry, HistoryEntry, ProvisioningStatus } from './types.js';

export type LinkState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; inMs: number; attempt: number }
  /** The server refused for good: 4401 no valid token, 4404 no such tenant for this caller. */
  | { kind: 'refused'; code: number; reason: string };

export interface LiveHandlers {
  status(status: ProvisioningStatus): void;
  transition(entry: AuditEntry): void;
  link(state: LinkState): void;
}

/** What the stream sends: the status at connect and after each batch, and each audit row. */
type Message =
  | { type: 'status'; status: ProvisioningStatus }
  | ({ type: 'transition' } & HistoryEntry)
  | { type: 'error'; code?: string; message: string };

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/**
 * Follows GET /ws/provisioning/:id. The token goes in the subprotocol `bearer.<token>` (a
 * browser cannot set headers on a WebSocket, and a URL would end up in logs). When the
 * connection drops it comes back after a growing, jittered delay and asks for the transitions
 * after the last one it saw (`?since=`), so none is missed or repeated. `after`: the last
 * transition the caller already has (from the history API); the stream starts after it.
 * Returns a stop function.
 */
export function followProvisioning(tenantId: string, token: string, on: LiveHandlers, after?: number): () => void {
  let since = after;
  let attempt = 0;
  let stopped = false;
  let socket: WebSocket | undefined;
  let timer: number | undefined;

  const connect = () => {
    on.link({ kind: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = since === undefined ? '' : `?since=${since}`;
    const ws = new WebSocket(`${scheme}://${location.host}/ws/provisioning/${encodeURIComponent(tenantId)}${query}`, ['matih.v1', `bearer.${token}`]);
    socket = ws;
    let reason = '';
    ws.onopen = () => {
      attempt = 0;
      on.link({ kind: 'live' });
    };
    ws.onmessage = (event: MessageEvent<string>) => {
      let message: Message;
      try {
        message = JSON.parse(event.data) as Message;
      } catch {
        return;
      }
      if (message.type === 'status') {
        // The first status says where the stream starts; later ones may run ahead of the rows sent.
        since ??= message.status.lastSequence;
        on.status(message.status);
      } else if (message.type === 'transition') {
        const { type: _type, createdAt, ...row } = message;
        since = Math.max(since ?? 0, row.seq);
        on.transition({ ...row, time: createdAt });
      } else if (message.type === 'error') {
        reason = message.message;
      }
    };
    ws.onclose = (event: CloseEvent) => {
      if (stopped || socket !== ws) return;
      if (event.code === 4401 || event.code === 4404) {
        on.link({ kind: 'refused', code: event.code, reason: event.reason || reason });
        return;
      }
      const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
      const inMs = Math.round(base / 2 + (Math.random() * base) / 2);
      attempt += 1;
      on.link({ kind: 'reconnecting', inMs, attempt });
      timer = window.setTimeout(connect, inMs);
    };
  };

  connect();
  return () => {
    stopped = true;
    if (timer !== undefined) window.clearTimeout(timer);
    socket?.close(1000, 'page left');
  };
}
