import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { ValidationError, matihError } from '../../domain/errors.js';
import type { OidcVerifier, ProviderMetadata } from '../../iam/oidc-verifier.js';
import type { ApiDeps } from '../deps.js';
import { withErrors } from '../schemas/common.js';
import { OidcConfigResponse, OidcTokenBody, OidcTokenResponse } from '../schemas/oidc.js';

const TOKEN_TIMEOUT_MS = 10_000;

/**
 * Signing in through the OpenID Provider (README "Signing in"), for the dashboard and matihctl:
 * the authorization code flow with PKCE, run by the client (the browser page, or matihctl with a
 * loopback redirect), which keeps the code verifier. Two public routes help it:
 *
 * - `GET /api/v1/auth/oidc/config`: the issuer, its authorization endpoint, the client ids, the
 *   scopes and the audience, so a client needs nothing but this service's address;
 * - `POST /api/v1/auth/oidc/token`: relays the code (with its verifier) or a refresh token to the
 *   provider's token endpoint and answers with the tokens. The browser then talks to this origin
 *   only (the provider need not allow CORS, the page's CSP stays `connect-src 'self'`), and a
 *   client secret, for a provider that insists on a confidential client, stays on the server.
 *   It holds nothing: the tokens go back to the client that asked, and a code is worthless
 *   without the verifier only that client has.
 */
export const oidcRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const signIn = (): OidcVerifier => {
    const oidc = deps.oidc;
    if (!oidc || (oidc.options.clientId === undefined && oidc.options.cliClientId === undefined)) throw matihError(ERROR_CODES.NO_OIDC);
    return oidc;
  };

  app.get(
    '/api/v1/auth/oidc/config',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'How to sign in through the OpenID Provider (404 without one)',
        response: withErrors({ 200: OidcConfigResponse }),
      },
    },
    async (_request, reply) => {
      const oidc = signIn();
      const { options } = oidc;
      const metadata = await oidc.metadata();
      void reply.header('cache-control', 'no-cache');
      return {
        issuer: options.issuer,
        authorizationEndpoint: metadata.authorization_endpoint,
        endSessionEndpoint: metadata.end_session_endpoint ?? null,
        clientId: options.clientId ?? null,
        cliClientId: options.cliClientId ?? null,
        scopes: [...options.scopes],
        offlineAccess: metadata.scopes_supported?.includes('offline_access') ?? false,
        audience: options.audience,
        resource: options.resourceIndicator ? options.audience : null,
      };
    },
  );

  app.post(
    '/api/v1/auth/oidc/token',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Redeem an authorization code (with its PKCE verifier) or a refresh token at the OpenID Provider's token endpoint",
        body: OidcTokenBody,
        response: withErrors({ 200: OidcTokenResponse }),
      },
    },
    async (request, reply) => {
      const oidc = signIn();
      const { options } = oidc;
      const body = request.body;
      if (body.clientId !== options.clientId && body.clientId !== options.cliClientId) {
        throw new ValidationError([{ field: 'clientId', message: 'is not a client of this service (GET /api/v1/auth/oidc/config names them)' }]);
      }
      const form = new URLSearchParams({ grant_type: body.grantType, client_id: body.clientId });
      if (body.grantType === 'authorization_code') {
        const missing = (['code', 'codeVerifier', 'redirectUri'] as const).filter((f) => body[f] === undefined);
        if (missing.length > 0) throw new ValidationError(missing.map((field) => ({ field, message: 'is required with an authorization code' })));
        form.set('code', body.code ?? '');
        form.set('code_verifier', body.codeVerifier ?? '');
        form.set('redirect_uri', body.redirectUri ?? '');
      } else {
        if (body.refreshToken === undefined) throw new ValidationError([{ field: 'refreshToken', message: 'is required to refresh' }]);
        form.set('refresh_token', body.refreshToken);
      }
      if (options.resourceIndicator) form.set('resource', options.audience);
      const metadata = await oidc.metadata();
      const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
      if (options.clientSecret !== undefined && body.clientId === options.clientId) authenticateClient(metadata, body.clientId, options.clientSecret, form, headers);

      let response: Response;
      let answer: Record<string, unknown>;
      try {
        response = await fetch(metadata.token_endpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS) });
        answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      } catch {
        throw matihError(ERROR_CODES.OIDC_UNAVAILABLE, 'its token endpoint');
      }
      if (!response.ok || typeof answer.access_token !== 'string') {
        if (response.status >= 500) throw matihError(ERROR_CODES.OIDC_UNAVAILABLE, 'its token endpoint');
        const error = typeof answer.error === 'string' ? answer.error : `HTTP ${response.status}`;
        request.log.info({ error, grantType: body.grantType, clientId: body.clientId }, 'the OpenID Provider refused a token request');
        throw matihError(ERROR_CODES.OIDC_REFUSED, error, typeof answer.error_description === 'string' ? answer.error_description : undefined);
      }
      const expiresIn = typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) ? Math.floor(answer.expires_in) : null;
      return reply.header('cache-control', 'no-store').send({
        accessToken: answer.access_token,
        tokenType: typeof answer.token_type === 'string' ? answer.token_type : 'Bearer',
        expiresIn,
        expiresAt: expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000).toISOString(),
        refreshToken: typeof answer.refresh_token === 'string' ? answer.refresh_token : null,
        scope: typeof answer.scope === 'string' ? answer.scope : null,
      });
    },
  );
};

/** client_secret_basic unless the provider lists only client_secret_post (RFC 6749 2.3.1: both parts form-encoded first). */
function authenticateClient(metadata: ProviderMetadata, clientId: string, secret: string, form: URLSearchParams, headers: Record<string, string>): void {
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (!methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    form.set('client_secret', secret);
    return;
  }
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}
