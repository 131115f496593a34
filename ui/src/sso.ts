import { ApiError, api } from './api.js';

/**
 * "Sign in with SSO": the OAuth 2.0 authorization code flow with PKCE (RFC 7636), the way a
 * browser application runs it as a public client. This page makes the code verifier and the
 * state, keeps them in the tab's session storage, and sends the browser to the provider; the
 * provider sends it back to `/` with a code, which the page redeems, with its verifier, through
 * the service (POST /api/v1/auth/oidc/token: the browser talks to this origin only, and a
 * client secret, if the provider insists on one, stays on the server). The access token is kept
 * like any other token (session storage); the code and state are taken out of the address bar
 * at once.
 */

export interface SsoConfig {
  issuer: string;
  authorizationEndpoint: string;
  clientId: string | null;
  scopes: string[];
  resource: string | null;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  clientId: string;
  redirectUri: string;
  /** The page the user was on (hash route), to go back to. */
  hash: string;
}

const PENDING_KEY = 'matih.dashboard.sso';

/** The provider's sign-in, when the service has one for the dashboard; undefined otherwise. */
export async function ssoConfig(): Promise<SsoConfig | undefined> {
  try {
    const config = await api<SsoConfig>('/api/v1/auth/oidc/config', { token: '' });
    return config.clientId ? config : undefined;
  } catch {
    return undefined;
  }
}

/** Leaves for the provider's authorization endpoint. */
export async function startSsoSignIn(config: SsoConfig): Promise<void> {
  if (!config.clientId) throw new Error('this service has no client for the dashboard');
  const verifier = randomUrlSafe(48);
  const state = randomUrlSafe(24);
  const redirectUri = `${location.origin}/`;
  const pending: PendingSignIn = { state, verifier, clientId: config.clientId, redirectUri, hash: location.hash };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(config.authorizationEndpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: config.scopes.join(' '),
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: 'S256',
  };
  if (config.resource) params.resource = config.resource;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  location.assign(url.toString());
}

/** True when the address is the provider's answer to a sign-in this tab started. */
export function isSsoCallback(): boolean {
  const query = new URLSearchParams(location.search);
  return (query.has('code') || query.has('error')) && query.has('state') && sessionStorage.getItem(PENDING_KEY) !== null;
}

/**
 * Redeems the provider's answer for an access token, or throws a message fit for the sign-in
 * page. Either way the code and state leave the address bar and the pending sign-in is forgotten.
 */
export async function completeSsoSignIn(): Promise<string> {
  const query = new URLSearchParams(location.search);
  const pending = readPending();
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', location.pathname);
  if (!pending || query.get('state') !== pending.state) throw new Error('The answer from the identity provider does not match a sign-in started here; sign in again.');
  const error = query.get('error');
  if (error) throw new Error(`The identity provider did not sign you in: ${query.get('error_description') ?? error}.`);
  try {
    const tokens = await api<{ accessToken: string }>('/api/v1/auth/oidc/token', {
      method: 'POST',
      token: '',
      body: { grantType: 'authorization_code', clientId: pending.clientId, code: query.get('code'), codeVerifier: pending.verifier, redirectUri: pending.redirectUri },
    });
    // Back on the page the sign-in started from (the router follows hashchange, which replaceState does not fire).
    history.replaceState(null, '', `${location.pathname}${pending.hash}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return tokens.accessToken;
  } catch (e) {
    throw new Error(e instanceof ApiError ? e.message : 'The sign-in could not be completed; try again.');
  }
}

function readPending(): PendingSignIn | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as PendingSignIn | null;
    return value && typeof value.state === 'string' && typeof value.verifier === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function randomUrlSafe(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function s256(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
