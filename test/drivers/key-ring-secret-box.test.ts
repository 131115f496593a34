import { describe, expect, it } from 'vitest';
import { DriverError } from '../../src/drivers/contract.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { KeyRingSecretBox } from '../../src/drivers/secrets/key-ring-secret-box.js';

const [K0, K1, K2] = [AesGcmSecretBox.generateKey(), AesGcmSecretBox.generateKey(), AesGcmSecretBox.generateKey()] as [string, string, string];
const SECRET = '{"user":"acme_app","password":"s3cret"}';

describe('KeyRingSecretBox (MATIH_SECRET_KEY with MATIH_SECRET_KEY_PREVIOUS)', () => {
  it('seals with the current key only: a box of the current key alone opens it, one of the previous key does not', () => {
    const sealed = new KeyRingSecretBox(K2, [K1]).seal(SECRET);
    expect(new AesGcmSecretBox(K2).open(sealed)).toBe(SECRET);
    expect(() => new AesGcmSecretBox(K1).open(sealed)).toThrow(DriverError);
  });

  it('opens what the current key and each previous key sealed, in any order given', () => {
    const ring = new KeyRingSecretBox(K2, [K0, K1]);
    expect(ring.previousKeys).toBe(2);
    for (const key of [K0, K1, K2]) expect(ring.open(new AesGcmSecretBox(key).seal(SECRET))).toBe(SECRET);
  });

  it('re-seals a previous key’s value under the current key, and leaves a current one alone', () => {
    const ring = new KeyRingSecretBox(K2, [K1]);
    const old = new AesGcmSecretBox(K1).seal(SECRET);
    const resealed = ring.reseal(old);
    if (resealed.current) throw new Error('a K1 value is not current under K2');
    expect(new AesGcmSecretBox(K2).open(resealed.sealed)).toBe(SECRET);
    expect(() => new AesGcmSecretBox(K1).open(resealed.sealed)).toThrow(DriverError);
    expect(ring.reseal(resealed.sealed)).toEqual({ current: true });
  });

  it('refuses, as the current key does, a value no key opens, and never opens it to something else', () => {
    const ring = new KeyRingSecretBox(K2, [K1]);
    const stranger = new AesGcmSecretBox(K0).seal(SECRET);
    for (const attempt of [() => ring.open(stranger), () => ring.reseal(stranger)]) {
      expect(attempt).toThrow(/wrong key or altered text/);
      expect(attempt).toThrow(DriverError);
    }
    expect(() => ring.open('not sealed')).toThrow(/not a v1 sealed secret/);
  });

  it('without previous keys is the current key’s box; the current key repeated among them counts once', () => {
    const alone = new KeyRingSecretBox(K2);
    expect(alone.previousKeys).toBe(0);
    expect(() => alone.open(new AesGcmSecretBox(K1).seal(SECRET))).toThrow(DriverError);
    expect(new KeyRingSecretBox(K2, [K2, K1, K1]).previousKeys).toBe(1);
  });

  it('refuses a malformed previous key', () => {
    expect(() => new KeyRingSecretBox(K2, ['too-short'])).toThrow(/32 bytes/);
  });
});
