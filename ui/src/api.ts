import type { FieldProblem, Problem } from './types.js';

/**
 * The dashboard's only way to the service: fetch with the signed-in bearer token, errors as
 * problem+json. The token lives in sessionStorage (gone with the tab, never in a URL or a
 * cookie, so no other site can make the browser use it).
 */
const TOKEN_KEY = 'matih.dashboard.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer other than 2xx; `problem` is the API's problem document when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The first message for each field the API named. */
  fieldErrors(): Map<string, string> {
    const fields = new Map<string, string>();
    for (const e of this.problem?.errors ?? []) if (!fields.has(e.field)) fields.set(e.field, e.message);
    return fields;
  }

  get fieldProblems(): readonly FieldProblem[] {
    return this.problem?.errors ?? [];
  }
}

/** The request never got an answer: the server is down, unreachable, or refused by CORS. */
export class NetworkError extends Error {
  constructor(readonly url: string) {
    super(`could not reach ${url}`);
    this.name = 'NetworkError';
  }
}

type Unauthorized = (message: string) => void;
let onUnauthorized: Unauthorized = () => undefined;

/** What to do when the token stops working (expired, revoked, tenant suspended): sign out. */
export function whenUnauthorized(handler: Unauthorized): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A token other than the stored one (signing in checks a token before keeping it). */
  token?: string;
  /** Another origin (the infrastructure API). */
  base?: string;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? storedToken();
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const url = `${options.base ?? ''}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError(options.base ? url : path);
  }
  const type = response.headers.get('content-type') ?? '';
  const payload: unknown = response.status === 204 || !type.includes('json') ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    const problem = isProblem(payload) ? payload : undefined;
    const message = problem?.detail ?? `${response.status} ${response.statusText}`;
    if (response.status === 401 && options.token === undefined) onUnauthorized(message);
    throw new ApiError(response.status, problem, message);
  }
  return payload as T;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number';
}

/** A message fit for an error panel, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const code = error.problem?.code ? ` (${error.problem.code})` : '';
    return `${error.message}${code}`;
  }
  if (error instanceof NetworkError) return `${error.message}: the service did not answer`;
  return error instanceof Error ? error.message : String(error);
}

let infraBase: Promise<string | undefined> | undefined;

/**
 * Where the infrastructure API is (same host, its own port), as the service says; undefined when
 * it does not say. Asked once per page load.
 */
export function infrastructureBase(): Promise<string | undefined> {
  infraBase ??= fetch('/dashboard-config.json', { cache: 'no-store' })
    .then((r) => (r.ok ? (r.json() as Promise<{ infraPort: number | null }>) : { infraPort: null }))
    .then(({ infraPort }) => (infraPort === null ? undefined : `${location.protocol}//${location.hostname}:${infraPort}`))
    .catch(() => undefined);
  return infraBase;
}

/** A read of the infrastructure API; NetworkError when the service does not say where it is. */
export async function infraApi<T>(path: string): Promise<T> {
  const base = await infrastructureBase();
  if (base === undefined) throw new NetworkError('the infrastructure API (this service did not say where it listens)');
  return api<T>(path, { base });
}
