import { DriverError, type CertificateIssuer, type IssuedCertificate, type SecretBox } from '../contract.js';
import { generateSealedCa, openSealedCa, type CaMaterial } from './ca-certificate.js';
import { validateDnsNames } from './dns-names.js';
import { issueLeaf } from './leaf-certificate.js';

/** The name the composition root stores the CA under (in the table of shared named secrets). */
export const LOCAL_CA_STORE_NAME = 'tls-local-ca';

/**
 * Keeps one value for the whole platform: the first call stores what `generate` made, every later
 * call (from any replica, racing or not) returns that stored value and ignores its own. Over
 * `getOrCreateSigningKey` in the composition root.
 */
export type LoadOrCreate = (generate: () => Promise<string>) => Promise<string>;

export interface LocalCertificateAuthorityOptions {
  /** The clock certificates are dated by; tests move it. */
  now?: () => Date;
}

const DEFAULT_VALIDITY_DAYS = 90;
// CA/Browser Forum limit for publicly trusted server certificates; some clients (Apple) enforce it
// for every CA, so a longer local certificate would be refused there.
const MAX_VALIDITY_DAYS = 398;

/**
 * The `local-ca` TLS driver (DESIGN.md section 5): a private CA, created once and shared by all
 * replicas, that issues real X.509 server certificates. Anyone who trusts its certificate
 * (`caCertificatePem()`) gets verified TLS to tenant hosts without a public ACME issuer.
 *
 * The CA key is at rest only sealed by the SecretBox; in memory it is a non-extractable WebCrypto
 * key. Errors never carry key material.
 */
export class LocalCertificateAuthority implements CertificateIssuer {
  private readonly now: () => Date;
  private ca: Promise<CaMaterial> | undefined;

  constructor(
    private readonly loadOrCreate: LoadOrCreate,
    private readonly box: SecretBox,
    options: LocalCertificateAuthorityOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async issue(dnsNames: readonly string[], options: { validityDays?: number } = {}): Promise<IssuedCertificate> {
    const names = validateDnsNames(dnsNames);
    const validityDays = options.validityDays ?? DEFAULT_VALIDITY_DAYS;
    if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
      throw new DriverError(`validityDays must be a whole number from 1 to ${MAX_VALIDITY_DAYS}`, false);
    }
    const ca = await this.material();
    const now = this.now();
    if (ca.certificate.notAfter.getTime() <= now.getTime()) {
      throw new DriverError(
        `the local CA expired on ${ca.certificate.notAfter.toISOString()}; remove the stored '${LOCAL_CA_STORE_NAME}' to create a new one`,
        false,
      );
    }
    return issueLeaf(ca, names, validityDays, now);
  }

  /** The CA certificate (PEM), for clients to trust: browsers, curl --cacert, NODE_EXTRA_CA_CERTS. */
  async caCertificatePem(): Promise<string> {
    return (await this.material()).certificatePem;
  }

  /**
   * Loads the CA once per instance. Concurrent callers share one load; a failed load is forgotten
   * so the next call tries again (the store may have been briefly unreachable).
   */
  private material(): Promise<CaMaterial> {
    this.ca ??= this.load().catch((error: unknown) => {
      this.ca = undefined;
      throw error;
    });
    return this.ca;
  }

  private async load(): Promise<CaMaterial> {
    let sealed: string;
    try {
      sealed = await this.loadOrCreate(() => generateSealedCa(this.box, this.now()));
    } catch (error) {
      if (error instanceof DriverError) throw error;
      // The store (a database) failing is usually transient.
      throw new DriverError('cannot load or store the local CA', true, { cause: error });
    }
    // What was stored, not what this call generated: when replicas race, all use the winner's CA.
    return openSealedCa(this.box, sealed);
  }
}
