import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { ERROR_CODES } from '../domain/error-codes.js';
import { ForbiddenError, MatihError, UnauthenticatedError, matihError } from '../domain/errors.js';
import { PLATFORM_ADMIN, type PrincipalRole, TenantRole } from '../domain/roles.js';

/**
 * Access tokens from an OpenID Provider (MATIH_OIDC_*): the issuer's metadata and keys found by
 * OpenID Connect discovery, each token's signature checked against the issuer's JWKS, its `iss`,
 * `aud`, `exp` and `nbf` (with a small clock skew), and its claims mapped to a role here. What the
 * API accepts is an access token issued for this API (`aud` holds MATIH_OIDC_AUDIENCE, as RFC 9068
 * JWT access tokens and RFC 8707 resource indicators give it), not an ID token, whose audience is
 * the client: a token meant for another API, or one a client received about its user, is refused.
 */

/** The settings this needs (config/oidc-settings.ts's OidcSettings has them). */
export interface OidcOptions {
  issuer: string;
  audience: string;
  groupsClaim: string;
  tenantClaim: string;
  adminGroups: readonly string[];
  roleGroups: readonly { role: TenantRole; group: string }[];
  clockSkewSeconds: number;
  /** Sign-in: the dashboard's client, matihctl's, the scopes they ask for, and whether they send `resource`. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  cliClientId: string | undefined;
  scopes: readonly string[];
  resourceIndicator: boolean;
}

/** What a verified token says about its holder. */
export interface OidcIdentity {
  subject: string;
  email: string | undefined;
  role: PrincipalRole;
  /** The tenant of a tenant role, as the tenant claim names it (checked against the database by the authenticator). */
  tenantId: string | null;
  /** The token's `jti`, when it has one: revocable here under `oidc:<jti>`. */
  tokenId: string | undefined;
  expiresAt: Date;
  issuedAt: Date | undefined;
}

/** The parts of the provider's discovery document this service uses. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  scopes_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  code_challenge_methods_supported?: string[];
}

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const ROLE_RANK: readonly TenantRole[] = [TenantRole.ADMIN, TenantRole.ANALYST, TenantRole.VIEWER];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A discovery document is read again after this long (a failed re-read keeps the old one). */
const METADATA_MAX_AGE_MS = 60 * 60_000;
/** After a failed discovery, the next request waits this long before asking again. */
const METADATA_RETRY_MS = 2_000;
const FETCH_TIMEOUT_MS = 5_000;

export class OidcVerifier {
  private metadataCache: { value: ProviderMetadata; readAt: number } | undefined;
  private metadataFailure: { error: Error; at: number } | undefined;
  private pending: Promise<ProviderMetadata> | undefined;
  private jwks: { uri: string; keys: JWTVerifyGetKey } | undefined;

