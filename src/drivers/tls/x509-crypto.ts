import { webcrypto } from 'node:crypto';
// @peculiar/x509 registers its algorithms with tsyringe, which refuses to load without the
// reflect-metadata polyfill; it must be evaluated first (ES modules run in import order).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/**
 * The one place the TLS driver meets WebCrypto. @peculiar/x509 needs a provider; Node's own
 * (`crypto.webcrypto`) keeps keys in OpenSSL and needs no extra dependency.
 */
x509.cryptoProvider.set(webcrypto);

export { x509 };

/** ECDSA P-256 with SHA-256: what every TLS client accepts, and small, fast keys and signatures. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

const SERIAL_BYTES = 16;

export type KeyPair = webcrypto.CryptoKeyPair;
export type PrivateKey = webcrypto.CryptoKey;

/** Extractable, because the private key leaves the process as PKCS#8 (sealed, or to a Secret). */
export async function generateKeyPair(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: PrivateKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Imports a PKCS#8 PEM as a signing key, not extractable: once loaded, the CA key can sign but
 * can no longer be read back out of this process by any code path.
 */
export async function privateKeyFromPem(pem: string): Promise<PrivateKey> {
  const [der] = x509.PemConverter.decode(pem);
  if (der === undefined) throw new Error('no PEM block');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

/**
 * A random serial of exactly 16 bytes, positive (RFC 5280 4.1.2.2: at most 20 octets, positive;
 * CA/B Forum: at least 64 random bits). The top bit is cleared so DER needs no sign byte, and the
 * next one set so no leading zero byte is stripped: the encoding is always 16 bytes.
 */
export function randomSerialHex(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(SERIAL_BYTES));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

/** Whole days, in milliseconds. */
export function daysFrom(start: Date, days: number): Date {
  return new Date(start.getTime() + days * 86_400_000);
}
