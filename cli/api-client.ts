import type { Problem } from './api-types.js';
import type { Connection } from './connection.js';
import { ApiError, NotLoggedInError, UnreachableError } from './errors.js';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestOptions {
  /** The tenant API (8082, default) or the infrastructure API (8089). */
  api?: 'tenant' | 'infra';
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  /** Send no credential (public routes: the sign-in ones). */
  anonymous?: boolean;
}

const TIMEOUT_MS = 30_000;

/**
 * HTTP to the control plane: JSON in, JSON out, and every error status turned into an ApiError
 * carrying the problem+json document, so commands deal in results and exit codes only.
 */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  get server(): string {
    return this.connection.server;
  }

  /** The bearer credential, or NotLoggedInError before anything is sent. */
  credential(): string {
    if (!this.connection.token) throw new NotLoggedInError();
    return this.connection.token;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const base = options.api === 'infra' ? this.connection.infraServer : this.connection.server;
    const url = new URL(base + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly string[]) url.searchParams.append(key, v);
      else url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...(options.anonymous ? {} : { authorization: `Bearer ${this.credential()}` }),
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new UnreachableError(`cannot reach ${url.origin}: ${causeOf(error)}`);
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(problemOf(res.status, text));
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UnreachableError(`${url.origin} answered ${res.status} with a body that is not JSON; is it the MATIH API?`);
    }
  }
}

/** The problem+json body, or one made up from the status when a proxy answered instead. */
function problemOf(status: number, text: string): Problem {
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.code === 'string') {
      return { status, code: body.code, detail: typeof body.detail === 'string' ? body.detail : (body.title ?? `HTTP ${status}`), errors: Array.isArray(body.errors) ? body.errors : [] };
    }
  } catch {
    // not JSON: fall through
  }
  const snippet = text.trim().slice(0, 200);
  return { status, code: `http_${status}`, detail: snippet === '' ? `the server answered HTTP ${status}` : snippet };
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
    return error.message;
  }
  return String(error);
}
