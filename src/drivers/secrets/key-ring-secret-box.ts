import type { Resealed, SecretKeyRing } from '../contract.js';
import { AesGcmSecretBox } from './aes-gcm-secret-box.js';

/**
 * MATIH_SECRET_KEY and MATIH_SECRET_KEY_PREVIOUS as one box. Sealing uses the current key only;
 * opening tries the current key, then each previous one in the order given. A text none opens
 * fails with the current key's error (the one message for a wrong key and for tampering).
 *
 * Trying keys in turn is sound with AES-GCM: a wrong key fails the 128-bit tag, so a text never
 * opens to garbage under the wrong key.
 */
export class KeyRingSecretBox implements SecretKeyRing {
  private readonly current: AesGcmSecretBox;
  private readonly previous: readonly AesGcmSecretBox[];

  /** `previous` may repeat `current` (an operator who has not removed it yet): it is then skipped. */
  constructor(current: string, previous: readonly string[] = []) {
    this.current = new AesGcmSecretBox(current);
    this.previous = [...new Set(previous.map((k) => k.trim()))].filter((k) => k !== current.trim()).map((k) => new AesGcmSecretBox(k));
  }

  /** How many previous keys this box opens with. */
  get previousKeys(): number {
    return this.previous.length;
  }

  seal(plaintext: string): string {
    return this.current.seal(plaintext);
  }

  open(sealed: string): string {
    return this.openWithKey(sealed).plaintext;
  }

  reseal(sealed: string): Resealed {
    const { plaintext, current } = this.openWithKey(sealed);
    return current ? { current: true } : { current: false, sealed: this.current.seal(plaintext) };
  }

  private openWithKey(sealed: string): { plaintext: string; current: boolean } {
    let failure: unknown;
    try {
      return { plaintext: this.current.open(sealed), current: true };
    } catch (error) {
      failure = error;
    }
    for (const key of this.previous) {
      try {
        return { plaintext: key.open(sealed), current: false };
      } catch {
        // The next key may be the one; the current key's error is the one to report.
      }
    }
    throw failure;
  }
}
