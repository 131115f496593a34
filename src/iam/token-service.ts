import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../domain/errors.js';
import type { PrincipalRole } from '../domain/roles.js';
import { LEGACY_KID, type SigningKey, type SigningKeys } from './signing-key-ring.js';

const ISSUER = 'matih-control-plane';
const AUDIENCE = 'matih-api';

export interface AccessTokenClaims {
  jti: string;
  /** The API key the token was exchanged for; revoking the key ends the token too. */
  apiKeyId: string;
  /**
   * The key's role and tenant when the token was issued, for clients to read. The authenticator
   * does not trust them: it takes both from the key's row and refuses a token whose claims differ.
   */
  role: PrincipalRole;
  tenantId: string | null;
  /**
   * The key's scopes when it has any (the `scope` claim, space-separated as RFC 9068 writes it),
   * for clients to read; absent: every scope of the role. The authenticator reads them from the
   * key's row like the role and tenant.
   */
  scopes?: readonly string[] | undefined;
  expiresAt: Date;
  /**
   * When it was issued, to the millisecond (the `ims` claim; JWT's `iat` has whole seconds): a
   * suspension refuses every token issued before it, and a token issued just after a
   * reactivation must not fall into the same second.
   */
  issuedAt: Date;
}

/** One key that never rotates, for tests and tools that sign with a secret they hold. */
class FixedSigningKey implements SigningKeys {
  private readonly key: SigningKey;
  constructor(secret: string) {
    this.key = { kid: 'fixed', key: new TextEncoder().encode(secret) };
  }
  signing(): Promise<SigningKey> {
    return Promise.resolve(this.key);
  }
  verifying(kid: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(kid === this.key.kid ? this.key.key : undefined);
  }
}

/**
 * Short-lived HS256 JWTs, exchanged for an API key at POST /api/v1/auth/token, each naming the key
 * that signed it in its `kid` header (iam/signing-key-ring.ts: sealed at rest, rotated).
 */
export class TokenService {
  private readonly keys: SigningKeys;

  constructor(
    keys: SigningKeys | string,
    readonly ttlSeconds: number,
  ) {
    this.keys = typeof keys === 'string' ? new FixedSigningKey(keys) : keys;
  }

  async issue(claims: Omit<AccessTokenClaims, 'jti' | 'expiresAt' | 'issuedAt'>): Promise<{ token: string; claims: AccessTokenClaims }> {
    const jti = randomUUID();
    const issuedAt = new Date();
    const expiresAt = new Date((Math.floor(issuedAt.getTime() / 1000) + this.ttlSeconds) * 1000);
    const signer = await this.keys.signing();
    const scope = claims.scopes === undefined ? {} : { scope: claims.scopes.join(' ') };
    const token = await new SignJWT({ role: claims.role, tid: claims.tenantId, akid: claims.apiKeyId, ims: issuedAt.getTime(), ...scope })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: signer.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(claims.apiKeyId)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(signer.key);
    return { token, claims: { ...claims, jti, expiresAt, issuedAt } };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      // A token from before keys had ids names none: it was signed with the one key there was.
      const key = async (header: { kid?: string }) => {
        const found = await this.keys.verifying(header.kid ?? LEGACY_KID);
        if (!found) throw new UnauthenticatedError('the token is signed with a key this service does not hold (rotated out, or never its own)');
        return found;
      };
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const { jti, exp, role, tid, akid, ims, iat, scope } = payload;
      if (typeof jti !== 'string' || typeof exp !== 'number' || typeof role !== 'string' || typeof akid !== 'string') {
        throw new UnauthenticatedError('the token lacks required claims');
      }
      return {
        jti,
        apiKeyId: akid,
        role: role as PrincipalRole,
        tenantId: typeof tid === 'string' ? tid : null,
        ...(typeof scope === 'string' ? { scopes: scope.split(' ').filter(Boolean) } : {}),
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
