import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWTPayload, SignJWT, exportJWK, generateKeyPair } from 'jose';
import Provider, { type ClientMetadata, type Configuration, errors } from 'oidc-provider';

/**
 * A real OpenID Provider for the tests: panva's oidc-provider (the certified implementation),
 * in-process on a loopback port, with static clients, an in-memory user list, and RFC 9068 JWT
 * access tokens for the resource indicators it knows (RFC 8707). Its users' groups, tenant and
 * email go into the access tokens as claims, as an administrator would configure a real one.
 *
 * Its login page is a one-field form (the user name; no password: who the user is, is the test's
 * choice), and consent is given at once for these first-party clients, so a browser or a
 * cookie-keeping fetch (authorizeHeadless) goes through the authorization code flow unattended.
 */

export interface TestUser {
  sub: string;
  email?: string;
  groups?: readonly string[];
  /** The tenant claim's value (tenant id). */
  tenant?: string;
}

export interface TestOidcProviderOptions {
  clients: ClientMetadata[];
  users: readonly TestUser[];
  /** Resource indicators it issues JWT access tokens for (their `aud`). */
  resources: readonly string[];
  accessTokenTtlSeconds?: number;
  /** The claim the tenant goes into (MATIH_OIDC_TENANT_CLAIM); default matih_tenant. */
  tenantClaim?: string;
  /** Listen here (0: any free port). */
  port?: number;
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly provider: Provider;
  /** A JWT signed with the provider's own key, with any claims: for tokens it would not issue (expired ones). */
  sign(claims: JWTPayload): Promise<string>;
  /** A user more (or a user changed): for tenants made after the provider started. */
  addUser(user: TestUser): void;
  close(): Promise<void>;
}

export async function startOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const users = new Map(options.users.map((u) => [u.sub, u]));
  const tenantClaim = options.tenantClaim ?? 'matih_tenant';
  const ttl = options.accessTokenTtlSeconds ?? 600;

  const configuration: Configuration = {
    clients: options.clients,
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      return user ? { accountId: id, claims: () => ({ sub: id, ...(user.email ? { email: user.email } : {}) }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (!options.resources.includes(resource)) throw new errors.InvalidTarget();
          return { scope: 'api', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // What a directory would put into the access token: groups, tenant, email.
    extraTokenClaims: (_ctx, token) => {
      const user = 'accountId' in token ? users.get(token.accountId) : undefined;
      if (!user) return undefined;
      return { ...(user.groups ? { groups: [...user.groups] } : {}), ...(user.tenant ? { [tenantClaim]: user.tenant } : {}), ...(user.email ? { email: user.email } : {}) };
    },
    // A refresh token for every client allowed the grant (without the spec's prompt=consent dance for offline_access).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // The browser never calls the token endpoint: the service relays the code exchange.
    clientBasedCORS: () => false,
    pkce: { required: () => true },
    ttl: { AccessToken: ttl, AuthorizationCode: 60, IdToken: ttl, RefreshToken: 86_400, Session: 3_600, Interaction: 600, Grant: 3_600 },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, users, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    void callback(req, res);
  });

  return {
    issuer,
    provider,
    sign: (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey),
    addUser: (user) => void users.set(user.sub, user),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The login form (GET), its submission (POST .../login), and consent given at once. */
async function interaction(provider: Provider, users: ReadonlyMap<string, TestUser>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST') {
      const login = new URLSearchParams(await readBody(req)).get('login') ?? '';
      if (users.has(login)) {
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
      return loginPage(res, uid, `No user ${login} here.`);
    }
    return loginPage(res, uid);
  }
  // Consent: these are first-party clients, so whatever they ask for is granted.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session?.accountId ?? '', clientId: String(details.params.client_id) });
  if (!grant) throw new Error(`grant ${String(details.grantId)} not found`);
  const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function loginPage(res: http.ServerResponse, uid: string, error?: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head><body>
<main><h1>Test OpenID Provider</h1>${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username" autofocus>
<button type="submit">Continue</button>
</form></main></body></html>`);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * A user agent without a browser: follows the authorization request through the provider (its
 * redirects, cookies and login form, signing in as `login`) until the provider redirects back
 * to the client, and returns that redirect (code and state in its query), unvisited.
 */
export async function authorizeHeadless(authorizationUrl: string, login: string): Promise<URL> {
  const providerOrigin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let form: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form === undefined ? {} : { body: form }),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      const next = new URL(location, url);
      if (next.origin !== providerOrigin) return next;
      url = next.href;
      form = undefined;
      continue;
    }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || action === undefined || form !== undefined) throw new Error(`the provider answered ${res.status} at ${url}: ${html.slice(0, 600)}`);
    url = new URL(action, url).href;
    form = new URLSearchParams({ login }).toString();
  }
  throw new Error('too many redirects at the provider');
}

/** PKCE (RFC 7636, S256): a verifier and its challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface ProviderTokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  token_type: string;
}

/** The whole authorization code flow against the provider, as a client would run it (no service involved). */
export async function obtainTokens(
  op: Pick<TestOidcProvider, 'issuer'>,
  request: { clientId: string; redirectUri: string; login: string; resource?: string; scope?: string },
): Promise<ProviderTokens> {
  const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
  const { verifier, challenge } = pkcePair();
  const auth = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope ?? 'openid email',
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(request.resource ? { resource: request.resource } : {}),
  };
  for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
  const back = await authorizeHeadless(auth.href, request.login);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in the redirect: ${back.href}`);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: request.redirectUri, client_id: request.clientId, code_verifier: verifier });
  if (request.resource) body.set('resource', request.resource);
  const res = await fetch(discovery.token_endpoint, { method: 'POST', body });
  const tokens = (await res.json()) as ProviderTokens;
  if (!res.ok) throw new Error(`token endpoint ${res.status}: ${JSON.stringify(tokens)}`);
  return tokens;
}
