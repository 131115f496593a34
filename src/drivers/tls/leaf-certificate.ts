import type { IssuedCertificate } from '../contract.js';
import type { CaMaterial } from './ca-certificate.js';
import { SIGNING_ALGORITHM, daysFrom, generateKeyPair, privateKeyToPem, randomSerialHex, x509 } from './x509-crypto.js';

// Backdated so a client whose clock runs a little behind still accepts a certificate just issued.
const CLOCK_SKEW_MS = 60_000;
// X.520 ub-common-name: a longer first name cannot be the CN (see below).
const MAX_COMMON_NAME = 64;

/**
 * A server certificate for exactly `dnsNames` (already validated), signed by the CA: a fresh
 * P-256 key, the names as SubjectAltName (what clients match; RFC 6125), serverAuth only, and
 * never a CA itself. The leaf never outlives the CA that vouches for it.
 */
export async function issueLeaf(ca: CaMaterial, dnsNames: string[], validityDays: number, now: Date): Promise<IssuedCertificate> {
  const keys = await generateKeyPair();
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const wanted = daysFrom(notBefore, validityDays);
  const notAfter = wanted.getTime() < ca.certificate.notAfter.getTime() ? wanted : ca.certificate.notAfter;
  const first = dnsNames[0] ?? '';
  // The CN is for people reading the certificate; clients match the SAN. RFC 5280 4.2.1.6: with
  // an empty subject the SAN must be critical.
  const hasCommonName = first.length <= MAX_COMMON_NAME;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: hasCommonName ? [{ CN: [first] }] : [],
    issuer: ca.certificate.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        dnsNames.map((value) => ({ type: 'dns' as const, value })),
        !hasCommonName,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(ca.keyId),
    ],
  });
  return {
    // The CA signs leaves directly, so there is no intermediate to append.
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await privateKeyToPem(keys.privateKey),
    caPem: ca.certificatePem,
    notAfter: certificate.notAfter,
    dnsNames: [...dnsNames],
  };
}
