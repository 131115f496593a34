import WebSocket from 'ws';
import type { ProvisioningStatus, Transition } from './api-types.js';
import { CliError, UnreachableError } from './errors.js';
import { ExitCode, exitCodeForStatus } from './exit-codes.js';
import { isJobFinished } from './progress-bars.js';

/**
 * Follows GET /ws/provisioning/:id until the tenant's job finishes. The server sends the status,
 * then every transition after `since`, each batch followed by a fresh status. A dropped
 * connection is reopened with `?since=<last seq seen>`, so nothing is missed or repeated.
 */

export interface WatchOptions {
  /** The tenant API's http(s) base URL. */
  server: string;
  tenantId: string;
  token: string;
  onStatus(status: ProvisioningStatus): void;
  onTransition(transition: Transition): void;
  /** Told before each reconnect: how many attempts in a row so far, and why. */
  onReconnect?(attempt: number, reason: string): void;
  /** Consecutive failed connections before giving up (exit 7). */
  maxReconnects?: number;
}

type Outcome = { kind: 'finished'; status: ProvisioningStatus } | { kind: 'closed'; code: number; reason: string; progressed: boolean };

const PING_MS = 15_000;

export async function watchProgress(options: WatchOptions): Promise<ProvisioningStatus> {
  const maxReconnects = options.maxReconnects ?? 30;
  let since: number | undefined;
  let failures = 0;
  const state = {
    get since() {
      return since;
    },
    advance(seq: number) {
      since = since === undefined ? seq : Math.max(since, seq);
    },
  };
  for (;;) {
    const outcome = await connectOnce(options, state);
    if (outcome.kind === 'finished') return outcome.status;
    if (outcome.code === 4401) throw new CliError('unauthenticated', outcome.reason || 'the token was refused', ExitCode.AUTH);
    if (outcome.code === 4404) throw new CliError('not_found', outcome.reason || `tenant ${options.tenantId} does not exist`, ExitCode.NOT_FOUND);
    const refused = /Unexpected server response: (\d{3})/.exec(outcome.reason);
    if (refused && Number(refused[1]) < 500) {
      const status = Number(refused[1]);
      throw new CliError(`http_${status}`, `the progress stream was refused: HTTP ${status}`, exitCodeForStatus(status));
    }
    failures = outcome.progressed ? 1 : failures + 1;
    if (failures > maxReconnects) throw new UnreachableError(`lost the progress stream of tenant ${options.tenantId}: ${outcome.reason || `closed with ${outcome.code}`}`);
    options.onReconnect?.(failures, outcome.reason || `closed with ${outcome.code}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** (failures - 1), 3_000)));
  }
}

function streamUrl(server: string, tenantId: string, since: number | undefined): string {
  const url = new URL(`${server}/ws/provisioning/${encodeURIComponent(tenantId)}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (since !== undefined) url.searchParams.set('since', String(since));
  return url.toString();
}

function connectOnce(options: WatchOptions, state: { readonly since: number | undefined; advance(seq: number): void }): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(streamUrl(options.server, options.tenantId, state.since), {
      headers: { authorization: `Bearer ${options.token}` },
      handshakeTimeout: 10_000,
    });
    let progressed = false;
    let lastError = '';
    let finished: ProvisioningStatus | undefined;
    let alive = true;
    // A half-open connection (server gone without a FIN) would otherwise wait forever.
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, PING_MS);
    socket.on('pong', () => (alive = true));
    socket.on('message', (data: WebSocket.RawData) => {
      progressed = true;
      alive = true;
      let message: { type?: string; status?: ProvisioningStatus; message?: string } & Partial<Transition>;
      try {
        message = JSON.parse(textOf(data)) as typeof message;
      } catch {
        return;
      }
      if (message.type === 'status' && message.status) {
        if (state.since === undefined) state.advance(message.status.lastSequence);
        options.onStatus(message.status);
        if (isJobFinished(message.status) && !finished) {
          finished = message.status;
          socket.close(1000);
        }
      } else if (message.type === 'transition' && typeof message.seq === 'number') {
        if (state.since !== undefined && message.seq <= state.since) return;
        state.advance(message.seq);
        options.onTransition(message as Transition);
      } else if (message.type === 'error' && message.message) {
        lastError = message.message;
      }
    });
    socket.on('error', (error) => {
      lastError = error.message;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      clearInterval(pinger);
      if (finished) resolve({ kind: 'finished', status: finished });
      else resolve({ kind: 'closed', code, reason: reason.toString() || lastError, progressed });
    });
  });
}

function textOf(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
