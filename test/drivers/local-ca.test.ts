import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError, type IssuedCertificate } from '../../src/drivers/contract.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { LocalCertificateAuthority, type LoadOrCreate } from '../../src/drivers/tls/local-ca.js';
import { x509 } from '../../src/drivers/tls/x509-crypto.js';

const NAMES = ['acme.matih.test', '*.acme.matih.test'];
const DAY_MS = 86_400_000;

/** The store's contract in memory: the first value wins, later ones are generated and dropped. */
function memoryStore(): { loadOrCreate: LoadOrCreate; value: () => string | undefined; generated: () => number } {
  let stored: string | undefined;
  let generated = 0;
  return {
    loadOrCreate: async (generate) => {
      const mine = await generate();
      generated += 1;
      stored ??= mine;
      return stored;
    },
    value: () => stored,
    generated: () => generated,
  };
}

async function permanentFailure(work: () => Promise<unknown>): Promise<DriverError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).retryable).toBe(false);
  return error as DriverError;
}

/** Everything an error would show in a log: message, stack, and the same for each cause. */
function errorText(error: unknown): string {
  let text = '';
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    text += e instanceof Error ? `${e.message}\n${e.stack ?? ''}\n` : `${JSON.stringify(e)}\n`;
  }
  return text;
}

function pemBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

