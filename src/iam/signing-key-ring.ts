import { randomBytes } from 'node:crypto';
import { newId } from '../domain/ids.js';
import { type SigningKeyRow, listJwtSigningKeys, rotateJwtSigningKey, sealJwtSigningKey } from '../store/iam/signing-key.js';
import type { Db } from '../store/open-database.js';

/** Seals secrets at rest: the service's secret box (drivers/secrets), as the composition root hands it in. */
export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** A key a token names in its `kid` header. */
export interface SigningKey {
  kid: string;
  key: Uint8Array;
}

/** Where the token service takes its keys from: one that signs, any that still verify. */
export interface SigningKeys {
  signing(): Promise<SigningKey>;
  /** Undefined: no such key (never, or no longer: retired keys are forgotten once their tokens expired). */
  verifying(kid: string): Promise<Uint8Array | undefined>;
}

/** The kid of the key written before keys had ids of their own; tokens without a `kid` were signed with it. */
export const LEGACY_KID = 'jwt-hs256';

export interface SigningKeyRingOptions {
  /** How long one key signs before a new one takes over; 0 never rotates by age. */
  rotateAfterMs: number;
  /** The longest a token lives: a retired key verifies for this long after it stopped signing. */
  tokenTtlMs: number;
  now?: () => Date;
}

// A token naming a key this replica has not seen (another replica rotated) reloads the ring, at
// most this often, so tokens with made-up kids cannot turn every request into a query.
const RELOAD_AT_MOST_EVERY_MS = 1_000;
// And the ring is read again this often anyway, so a key another replica retired or forgot stops
// verifying here too.
const FRESH_FOR_MS = 30_000;

/**
 * The JWT signing keys (HS256, 48 random bytes each) kept in the database sealed with the secret
 * box, shared by every replica. The newest key signs; when it is older than `rotateAfterMs` the
 * next signature rotates first (under an advisory lock: one new key between replicas). The keys it
 * replaced keep verifying the tokens they signed until those have expired, then they are deleted.
 * `rotate()` forces a new key now (after a leak, with `forgetOthers` to end every token at once).
 */
export class SigningKeyRing implements SigningKeys {
  private keys = new Map<string, SigningKeyRow & { key: Uint8Array }>();
  private current: SigningKey | undefined;
  private loadedAt = 0;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly sealer: Sealer,
    private readonly options: SigningKeyRingOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Reads the keys, sealing any stored in clear (a database from before keys were sealed), and makes one if there is none. */
  async load(): Promise<void> {
    let rows = await listJwtSigningKeys(this.db);
    for (const row of rows.filter((r) => !r.sealed)) await sealJwtSigningKey(this.db, row.id, this.sealer.seal(row.secret));
    if (rows.some((r) => !r.sealed)) rows = await listJwtSigningKeys(this.db);
    this.remember(rows);
    // None yet: make the first, unless another replica starting at the same moment just did.
    if (!this.current) await this.replace({ dueBefore: new Date(0) });
  }

  async signing(): Promise<SigningKey> {
    const current = this.current ? this.keys.get(this.current.kid) : undefined;
    if (!current || (this.options.rotateAfterMs > 0 && this.now().getTime() - current.createdAt.getTime() >= this.options.rotateAfterMs)) {
      await this.rotateIfDue();
    }
    if (!this.current) throw new Error('no JWT signing key: load() was not called');
    return this.current;
  }

  async verifying(kid: string): Promise<Uint8Array | undefined> {
    let found = this.keys.get(kid);
    const age = Date.now() - this.loadedAt;
    if ((!found && age >= RELOAD_AT_MOST_EVERY_MS) || age >= FRESH_FOR_MS) {
      this.remember(await listJwtSigningKeys(this.db));
      found = this.keys.get(kid);
    }
    if (!found) return undefined;
    // A retired key verifies what it signed until the longest-lived of those tokens has expired.
    if (found.retiredAt && this.now().getTime() - found.retiredAt.getTime() > this.options.tokenTtlMs) return undefined;
    return found.key;
  }

  /**
   * A new signing key now. `forgetOthers`: the other keys are deleted at once, so every token
   * issued so far stops verifying (here at once, in the other replicas when they next read the
   * ring: within 30 seconds).
   */
  async rotate(options: { forgetOthers?: boolean } = {}): Promise<string> {
    const now = this.now();
    const id = `jwt-${newId(now.getTime())}`;
    const forgetRetiredBefore = options.forgetOthers ? new Date(now.getTime() + 1) : new Date(now.getTime() - this.options.tokenTtlMs);
    await rotateJwtSigningKey(this.db, { id, sealedSecret: this.sealer.seal(randomBytes(48).toString('base64url')) }, { dueBefore: new Date(now.getTime() + 1), forgetRetiredBefore, now });
    this.remember(await listJwtSigningKeys(this.db));
    return this.current?.kid ?? id;
  }

  /** The ring as the database has it after an age rotation (this replica's, or another's that came first). */
  private async rotateIfDue(): Promise<void> {
    await this.replace({ dueBefore: new Date(this.now().getTime() - this.options.rotateAfterMs) });
  }

  /** A new signing key unless one created since `dueBefore` signs already; then the ring reread. */
  private async replace({ dueBefore }: { dueBefore: Date }): Promise<void> {
    const now = this.now();
    const fresh = { id: `jwt-${newId(now.getTime())}`, sealedSecret: this.sealer.seal(randomBytes(48).toString('base64url')) };
    await rotateJwtSigningKey(this.db, fresh, { dueBefore, forgetRetiredBefore: new Date(now.getTime() - this.options.tokenTtlMs), now });
    this.remember(await listJwtSigningKeys(this.db));
  }

  private open(row: SigningKeyRow): string {
    try {
      return this.sealer.open(row.secret);
    } catch (error) {
      throw new Error(`the JWT signing key ${row.id} cannot be opened with this MATIH_SECRET_KEY: replicas sharing a database must share the key, and after a change of key the old one belongs in MATIH_SECRET_KEY_PREVIOUS until \`matihctl admin rotate-secret-key\` is done`, { cause: error });
    }
  }

  private remember(rows: SigningKeyRow[]): void {
    const keys = new Map<string, SigningKeyRow & { key: Uint8Array }>();
    for (const row of rows) {
      // A row still in clear here is one another process has not sealed yet: usable as it is.
      const secret = row.sealed ? this.open(row) : row.secret;
      keys.set(row.id, { ...row, key: new TextEncoder().encode(secret) });
    }
    this.keys = keys;
    this.loadedAt = Date.now();
    const signer = rows.find((r) => r.retiredAt === null);
    const key = signer ? keys.get(signer.id) : undefined;
    this.current = signer && key ? { kid: signer.id, key: key.key } : undefined;
  }
}
