import { Type } from '@sinclair/typebox';
import { NullableDateTime } from './common.js';

export const OidcConfigResponse = Type.Object({
  issuer: Type.String(),
  authorizationEndpoint: Type.String({ description: "The provider's authorization endpoint, from its discovery document" }),
  endSessionEndpoint: Type.Union([Type.String(), Type.Null()], { description: "Where to end the provider's session (RP-initiated logout), when it has one" }),
  clientId: Type.Union([Type.String(), Type.Null()], { description: "The dashboard's client id; null: the dashboard has no SSO sign-in" }),
  cliClientId: Type.Union([Type.String(), Type.Null()], { description: "matihctl's client id (a native, public client); null: no `login --oidc`" }),
  scopes: Type.Array(Type.String(), { description: 'What to ask for; matihctl adds offline_access when the provider supports it, for a refresh token' }),
  offlineAccess: Type.Boolean({ description: 'The provider lists the offline_access scope' }),
  audience: Type.String({ description: "The API's identifier at the provider: accepted access tokens carry it in `aud`" }),
  resource: Type.Union([Type.String(), Type.Null()], { description: 'The RFC 8707 `resource` to send with the authorization and token requests; null: send none' }),
});

export const OidcTokenBody = Type.Object(
  {
    grantType: Type.Union([Type.Literal('authorization_code'), Type.Literal('refresh_token')]),
    clientId: Type.String({ minLength: 1, maxLength: 500, description: 'The dashboard\'s or matihctl\'s client id (GET /api/v1/auth/oidc/config)' }),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    codeVerifier: Type.Optional(Type.String({ minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9._~-]+$', description: 'The PKCE code verifier (RFC 7636): required with a code' })),
    redirectUri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
  },
  { additionalProperties: false },
);

export const OidcTokenResponse = Type.Object({
  accessToken: Type.String({ description: 'The bearer token for this API' }),
  tokenType: Type.String(),
  expiresIn: Type.Union([Type.Integer({ description: 'Seconds' }), Type.Null()]),
  expiresAt: NullableDateTime,
  refreshToken: Type.Union([Type.String(), Type.Null()]),
  scope: Type.Union([Type.String(), Type.Null()]),
});
