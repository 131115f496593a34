import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../src/drivers/contract.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';

const KEY = AesGcmSecretBox.generateKey();
const SECRET = 'postgres://acme_app:s3cret-pässwörd@db:5432/matih?x=1';

function permanentFailure(work: () => unknown): DriverError {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DriverError);
  expect((caught as DriverError).retryable).toBe(false);
  return caught as DriverError;
}

/** Flips one bit of the decoded part `index` (1 iv, 2 tag, 3 ciphertext) and re-encodes it canonically. */
function flip(sealed: string, index: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[index] as string, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

describe('AesGcmSecretBox', () => {
  const box = new AesGcmSecretBox(KEY);

  it('round-trips any text, empty and non-ASCII included, in the v1 base64url format', () => {
    for (const text of [SECRET, '', '🔑 ключ', 'x'.repeat(10_000)]) {
      const sealed = box.seal(text);
      expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/);
      expect(box.open(sealed)).toBe(text);
    }
    // A box built from the same key (another replica) opens it too; base64url keys are accepted.
    expect(new AesGcmSecretBox(Buffer.from(KEY, 'base64').toString('base64url')).open(box.seal(SECRET))).toBe(SECRET);
  });

  it('seals the same text differently every time, and never contains it', () => {
    const first = box.seal(SECRET);
    const second = box.seal(SECRET);
    expect(first).not.toBe(second);
    expect(first.split(':')[1]).not.toBe(second.split(':')[1]);
    expect(first).not.toContain('s3cret');
  });

  it('detects tampering with the IV, the tag, the ciphertext, the version or the encoding', () => {
    const sealed = box.seal(SECRET);
    for (const part of [1, 2, 3]) permanentFailure(() => box.open(flip(sealed, part)));
    const [, iv, tag, ciphertext] = sealed.split(':') as [string, string, string, string];
    for (const bad of [
      `v2:${iv}:${tag}:${ciphertext}`,
      `v1:${iv}:${tag}`,
      `v1:${iv}:${tag}:${ciphertext}:extra`,
      `v1:${iv}:${tag}:${ciphertext.slice(0, -1)}`,
      `v1:${iv}:${tag}:${ciphertext}A`,
      `v1:${iv}:${tag}:${ciphertext.slice(0, 4)}*${ciphertext.slice(4)}`,
      `v1:${iv}:${tag.slice(0, 8)}:${ciphertext}`,
      '',
      SECRET,
    ]) {
      permanentFailure(() => box.open(bad));
    }
  });

  it('rejects a wrong key without revealing anything', () => {
    const sealed = box.seal(SECRET);
    const error = permanentFailure(() => new AesGcmSecretBox(AesGcmSecretBox.generateKey()).open(sealed));
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain(KEY);
  });

  it('accepts only a 32-byte base64 key', () => {
    for (const key of ['', 'short', randomBytes(16).toString('base64'), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), `${KEY.slice(0, -2)}!=`]) {
      const error = permanentFailure(() => new AesGcmSecretBox(key));
      if (key.length > 0) expect(error.message).not.toContain(key);
    }
  });
});
