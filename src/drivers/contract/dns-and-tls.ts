/* ------------------------------------------------------------------------------------------ *
 * DNS (issue 5): a child zone per tenant under the platform's parent zone (spec/004 phase 7).
 * ------------------------------------------------------------------------------------------ */

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'TXT';

export interface DnsRecordSet {
  /** Relative to the zone: '@' for the apex, '*' for the wildcard, 'api', ... */
  name: string;
  type: DnsRecordType;
  ttl: number;
  /** A/AAAA: addresses; NS/CNAME: host names ending without a dot; TXT: the strings. */
  values: string[];
}

export interface DnsZoneObservation {
  exists: boolean;
  /** The zone's name servers, as its NS record set at the apex lists them. */
  nameServers: string[];
  records: DnsRecordSet[];
}

/**
 * A DNS provider holding zones (embedded authoritative server, PowerDNS, Azure DNS). Zone names
 * are absolute without the trailing dot ("acme.matih.localhost"). Every verb is idempotent.
 */
export interface DnsDriver {
  observeZone(zone: string): Promise<DnsZoneObservation>;
  /**
   * observeZone of many zones in a constant number of reads (the reconciler's page of tenants),
   * answers in the order asked; a zone that cannot be observed (a bad name) is answered with its
   * error (a DriverError, as observeZone would throw it), a failure of the whole read rejects. Optional: where the provider has no read of
   * many zones at once, the drift detector calls observeZone zone by zone.
   */
  observeZones?(zones: readonly string[]): Promise<(DnsZoneObservation | Error)[]>;
  /** Creates the zone when absent (SOA and NS at its apex); returns its name servers. */
  ensureZone(zone: string): Promise<{ nameServers: string[] }>;
  /** Makes the record set equal to `set` (creating or replacing it). */
  upsertRecordSet(zone: string, set: DnsRecordSet): Promise<void>;
  /** Removes one record set; absent is success. */
  deleteRecordSet(zone: string, name: string, type: DnsRecordType): Promise<void>;
  /** Removes the zone and everything in it; absent is success. */
  deleteZone(zone: string): Promise<void>;
}

/* ------------------------------------------------------------------------------------------ *
 * TLS (issue 5): a certificate for the tenant's hosts (spec/004 phase 8).
 * ------------------------------------------------------------------------------------------ */

export interface IssuedCertificate {
  /** PEM: the leaf first, then the chain up to (not including) the root. */
  certificatePem: string;
  /** PEM (PKCS#8). A secret: never logged, stored sealed or in a Secret only. */
  privateKeyPem: string;
  /** PEM of the CA that signed it, for clients to trust. */
  caPem: string;
  notAfter: Date;
  dnsNames: string[];
}

export interface CertificateIssuer {
  /** A new certificate for exactly `dnsNames` (e.g. "acme.matih.localhost", "*.acme.matih.localhost"). */
  issue(dnsNames: readonly string[], options?: { validityDays?: number }): Promise<IssuedCertificate>;
}
