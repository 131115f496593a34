import { Type } from '@sinclair/typebox';
import { API_KEY_SCOPES } from '../../domain/api-key-scopes.js';
import { DateTime } from './common.js';

export const TokenRequestBody = Type.Object(
  { apiKey: Type.String({ minLength: 1, maxLength: 200, description: 'An API key (mtk_...)' }) },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds' }),
  expiresAt: DateTime,
});

export const RevokeTokenBody = Type.Object(
  { token: Type.Optional(Type.String({ description: 'The JWT to revoke; default: the one making this request' })) },
  { additionalProperties: false },
);

export const RotateSigningKeysBody = Type.Object(
  {
    endIssuedTokens: Type.Optional(
      Type.Boolean({ description: 'Forget the other keys at once, so every token issued so far stops working (after a leak); default: they verify until their tokens expire' }),
    ),
  },
  { additionalProperties: false },
);

export const RotateSigningKeysResponse = Type.Object({
  kid: Type.String({ description: 'The key that signs from now on' }),
  endedIssuedTokens: Type.Boolean(),
});

/** One scope, as answers name it (domain/api-key-scopes.ts). */
export const ApiKeyScopeSchema = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));

const SCOPES_DESCRIPTION = `What the key may be used for, within its role: ${API_KEY_SCOPES.join(', ')}. Default: every scope the role allows (and the caller has)`;

export const ApiKeySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenantId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  name: Type.String(),
  role: Type.String(),
  scopes: Type.Array(ApiKeyScopeSchema, { description: "What the key may be used for: the scopes it was given, or every scope of its role when it was given none" }),
  createdBy: Type.String(),
  createdAt: DateTime,
  expiresAt: Type.Union([DateTime, Type.Null()]),
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
  revokedAt: Type.Union([DateTime, Type.Null()]),
});

// Strings, checked by the route: an unknown scope, or none, is a 400 naming `scopes` and saying what may be given.
const RequestedScopes = Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20, description: SCOPES_DESCRIPTION }));
const ExpiresInDays = Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'The key stops working this many days from now; default: never' }));

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.String({ description: 'Admin, Analyst or Viewer' }),
    scopes: RequestedScopes,
    expiresInDays: ExpiresInDays,
  },
  { additionalProperties: false },
);

/** A platform-admin key: no role to name (it is platform_admin), no tenant. */
export const CreatePlatformApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: RequestedScopes,
    expiresInDays: ExpiresInDays,
  },
  { additionalProperties: false },
);

export const PlatformApiKeyIdParams = Type.Object({ keyId: Type.String({ format: 'uuid' }) });

export const ApiKeyIdParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  keyId: Type.String({ format: 'uuid' }),
});
