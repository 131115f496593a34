import { webcrypto } from 'node:crypto';
import { DriverError, type SecretBox } from '../contract.js';
import {
  KEY_ALGORITHM,
  SIGNING_ALGORITHM,
  daysFrom,
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  randomSerialHex,
  x509,
  type PrivateKey,
} from './x509-crypto.js';

const CA_NAME = 'CN=MATIH Local CA, O=MATIH';
const CA_VALIDITY_DAYS = 3650;
// Backdated so a replica whose clock runs a little behind still accepts what was just made.
const CLOCK_SKEW_MS = 60_000;
// Names the format inside the sealed text, so a later change of format is recognised, not misread.
const FORMAT = 'matih-local-ca/v1';

/** The CA as this process uses it: the certificate to chain to, the key to sign with. */
export interface CaMaterial {
  certificate: x509.X509Certificate;
  certificatePem: string;
  /** Not extractable (see privateKeyFromPem). */
  signingKey: PrivateKey;
  /** The CA's subjectKeyIdentifier, which every leaf names as its authorityKeyIdentifier. */
  keyId: string;
}

interface StoredCa {
  format: typeof FORMAT;
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * A new root: ECDSA P-256, self-signed, ten years. pathLen 0, because it signs leaves directly and
 * nothing else; keyCertSign and cRLSign are all a CA key is for. Returned sealed, in the form the
 * store keeps: the private key exists in clear only in this function's memory.
 */
export async function generateSealedCa(box: SecretBox, now: Date): Promise<string> {
  const keys = await generateKeyPair();
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: CA_NAME,
    notBefore,
    notAfter: daysFrom(notBefore, CA_VALIDITY_DAYS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const stored: StoredCa = {
    format: FORMAT,
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await privateKeyToPem(keys.privateKey),
  };
  return box.seal(JSON.stringify(stored));
}

/**
 * Opens what the store holds and checks it is a CA whose key matches its certificate. Failures
 * are permanent (retrying reads the same value) and carry no cause: parser messages can quote
 * their input, and the input here is the CA's private key.
 */
export async function openSealedCa(box: SecretBox, sealed: string): Promise<CaMaterial> {
  const stored = parseStored(box.open(sealed));
  let material: CaMaterial;
  try {
    const certificate = new x509.X509Certificate(stored.certificatePem);
    const keyId = certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    const isCa = certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true;
    if (keyId === undefined || !isCa) throw new Error('not a CA certificate');
    const signingKey = await privateKeyFromPem(stored.privateKeyPem);
    material = { certificate, certificatePem: certificate.toString('pem'), signingKey, keyId };
  } catch {
    throw new DriverError('the stored local CA is unreadable', false);
  }
  if (!(await keyMatchesCertificate(material))) {
    throw new DriverError('the stored local CA key does not match its certificate', false);
  }
  return material;
}

function parseStored(text: string): StoredCa {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (record.format !== FORMAT || typeof record.certificatePem !== 'string' || typeof record.privateKeyPem !== 'string') {
    throw new DriverError(`the stored local CA is not in the ${FORMAT} format`, false);
  }
  return { format: FORMAT, certificatePem: record.certificatePem, privateKeyPem: record.privateKeyPem };
}

/** Signs a probe and verifies it with the certificate's key: a mismatched pair would sign leaves no client accepts. */
async function keyMatchesCertificate(material: CaMaterial): Promise<boolean> {
  try {
    const probe = webcrypto.getRandomValues(new Uint8Array(32));
    const signature = await webcrypto.subtle.sign(SIGNING_ALGORITHM, material.signingKey, probe);
    const spki = material.certificate.publicKey.rawData;
    const publicKey = await webcrypto.subtle.importKey('spki', spki, KEY_ALGORITHM, false, ['verify']);
    return await webcrypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe);
  } catch {
    return false; // e.g. a certificate whose key is not P-256
  }
}
