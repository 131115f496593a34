import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../domain/errors.js';
import type { PrincipalRole } from '../domain/roles.js';

const ISSUER = 'matih-control-plane';
const AUDIENCE = 'matih-api';

export interface AccessTokenClaims {
  jti: string;
  /** The API key the token was exchanged for; revoking the key ends the token too. */
  apiKeyId: string;
  role: PrincipalRole;
  tenantId: string | null;
  expiresAt: Date;
  /**
   * When it was issued, to the millisecond (the `ims` claim; JWT's `iat` has whole seconds): a
   * suspension refuses every token issued before it, and a token issued just after a
   * reactivation must not fall into the same second.
   */
  issuedAt: Date;
}

/** Short-lived HS256 JWTs, exchanged for an API key at POST /api/v1/auth/token. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(claims: Omit<AccessTokenClaims, 'jti' | 'expiresAt' | 'issuedAt'>): Promise<{ token: string; claims: AccessTokenClaims }> {
    const jti = randomUUID();
    const issuedAt = new Date();
    const expiresAt = new Date((Math.floor(issuedAt.getTime() / 1000) + this.ttlSeconds) * 1000);
    const token = await new SignJWT({ role: claims.role, tid: claims.tenantId, akid: claims.apiKeyId, ims: issuedAt.getTime() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(claims.apiKeyId)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, claims: { ...claims, jti, expiresAt, issuedAt } };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const { jti, exp, role, tid, akid, ims, iat } = payload;
      if (typeof jti !== 'string' || typeof exp !== 'number' || typeof role !== 'string' || typeof akid !== 'string') {
        throw new UnauthenticatedError('the token lacks required claims');
      }
      return {
        jti,
        apiKeyId: akid,
        role: role as PrincipalRole,
        tenantId: typeof tid === 'string' ? tid : null,
        expiresAt: new Date(exp * 1000),
        issuedAt: new Date(typeof ims === 'number' ? ims : typeof iat === 'number' ? iat * 1000 : 0),
      };
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('the token has expired');
      throw new UnauthenticatedError('the token is not valid');
    }
  }
}