function signedBy(leafPem: string, caPem: string): boolean {
  const ca = new X509Certificate(caPem);
  const leaf = new X509Certificate(leafPem);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

describe('LocalCertificateAuthority: issuing', () => {
  const box = new AesGcmSecretBox(AesGcmSecretBox.generateKey());
  const store = memoryStore();
  const authority = new LocalCertificateAuthority(store.loadOrCreate, box);
  let issued: IssuedCertificate;
  let issuedAt: number;

  beforeAll(async () => {
    issuedAt = Date.now();
    issued = await authority.issue(NAMES);
  });

  it('makes a self-signed P-256 root, CA:true pathLen 0, for certificate and CRL signing only, ten years', async () => {
    const ca = new x509.X509Certificate(await authority.caCertificatePem());
    expect(ca.subject).toBe('CN=MATIH Local CA, O=MATIH');
    expect(ca.issuer).toBe(ca.subject);
    expect(await ca.isSelfSigned()).toBe(true);
    expect(ca.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const constraints = ca.getExtension(x509.BasicConstraintsExtension);
    expect(constraints).toMatchObject({ ca: true, pathLength: 0, critical: true });
    expect(ca.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    const years = (ca.notAfter.getTime() - ca.notBefore.getTime()) / (365 * DAY_MS);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(issued.caPem).toBe(await authority.caCertificatePem());
  });

  it('issues a server certificate for exactly the names given, signed by the CA', async () => {
    const leaf = new x509.X509Certificate(issued.certificatePem);
    const ca = new x509.X509Certificate(issued.caPem);
    expect(issued.dnsNames).toEqual(NAMES);
    expect(leaf.subject).toBe('CN=acme.matih.test');
    expect(leaf.issuer).toBe(ca.subject);
    expect(leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON()).toEqual(
      NAMES.map((value) => ({ type: 'dns', value })),
    );
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    expect(leaf.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(leaf.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(await leaf.verify({ publicKey: ca })).toBe(true);
    expect(signedBy(issued.certificatePem, issued.caPem)).toBe(true);
  });

  it('uses a random positive 16-byte serial, backdates a minute and lasts 90 days by default', async () => {
    const leaf = new x509.X509Certificate(issued.certificatePem);
    expect(leaf.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/);
    const other = new x509.X509Certificate((await authority.issue(NAMES)).certificatePem);
    expect(other.serialNumber).not.toBe(leaf.serialNumber);
    // X.509 times have whole seconds.
    expect(Math.abs(leaf.notBefore.getTime() - (issuedAt - 60_000))).toBeLessThan(5_000);
    expect(issued.notAfter.getTime()).toBe(leaf.notAfter.getTime());
    expect(Math.abs(leaf.notAfter.getTime() - leaf.notBefore.getTime() - 90 * DAY_MS)).toBeLessThan(1_000);
  });

  it('returns the leaf key as PKCS#8 PEM, matching the certificate', () => {
    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n?$/);
    const key = createPrivateKey(issued.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new X509Certificate(issued.certificatePem).checkPrivateKey(key)).toBe(true);
  });

  it('honours validityDays and refuses what is not a whole number of days up to 398', async () => {
    const short = await authority.issue(['one.matih.test'], { validityDays: 1 });
    const leaf = new x509.X509Certificate(short.certificatePem);
    expect(Math.abs(leaf.notAfter.getTime() - leaf.notBefore.getTime() - DAY_MS)).toBeLessThan(1_000);
    for (const validityDays of [0, -1, 1.5, 399, Number.NaN]) {
      await permanentFailure(() => authority.issue(['one.matih.test'], { validityDays }));
    }
  });

  it('puts a first name too long for a CN only in a critical SubjectAltName', async () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.matih.test`;
    const cert = await authority.issue([long]);
    const leaf = new x509.X509Certificate(cert.certificatePem);
    expect(leaf.subject).toBe('');
    expect(leaf.getExtension(x509.SubjectAlternativeNameExtension)?.critical).toBe(true);
    expect(signedBy(cert.certificatePem, cert.caPem)).toBe(true);
  });

  it.each([
    ['no names', []],
    ['an empty name', ['']],
    ['an empty label', ['acme..matih.test']],
    ['a trailing dot', ['acme.matih.test.']],
    ['a leading hyphen', ['-acme.matih.test']],
    ['an underscore', ['ac_me.matih.test']],
    ['a space', ['acme matih.test']],
    ['a label over 63 characters', [`${'a'.repeat(64)}.matih.test`]],
    ['a name over 253 characters', [`${'a'.repeat(63)}.`.repeat(4) + 'test']],
    ['a partial wildcard', ['a*.matih.test']],
    ['a wildcard not first', ['api.*.matih.test']],
    ['two wildcards', ['*.*.matih.test']],
    ['a wildcard over a single label', ['*.test']],
    ['an IP address', ['127.0.0.1']],
    ['a duplicate', ['acme.matih.test', 'ACME.matih.test']],
  ])('refuses %s, permanently, before touching the CA', async (_label, names: string[]) => {
    const fresh = memoryStore();
    const untouched = new LocalCertificateAuthority(fresh.loadOrCreate, box);
    const error = await permanentFailure(() => untouched.issue(names));
    expect(error.message.length).toBeLessThan(300);
    expect(fresh.generated()).toBe(0);
  });

  it('keeps names exactly as given, in order', async () => {
    const names = ['bi.acme.matih.test', 'API.acme.matih.test', 'acme.matih.test'];
    const cert = await authority.issue(names);
    const leaf = new x509.X509Certificate(cert.certificatePem);
    expect(leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.map((n) => n.value)).toEqual(names);
    expect(leaf.subject).toBe('CN=bi.acme.matih.test');
  });
});

describe('LocalCertificateAuthority: one CA, stored sealed', () => {
  const key = AesGcmSecretBox.generateKey();

  it('is created once: a second authority over the same store issues under the same CA', async () => {
    const store = memoryStore();
    const first = new LocalCertificateAuthority(store.loadOrCreate, new AesGcmSecretBox(key));
    const fromFirst = await first.issue(NAMES);
    const second = new LocalCertificateAuthority(store.loadOrCreate, new AesGcmSecretBox(key));
    const fromSecond = await second.issue(['other.matih.test']);
    expect(fromSecond.caPem).toBe(fromFirst.caPem);
    expect(await second.caCertificatePem()).toBe(fromFirst.caPem);
    expect(signedBy(fromSecond.certificatePem, fromFirst.caPem)).toBe(true);
  });

  it('when two authorities race, both use the stored CA, not the one each generated', async () => {
    // Both generate before either stores: the worst interleaving of two replicas starting together.
    let stored: string | undefined;
    let arrived = 0;
    let release = (): void => {};
    const bothGenerated = new Promise<void>((resolve) => (release = resolve));
    const racing: LoadOrCreate = async (generate) => {
      const mine = await generate();
      if (++arrived === 2) release();
      await bothGenerated;
      stored ??= mine;
      return stored;
    };
    const a = new LocalCertificateAuthority(racing, new AesGcmSecretBox(key));
    const b = new LocalCertificateAuthority(racing, new AesGcmSecretBox(key));
    const [fromA, fromB] = await Promise.all([a.issue(['a.matih.test']), b.issue(['b.matih.test'])]);
    expect(arrived).toBe(2);
    expect(fromA.caPem).toBe(fromB.caPem);
    expect(signedBy(fromA.certificatePem, fromB.caPem)).toBe(true);
    expect(signedBy(fromB.certificatePem, fromA.caPem)).toBe(true);
  });

  it('loads the CA once for concurrent issues on one authority', async () => {
    const store = memoryStore();
    const authority = new LocalCertificateAuthority(store.loadOrCreate, new AesGcmSecretBox(key));
    const certs = await Promise.all([1, 2, 3].map((i) => authority.issue([`t${i}.matih.test`])));
    expect(store.generated()).toBe(1);
    expect(new Set(certs.map((c) => c.caPem)).size).toBe(1);
  });

  it('stores the CA key sealed, never in clear', async () => {
    const store = memoryStore();
    const authority = new LocalCertificateAuthority(store.loadOrCreate, new AesGcmSecretBox(key));
    await authority.issue(NAMES);
    const stored = store.value() ?? '';
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('PRIVATE KEY');
    expect(stored).not.toContain('CERTIFICATE');
    const opened = JSON.parse(new AesGcmSecretBox(key).open(stored)) as { certificatePem: string; privateKeyPem: string };
    expect(opened.certificatePem).toBe(await authority.caCertificatePem());
    expect(opened.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(stored).not.toContain(pemBody(opened.privateKeyPem).slice(0, 40));
  });

  it('refuses, permanently, a stored CA it cannot open, and says nothing of the key', async () => {
    const store = memoryStore();
    const authority = new LocalCertificateAuthority(store.loadOrCreate, new AesGcmSecretBox(key));
    await authority.issue(NAMES);
    const other = new LocalCertificateAuthority(store.loadOrCreate, new AesGcmSecretBox(AesGcmSecretBox.generateKey()));
    const error = await permanentFailure(() => other.issue(NAMES));
    const opened = JSON.parse(new AesGcmSecretBox(key).open(store.value() ?? '')) as { privateKeyPem: string };
    expect(errorText(error)).not.toContain(pemBody(opened.privateKeyPem).slice(0, 20));
  });

  it('refuses a stored CA whose key is not its certificate’s, or is garbage, without quoting it', async () => {
    const box = new AesGcmSecretBox(key);
    const real = memoryStore();
    await new LocalCertificateAuthority(real.loadOrCreate, box).issue(NAMES);
    const stranger = memoryStore();
    await new LocalCertificateAuthority(stranger.loadOrCreate, box).issue(NAMES);
    const realCa = JSON.parse(box.open(real.value() ?? '')) as { format: string; certificatePem: string; privateKeyPem: string };
    const strangerCa = JSON.parse(box.open(stranger.value() ?? '')) as { privateKeyPem: string };

    const tampered = [
      { ...realCa, privateKeyPem: strangerCa.privateKeyPem },
      { ...realCa, privateKeyPem: `-----BEGIN PRIVATE KEY-----\nSECRETSECRETSECRET\n-----END PRIVATE KEY-----\n` },
      { ...realCa, certificatePem: 'not a certificate SECRETSECRETSECRET' },
      { ...realCa, format: 'something-else' },
    ];
    for (const stored of tampered) {
      const sealed = box.seal(JSON.stringify(stored));
      const authority = new LocalCertificateAuthority(async () => sealed, box);
      const error = await permanentFailure(() => authority.issue(NAMES));
      const text = errorText(error);
      expect(text).not.toContain('SECRETSECRETSECRET');
      expect(text).not.toContain(pemBody(realCa.privateKeyPem).slice(0, 20));
      expect(text).not.toContain(pemBody(strangerCa.privateKeyPem).slice(0, 20));
    }
    const notJson = box.seal(`{"privateKeyPem": "${realCa.privateKeyPem}`);
    const error = await permanentFailure(() => new LocalCertificateAuthority(async () => notJson, box).issue(NAMES));
    expect(errorText(error)).not.toContain(pemBody(realCa.privateKeyPem).slice(0, 20));
  });

  it('reports a failing store as retryable and tries again on the next call', async () => {
    const store = memoryStore();
    let failures = 1;
    const flaky: LoadOrCreate = async (generate) => {
      if (failures-- > 0) throw new Error('connection refused');
      return store.loadOrCreate(generate);
    };
    const authority = new LocalCertificateAuthority(flaky, new AesGcmSecretBox(key));
    const error = await authority.issue(NAMES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(true);
    const cert = await authority.issue(NAMES);
    expect(signedBy(cert.certificatePem, cert.caPem)).toBe(true);
  });

  it('refuses to issue once the CA has expired, and never past its end', async () => {
    const store = memoryStore();
    const box = new AesGcmSecretBox(key);
    const caPem = await new LocalCertificateAuthority(store.loadOrCreate, box).caCertificatePem();
    const caNotAfter = new x509.X509Certificate(caPem).notAfter;

    const nearEnd = new LocalCertificateAuthority(store.loadOrCreate, box, { now: () => new Date(caNotAfter.getTime() - 10 * DAY_MS) });
    const lastCert = await nearEnd.issue(NAMES);
    expect(lastCert.notAfter.getTime()).toBe(caNotAfter.getTime());

    const later = new LocalCertificateAuthority(store.loadOrCreate, box, { now: () => new Date(caNotAfter.getTime() + 1_000) });
    const error = await permanentFailure(() => later.issue(NAMES));
    expect(error.message).toContain('tls-local-ca');
  });
});

describe('LocalCertificateAuthority: a real TLS handshake trusting only the CA', () => {
  let issued: IssuedCertificate;
  let strangerCaPem: string;
  let server: https.Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    const box = new AesGcmSecretBox(AesGcmSecretBox.generateKey());
    issued = await new LocalCertificateAuthority(memoryStore().loadOrCreate, box).issue(NAMES);
    strangerCaPem = await new LocalCertificateAuthority(memoryStore().loadOrCreate, box).caCertificatePem();
    // One certificate for every name: no SNI callback, the server always presents it.
    server = https.createServer({ key: issued.privateKeyPem, cert: issued.certificatePem }, (req, res) => {
      res.end(`hello ${req.headers.host ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'local-ca-'));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** Connects as a client would to `servername` (resolved to the test server), trusting `ca` or the system roots. */
  function handshake(servername: string, ca?: string[]): Promise<{ authorized: boolean; subject: string }> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ...(ca ? { ca } : {}) }, () => {
        const result = { authorized: socket.authorized, subject: String(socket.getPeerCertificate().subject.CN) };
        socket.end();
        resolve(result);
      });
      socket.on('error', reject);
    });
  }

  function get(servername: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = https.get(
        { host: '127.0.0.1', port, path: '/', servername, headers: { host: servername }, ca: [issued.caPem], agent: false },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve(body));
        },
      );
      request.on('error', reject);
    });
  }

  it.each(['acme.matih.test', 'api.acme.matih.test', 'bi.acme.matih.test'])('verifies %s', async (servername) => {
    await expect(handshake(servername, [issued.caPem])).resolves.toEqual({ authorized: true, subject: 'acme.matih.test' });
  });

  it('serves HTTPS to a client trusting only the CA', async () => {
    await expect(get('api.acme.matih.test')).resolves.toBe('hello api.acme.matih.test');
    await expect(get('acme.matih.test')).resolves.toBe('hello acme.matih.test');
  });

  it.each(['evil.other.test', 'a.b.acme.matih.test', 'matih.test'])('rejects %s: not a name of the certificate', async (servername) => {
    await expect(handshake(servername, [issued.caPem])).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    await expect(get(servername)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('is rejected by a client that does not trust the CA', async () => {
    const refused = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'];
    const withSystemRoots = await handshake('acme.matih.test').catch((e: unknown) => e);
    expect(refused).toContain((withSystemRoots as { code?: string }).code);
    const withAnotherCa = await handshake('acme.matih.test', [strangerCaPem]).catch((e: unknown) => e);
    expect(refused).toContain((withAnotherCa as { code?: string }).code);
  });

  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

  it.skipIf(!openssl)('passes openssl verify, strict and for a server purpose', async () => {
    const caFile = join(dir, 'ca.pem');
    const leafFile = join(dir, 'leaf.pem');
    await writeFile(caFile, issued.caPem);
    await writeFile(leafFile, issued.certificatePem);
    const verify = (...extra: string[]) =>
      spawnSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', ...extra, '-CAfile', caFile, leafFile], {
        encoding: 'utf8',
      });

    const plain = verify();
    expect(plain.stdout.trim()).toBe(`${leafFile}: OK`);
    expect(plain.status).toBe(0);
    expect(verify('-verify_hostname', 'bi.acme.matih.test').status).toBe(0);
    const wrongHost = verify('-verify_hostname', 'evil.other.test');
    expect(wrongHost.status).not.toBe(0);
    expect(wrongHost.stderr + wrongHost.stdout).toMatch(/hostname mismatch/i);
  });
});