  constructor(
    readonly options: OidcOptions,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** True when the bearer is a JWT naming this issuer; then verify() decides. Reads, never trusts. */
  accepts(bearer: string): boolean {
    if (bearer.split('.').length !== 3) return false;
    try {
      return decodeJwt(bearer).iss === this.options.issuer;
    } catch {
      return false;
    }
  }

  /**
   * The holder's identity and role, or a refusal: 401 for a token that is not good (signature,
   * issuer, audience, expiry), 403 for a good token whose claims give no role here, 503 when the
   * provider's keys cannot be read.
   */
  async verify(bearer: string): Promise<OidcIdentity> {
    const { issuer, audience, clockSkewSeconds } = this.options;
    let payload: JWTPayload;
    try {
      const keys = await this.keys();
      ({ payload } = await jwtVerify(bearer, keys, {
        issuer,
        audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        clockTolerance: clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw refusal(error);
    }
    const subject = payload.sub ?? '';
    const email = typeof payload.email === 'string' ? payload.email : undefined;
    const base = {
      subject,
      email,
      tokenId: typeof payload.jti === 'string' ? payload.jti : undefined,
      expiresAt: new Date((payload.exp ?? 0) * 1000),
      issuedAt: typeof payload.iat === 'number' ? new Date(payload.iat * 1000) : undefined,
    };
    return { ...base, ...this.roleOf(payload) };
  }

  /** The claim-to-role mapping: an admin group first, else the highest tenant role a group gives, with the tenant claim. */
  private roleOf(payload: JWTPayload): { role: PrincipalRole; tenantId: string | null } {
    const { groupsClaim, tenantClaim, adminGroups, roleGroups } = this.options;
    const groups = groupsOf(payload[groupsClaim]);
    if (adminGroups.some((g) => groups.has(g))) return { role: PLATFORM_ADMIN, tenantId: null };
    const role = ROLE_RANK.find((r) => roleGroups.some((rule) => rule.role === r && groups.has(rule.group)));
    if (!role) throw new ForbiddenError(`the token's ${groupsClaim} claim holds no group that has a role here`);
    const tenant = payload[tenantClaim];
    if (typeof tenant !== 'string' || !UUID.test(tenant)) {
      throw new ForbiddenError(`the token's groups give the ${role} role, but its ${tenantClaim} claim holds no tenant id`);
    }
    return { role, tenantId: tenant.toLowerCase() };
  }

  /** The provider's discovery document, read once and again after an hour; 503 when it cannot be read. */
  async metadata(): Promise<ProviderMetadata> {
    const now = Date.now();
    const cached = this.metadataCache;
    if (cached && now - cached.readAt < METADATA_MAX_AGE_MS) return cached.value;
    if (!cached && this.metadataFailure && now - this.metadataFailure.at < METADATA_RETRY_MS) throw this.metadataFailure.error;
    this.pending ??= this.discover().finally(() => (this.pending = undefined));
    try {
      const value = await this.pending;
      this.metadataCache = { value, readAt: Date.now() };
      this.metadataFailure = undefined;
      return value;
    } catch (error) {
      if (cached) return cached.value;
      const failure = error instanceof Error ? error : new Error(String(error));
      this.metadataFailure = { error: failure, at: Date.now() };
      throw failure;
    }
  }

  private async discover(): Promise<ProviderMetadata> {
    const { issuer } = this.options;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: Partial<ProviderMetadata>;
    try {
      const response = await this.fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      document = (await response.json()) as Partial<ProviderMetadata>;
    } catch {
      throw matihError(ERROR_CODES.OIDC_UNAVAILABLE, 'its discovery document');
    }
    // OpenID Connect Discovery 1.0 section 4.3: the document must name the issuer it was asked for.
    if (document.issuer !== issuer) throw matihError(ERROR_CODES.OIDC_UNAVAILABLE, `its discovery document (it names the issuer ${String(document.issuer)}, not ${issuer})`);
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof document[field] !== 'string') throw matihError(ERROR_CODES.OIDC_UNAVAILABLE, `its discovery document (it has no ${field})`);
    }
    return document as ProviderMetadata;
  }

  /** The issuer's JWKS (jose caches it, and fetches it again for a key id it does not hold). */
  private async keys(): Promise<JWTVerifyGetKey> {
    const { jwks_uri: uri } = await this.metadata();
    if (this.jwks?.uri !== uri) this.jwks = { uri, keys: createRemoteJWKSet(new URL(uri), { timeoutDuration: FETCH_TIMEOUT_MS }) };
    return this.jwks.keys;
  }
}

/** A groups claim is a list of strings (or, from some providers, one string). */
function groupsOf(claim: unknown): ReadonlySet<string> {
  if (typeof claim === 'string') return new Set([claim]);
  if (Array.isArray(claim)) return new Set(claim.filter((g): g is string => typeof g === 'string'));
  return new Set();
}

function refusal(error: unknown): Error {
  if (error instanceof MatihError) return error;
  if (error instanceof joseErrors.JWTExpired) return new UnauthenticatedError('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return new UnauthenticatedError('the token is from another issuer');
    if (error.claim === 'aud') return new UnauthenticatedError('the token is not meant for this API (its audience)');
    if (error.claim === 'nbf') return new UnauthenticatedError('the token is not valid yet');
    return new UnauthenticatedError(`the token's ${error.claim} claim is not valid`);
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new UnauthenticatedError('the token is signed with a key its issuer does not publish');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new UnauthenticatedError('the token is not valid');
  // The keys could not be fetched (timeout, refused, not a JWKS): the provider's trouble, not the token's.
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid || !(error instanceof joseErrors.JOSEError) || error.code === 'ERR_JOSE_GENERIC') {
    return matihError(ERROR_CODES.OIDC_UNAVAILABLE, 'its signing keys');
  }
  return new UnauthenticatedError('the token is not valid');
}
