import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DriverError, type SecretBox } from '../contract.js';

const VERSION = 'v1';
const IV_BYTES = 12; // the GCM nonce size NIST SP 800-38D recommends; random per seal
const TAG_BYTES = 16;
const KEY_BYTES = 32;
// Binds the format version into the tag, so a future v2 can never be opened as v1 or the reverse.
const AAD = Buffer.from(`matih-secret-box:${VERSION}`);
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Encrypts secrets at rest (tenant database credentials in step outputs) with AES-256-GCM.
 * Sealed form: `v1:<iv>:<tag>:<ciphertext>`, each part base64url. A random 96-bit IV per seal
 * keeps the same plaintext from sealing twice to the same text; with random IVs one key stays
 * safe for about 2^32 seals, far beyond what a control plane writes.
 *
 * Opening anything that was not sealed by this key, unchanged, throws a permanent DriverError:
 * the GCM tag covers IV, ciphertext and version. Messages never include the plaintext or the key.
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;

  /** `key`: 32 bytes, base64 or base64url (e.g. from `AesGcmSecretBox.generateKey()`). */
  constructor(key: string) {
    const trimmed = key.trim();
    const bytes = BASE64_KEY.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
    if (bytes.length !== KEY_BYTES) throw new DriverError(`a secret box key must be ${KEY_BYTES} bytes in base64`, false);
    this.key = bytes;
  }

  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join(':');
  }

  open(sealed: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new DriverError(`not a ${VERSION} sealed secret`, false);
    const [iv, tag, ciphertext] = parts.slice(1).map(decode);
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) {
      throw new DriverError('sealed secret is malformed', false);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(AAD);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      // One message for a wrong key and for tampering: which one it was is not ours to tell.
      throw new DriverError('sealed secret cannot be opened: wrong key or altered text', false, { cause: error });
    }
  }
}

/**
 * Canonical base64url only: Buffer.from skips characters it does not know and ignores stray
 * trailing bits, so several texts would open to the same secret. One sealed text, one meaning.
 */
function decode(part: string): Buffer | undefined {
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}
