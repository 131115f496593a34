import { DriverError } from '../contract.js';
import { describeNetworkError, isTransientStatus } from '../http-failures.js';

export interface PowerDnsClientOptions {
  /** The API's base, e.g. http://127.0.0.1:8081 (a path prefix is kept, for a proxy in front). */
  apiUrl: string;
  apiKey: string;
  /** The server id in /api/v1/servers/{id}; 'localhost' on every PowerDNS Authoritative. */
  serverId: string;
  /** One request may take this long. */
  timeoutMs: number;
  fetch: typeof fetch;
}

/** A 2xx answer, or one of the statuses the caller said it handles (404 on absent things). */
export interface PowerDnsAnswer {
  status: number;
  /** The parsed JSON body; undefined for an empty or non-JSON body. */
  body: unknown;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

// An API message is one line about the request; anything longer is a page we should not echo.
const MAX_MESSAGE_CHARS = 300;
const REDACTED = '[redacted]';
// Tries of one request answered 5xx or 429, with a short growing pause between them.
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 100;

/** A 5xx or 429 answer, worth another try at once; what the caller gets when the tries run out. */
class BusyServer extends Error {
  constructor(readonly driverError: DriverError) {
    super(driverError.message);
  }
}

/**
 * The PowerDNS Authoritative HTTP API v1, as far as the driver needs it. Every failure becomes a
 * DriverError that says whether trying again can help:
 * - no answer (refused connection, reset, timeout), 408, 429 and 5xx: retryable, the server or
 *   the network is having a moment;
 * - 401/403: permanent, the key is wrong or lacks rights; a person has to fix the configuration;
 * - other 4xx (400, 404 the caller did not expect, 422 "Parsing record content"): permanent,
 *   with the API's own message, since the same request will be refused again.
 * A 5xx or 429 is tried twice more at once before it is reported (see request()).
 * Messages name the server by host only and never carry the key, even if an API echoed it.
 * Redirects are not followed: fetch would send the X-API-Key header on to wherever it points.
 */
export class PowerDnsClient {
  private readonly base: string;
  private readonly host: string;

  constructor(private readonly options: PowerDnsClientOptions) {
    const url = parseApiUrl(options.apiUrl);
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) throw new DriverError('PowerDNS apiKey must not be empty', false);
    if (typeof options.serverId !== 'string' || options.serverId.length === 0) throw new DriverError('PowerDNS serverId must not be empty', false);
    this.host = url.host;
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v1/servers/${encodeURIComponent(options.serverId)}`;
  }

  /**
   * One request to `path` (below /api/v1/servers/{id}). Returns 2xx answers and those whose
   * status is in `accept`; throws a DriverError for the rest. A 5xx or 429 is tried again a
   * few times at once (every request the driver makes is idempotent): PowerDNS on SQLite answers
   * 500 "database is locked" to a write that meets another, and that passes in milliseconds.
   */
  async request(method: HttpMethod, path: string, options: { body?: unknown; accept?: readonly number[] } = {}): Promise<PowerDnsAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, path, options);
      } catch (error) {
        if (!(error instanceof BusyServer) || attempt >= ATTEMPTS) throw error instanceof BusyServer ? error.driverError : error;
        await delay(RETRY_DELAY_MS * attempt * (0.5 + Math.random()));
      }
    }
  }

  private async once(method: HttpMethod, path: string, options: { body?: unknown; accept?: readonly number[] }): Promise<PowerDnsAnswer> {
    const what = `PowerDNS ${this.host}: ${method} ${path}`;
    const headers: Record<string, string> = { 'x-api-key': this.options.apiKey, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        redirect: 'manual',
        signal: timeout,
      });
      // Read in full inside the deadline: a server that stalls mid-body is as absent as a silent one.
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted ? `no answer within ${this.options.timeoutMs} ms` : describeNetworkError(error);
      // The cause stays out: it is ours to log, and some fetch implementations put the request (and its headers) in it.
      throw new DriverError(this.redact(`${what}: ${reason}`), true);
    }

    const body = parseJson(text);
    const detail = apiMessage(body, text);
    // Servers before 4.2 answer an absent zone 422 "Could not find domain"; callers handle one absence, 404.
    const status = response.status === 422 && /could not find domain/i.test(detail) ? 404 : response.status;
    if ((status >= 200 && status < 300) || options.accept?.includes(status)) return { status, body };

    const answered = `${what} answered ${response.status}${detail ? `: ${detail}` : ''}`;
    if (response.status === 401 || response.status === 403) {
      throw new DriverError(this.redact(`${answered} (the API key is wrong or may not do this; check the configured key)`), false);
    }
    if (response.status >= 300 && response.status < 400) {
      throw new DriverError(this.redact(`${answered} (a redirect, not followed: point the API URL at the server itself)`), false);
    }
    const error = new DriverError(this.redact(answered), isTransientStatus(response.status));
    if (response.status === 429 || response.status >= 500) throw new BusyServer(error);
    throw error;
  }

  /** Defence in depth: a proxy or a future API version echoing the key must not leak it into errors and logs. */
  private redact(message: string): string {
    return message.replaceAll(this.options.apiKey, REDACTED);
  }
}

function parseApiUrl(apiUrl: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(apiUrl));
  } catch {
    throw new DriverError('PowerDNS apiUrl is not a URL (e.g. http://127.0.0.1:8081)', false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DriverError(`PowerDNS apiUrl must be http or https, not ${url.protocol}`, false);
  // Credentials in the URL would end up in messages; the API authenticates with the key alone.
  if (url.username !== '' || url.password !== '') throw new DriverError('PowerDNS apiUrl must not carry credentials (the API key is given apart)', false);
  if (url.search !== '' || url.hash !== '') throw new DriverError('PowerDNS apiUrl must not have a query or fragment', false);
  return url;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // "Not Found" and friends come as plain text
  }
}

/** PowerDNS explains refusals as {"error": "..."}; some answers are plain text ("Not Found"). */
function apiMessage(body: unknown, text: string): string {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const message = (typeof error === 'string' ? error : text).replace(/\s+/g, ' ').trim();
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message;
}
