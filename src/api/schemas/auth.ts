import { Type } from '@sinclair/typebox';
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

export const ApiKeySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenantId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  name: Type.String(),
  role: Type.String(),
  createdBy: Type.String(),
  createdAt: DateTime,
  expiresAt: Type.Union([DateTime, Type.Null()]),
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
  revokedAt: Type.Union([DateTime, Type.Null()]),
});

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.String({ description: 'Admin, Analyst or Viewer' }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

export const ApiKeyIdParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  keyId: Type.String({ format: 'uuid' }),
});
