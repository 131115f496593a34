import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResponseJson } from '../api-types/tenant-api.js';
import type { ApiClient } from './api-client.js';
import { type StoredConfig, type StoredCredential, writeConfig } from './config-store.js';
import { ApiError, CliError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './output.js';

/**
 * `matihctl login --oidc`: OAuth 2.0 for native apps (RFC 8252). matihctl listens on a loopback
 * port of its own (127.0.0.1, any free port, or --callback-port), sends the user's browser to the
 * provider's authorization endpoint with a PKCE challenge (RFC 7636), and waits for the provider
 * to redirect the browser back with a code; it redeems the code, with its verifier, through the
 * service (POST /api/v1/auth/oidc/token). Everything it needs (issuer, client id, scopes,
 * audience) comes from GET /api/v1/auth/oidc/config, so the server address is all a user gives.
 *
 * The access token is stored like a token from `login --token`, with the refresh token and the
 * expiry; a command run within a minute of the expiry first renews it (renewIfDue).
 */

type OidcConfig = ResponseJson<'/api/v1/auth/oidc/config', 'get'>;
type OidcTokens = ResponseJson<'/api/v1/auth/oidc/token', 'post'>;

export interface OidcLoginOptions {
  /** The loopback port to listen on; undefined: any free one (RFC 8252 7.3: the provider must accept any port). */
  port: number | undefined;
  /** Start the system's browser (only on a terminal). */
  openBrowser: boolean;
  timeoutMs: number;
}

/** How long a sign-in may take in the browser. */
export const LOGIN_TIMEOUT_MS = 5 * 60_000;
/** Renew the access token when it has less than this left. */
const RENEW_BEFORE_MS = 60_000;

/** The browser sign-in; answers the credential to store. */
export async function loginWithOidc(io: Io, client: ApiClient, options: OidcLoginOptions): Promise<StoredCredential> {
  const config = await client.request<OidcConfig>('GET', '/api/v1/auth/oidc/config', { anonymous: true });
  const clientId = config.cliClientId;
  if (!clientId) throw new CliError('no_oidc', `${client.server} names no client for matihctl (MATIH_OIDC_CLI_CLIENT_ID or MATIH_OIDC_CLIENT_ID)`, ExitCode.REJECTED);

  const verifier = randomBytes(48).toString('base64url');
  const state = randomBytes(24).toString('base64url');
  const loopback = await listenOnLoopback(options.port);
  try {
    const redirectUri = `http://127.0.0.1:${loopback.port}/callback`;
    const scopes = [...config.scopes, ...(config.offlineAccess && !config.scopes.includes('offline_access') ? ['offline_access'] : [])];
    const url = new URL(config.authorizationEndpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: scopes.join(' '),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    if (config.resource) params.resource = config.resource;
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);

    io.err(`Sign in with ${config.issuer} in your browser. If it does not open, open this address:\n\n  ${url.toString()}\n\nWaiting for the sign-in (Ctrl-C to give up)...\n`);
    if (options.openBrowser) openInBrowser(url.toString());
    const code = await loopback.code(state, options.timeoutMs);
    const tokens = await client.request<OidcTokens>('POST', '/api/v1/auth/oidc/token', {
      anonymous: true,
      body: { grantType: 'authorization_code', clientId, code, codeVerifier: verifier, redirectUri },
    });
    return credentialFrom(tokens, clientId);
  } finally {
    await loopback.close();
  }
}

/**
 * The stored login, its OIDC access token renewed first when it expires within a minute and a
 * refresh token is at hand. A renewal that fails leaves the login as it was (the command then
 * fails with the server's 401, and says to log in again).
 */
export async function renewIfDue(io: Io, client: ApiClient, stored: StoredConfig): Promise<StoredConfig> {
  const credential = stored.credential;
  if (credential.kind !== 'oidc' || !credential.refreshToken || !credential.clientId || !credential.expiresAt) return stored;
  if (Date.parse(credential.expiresAt) - Date.now() > RENEW_BEFORE_MS) return stored;
  try {
    const tokens = await client.request<OidcTokens>('POST', '/api/v1/auth/oidc/token', {
      anonymous: true,
      body: { grantType: 'refresh_token', clientId: credential.clientId, refreshToken: credential.refreshToken },
    });
    const renewed: StoredConfig = { ...stored, credential: { ...credentialFrom(tokens, credential.clientId), refreshToken: tokens.refreshToken ?? credential.refreshToken } };
    await writeConfig(io.env, renewed);
    return renewed;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    const again = error instanceof ApiError && error.problem.code === 'oidc_refused' ? '; run `matihctl login --oidc` again' : '';
    io.err(`note: the single sign-on session could not be renewed (${error.message})${again}\n`);
    return stored;
  }
}

function credentialFrom(tokens: OidcTokens, clientId: string): StoredCredential {
  return {
    kind: 'oidc',
    value: tokens.accessToken,
    clientId,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
  };
}

export function parseCallbackPort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) throw new UsageError(`--callback-port must be a port number from 1 to 65535, not "${raw}"`);
  return port;
}

interface Loopback {
  port: number;
  /** The code of the first callback with our state; rejects on the provider's error or the timeout. */
  code(state: string, timeoutMs: number): Promise<string>;
  close(): Promise<void>;
}

/** The redirect's receiver: 127.0.0.1 only (never all interfaces), GET /callback only. */
async function listenOnLoopback(port: number | undefined): Promise<Loopback> {
  let deliver: ((query: URLSearchParams) => boolean) | undefined;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') return page(res, 404, 'Not found', 'This is matihctl waiting for a sign-in; nothing else is here.');
    if (!deliver?.(url.searchParams)) return page(res, 400, 'Sign-in not recognised', 'This answer does not belong to the sign-in matihctl is waiting for. Start again with matihctl login --oidc.');
    const error = url.searchParams.get('error');
    if (error) return page(res, 400, 'Sign-in failed', `The identity provider said: ${url.searchParams.get('error_description') ?? error}. See the terminal.`);
    return page(res, 200, 'Signed in', 'matihctl has the sign-in; you can close this tab and go back to the terminal.');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError('callback_port', `cannot listen on 127.0.0.1:${port ?? 0} for the sign-in (${error.code ?? error.message})`, ExitCode.FAILED)),
    );
    server.listen(port ?? 0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    code: (state, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CliError('login_timeout', `no sign-in arrived within ${Math.round(timeoutMs / 1000)} s`, ExitCode.AUTH)), timeoutMs);
        deliver = (query) => {
          // Anything else on this port (another page, a guess) is refused, and the wait goes on.
          if (query.get('state') !== state) return false;
          clearTimeout(timer);
          const error = query.get('error');
          const code = query.get('code');
          if (error) reject(new CliError('oidc_refused', `the identity provider did not sign you in: ${query.get('error_description') ?? error}`, ExitCode.AUTH));
          else if (code) resolve(code);
          else reject(new CliError('oidc_refused', 'the identity provider sent no code', ExitCode.AUTH));
          return true;
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function page(res: http.ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-security-policy': "default-src 'none'" });
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · matihctl</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`);
}

/** The platform's opener, detached; whatever goes wrong, the address is on stderr anyway. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the user copies the address.
  }
}
