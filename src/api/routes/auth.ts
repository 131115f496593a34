import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ERROR_CODES } from '../../domain/error-codes.js';
import { ForbiddenError, UnauthenticatedError, ValidationError, matihError } from '../../domain/errors.js';
import { effectiveScopes } from '../../domain/api-key-scopes.js';
import { TenantRole } from '../../domain/roles.js';
import { isPlatformAdmin, requirePlatformAdmin } from '../../iam/principal.js';
import { revokeToken } from '../../store/iam/revoked-tokens.js';
import type { ApiDeps } from '../deps.js';
import { credentialRefused } from '../request-limits.js';
import { withErrors } from '../schemas/common.js';
import { oidcRoutes } from './oidc.js';
import { ApiKeyScopeSchema, RevokeTokenBody, RotateSigningKeysBody, RotateSigningKeysResponse, TokenRequestBody, TokenResponse } from '../schemas/auth.js';

export const authRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  await app.register(oidcRoutes, deps);

  /** The principal of an API key offered for a token; anything else is refused. */
  const exchangeable = async (apiKey: string) => {
    if (!apiKey.startsWith('mtk_')) throw new UnauthenticatedError('only an API key can be exchanged for a token');
    return deps.authenticate(apiKey);
  };

  app.post(
    '/api/v1/auth/token',
    {
      // A sign-in: every refused key counts against the client address (429 once it is locked out).
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange an API key for a short-lived access token (JWT)',
        body: TokenRequestBody,
        response: withErrors({ 200: TokenResponse }),
      },
    },
    async (request, reply) => {
      const principal = await exchangeable(request.body.apiKey).catch(async (error: unknown) => {
        throw await credentialRefused(deps, request, error);
      });
      const { token, claims } = await deps.tokens.issue({
        apiKeyId: principal.apiKeyId ?? '',
        role: principal.role,
        tenantId: principal.tenantId,
        scopes: principal.scopes && [...principal.scopes],
      });
      void reply.header('cache-control', 'no-store');
      return { accessToken: token, tokenType: 'Bearer' as const, expiresIn: deps.tokens.ttlSeconds, expiresAt: claims.expiresAt };
    },
  );

  app.get(
    '/api/v1/auth/whoami',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the presented token is',
        security: [{ bearer: [] }],
        response: withErrors({
          200: Type.Object({
            actor: Type.String(),
            role: Type.String(),
            tenantId: Type.Union([Type.String(), Type.Null()]),
            via: Type.String(),
            email: Type.Optional(Type.String({ description: "An OpenID Provider token's email claim" })),
            permissions: Type.Array(Type.String()),
            scopes: Type.Array(ApiKeyScopeSchema, { description: "What this credential may be used for: its API key's scopes, or every scope of its role" }),
          }),
        }),
      },
    },
    async (request) => {
      const p = request.principal;
      return { actor: p.actor, role: p.role, tenantId: p.tenantId, via: p.via, ...(p.email ? { email: p.email } : {}), permissions: [...p.permissions].sort(), scopes: effectiveScopes(p.role, p.scopes && [...p.scopes]) };
    },
  );

  app.post(
    '/api/v1/auth/revoke',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an access token: the caller\'s own, or (platform admin, or same tenant admin) another',
        security: [{ bearer: [] }],
        body: RevokeTokenBody,
        response: withErrors({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const other = request.body?.token;
      if (other === undefined) {
        if (!p.jti || !p.expiresAt) {
          throw new ValidationError([{ field: 'token', message: 'the caller is not using an access token; name the token to revoke' }]);
        }
        await revokeToken(deps.database.db, p.jti, p.expiresAt, p.actor);
        return reply.code(204).send(null);
      }
      const claims = await deps.tokens.verify(other).catch(() => {
        throw new ValidationError([{ field: 'token', message: 'is not an access token this service issued, or has expired' }]);
      });
      const mayRevoke = isPlatformAdmin(p) || (p.tenantId !== null && p.tenantId === claims.tenantId && p.role === TenantRole.ADMIN);
      if (!mayRevoke) throw new ForbiddenError('only a platform admin, or an Admin of the same tenant, may revoke another token');
      await revokeToken(deps.database.db, claims.jti, claims.expiresAt, p.actor);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/signing-keys/rotate',
    {
      schema: {
        tags: ['auth'],
        summary: 'Make a new JWT signing key now (platform admin); with endIssuedTokens, every token issued so far stops working',
        description:
          'Keys rotate by age anyway (MATIH_JWT_KEY_ROTATION_DAYS). This is for a leak: the other replicas read the new key at the next token that names it, and stop accepting the forgotten ones within 30 seconds.',
        security: [{ bearer: [] }],
        body: Type.Optional(RotateSigningKeysBody),
        response: withErrors({ 200: RotateSigningKeysResponse }),
      },
    },
    async (request, reply) => {
      requirePlatformAdmin(request.principal);
      if (!deps.signingKeys) throw matihError(ERROR_CODES.NO_KEY_ROTATION);
      const endIssuedTokens = request.body?.endIssuedTokens ?? false;
      const kid = await deps.signingKeys.rotate({ forgetOthers: endIssuedTokens });
      request.log.warn({ kid, endIssuedTokens, actor: request.principal.actor }, 'JWT signing key rotated');
      return reply.header('cache-control', 'no-store').send({ kid, endedIssuedTokens: endIssuedTokens });
    },
  );
};
