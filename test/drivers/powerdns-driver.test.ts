import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Packet } from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError } from '../../src/drivers/contract.js';
import { PowerDnsDriver, type PowerDnsDriverOptions } from '../../src/drivers/dns/powerdns-driver.js';
import { HAS_PDNS, PDNS_MISSING, type PdnsServer, startPdnsServer } from '../support/pdns-server.js';
import { LB_IP, caught, expectPermanent, tcpQuery, udpQuery, udpResolver } from './dns-contract.js';

const NAME_SERVERS = ['ns1.matih.test', 'ns2.matih.test'];

async function expectRetryable(promise: Promise<unknown>, message?: RegExp): Promise<DriverError> {
  const error = await caught(promise);
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).retryable).toBe(true);
  if (message) expect((error as DriverError).message).toMatch(message);
  return error as DriverError;
}

/** Every verb of the driver once, each settling to its error (or undefined). */
async function everyVerb(driver: PowerDnsDriver, zone: string): Promise<unknown[]> {
  return Promise.all([
    caught(driver.observeZone(zone)),
    caught(driver.ensureZone(zone)),
    caught(driver.upsertRecordSet(zone, { name: 'api', type: 'A', ttl: 60, values: [LB_IP] })),
    caught(driver.deleteRecordSet(zone, 'api', 'A')),
    caught(driver.deleteZone(zone)),
  ]);
}

describe.skipIf(!HAS_PDNS)(`PowerDnsDriver against a real pdns_server${HAS_PDNS ? '' : ` (skipped: ${PDNS_MISSING})`}`, () => {
  let pdns: PdnsServer;
  let driver: PowerDnsDriver;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost${path}`, {
      method,
      headers: { 'x-api-key': pdns.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    return { status: response.status, body: (/^[[{]/.test(text) ? JSON.parse(text) : text) as Record<string, unknown> };
  };

  beforeAll(async () => {
    pdns = await startPdnsServer();
    driver = new PowerDnsDriver({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, nameServers: NAME_SERVERS, soaEmail: 'hostmaster@matih.test', defaultTtl: 300 });
  });
  afterAll(async () => {
    await pdns?.stop();
  });

  it('spec/004 phase 7: child zone, NS delegation in the parent, A records @ * api bi answered over UDP and TCP, then all removed', async () => {
    const parent = 'matih.test';
    const child = 'acme.matih.test';
    await driver.ensureZone(parent);
    const { nameServers } = await driver.ensureZone(child);
    expect([...nameServers].sort()).toEqual(NAME_SERVERS);
    await driver.upsertRecordSet(parent, { name: 'acme', type: 'NS', ttl: 300, values: nameServers });
    for (const name of ['@', '*', 'api', 'bi']) await driver.upsertRecordSet(child, { name, type: 'A', ttl: 60, values: [LB_IP] });

    // What PowerDNS itself holds: a Native zone with our SOA, and the delegation in the parent.
    const stored = await api('GET', `/zones/${child}.`);
    expect(stored.body).toMatchObject({ name: `${child}.`, kind: 'Native' });
    const soa = (stored.body.rrsets as Array<{ type: string; ttl: number; records: Array<{ content: string }> }>).find((r) => r.type === 'SOA');
    expect(soa?.ttl).toBe(300);
    expect(soa?.records[0]?.content).toMatch(/^ns1\.matih\.test\. hostmaster\.matih\.test\. [1-9][0-9]* 3600 600 1209600 300$/);
    expect((await driver.observeZone(parent)).records).toContainEqual({ name: 'acme', type: 'NS', ttl: 300, values: NAME_SERVERS });

    const resolver = udpResolver(pdns.dnsPort);
    for (const host of ['acme.matih.test', 'api.acme.matih.test', 'bi.acme.matih.test', 'tenant-app.acme.matih.test']) {
      expect(await resolver.resolve4(host)).toEqual([LB_IP]);
    }
    expect((await resolver.resolveNs(child)).sort()).toEqual(NAME_SERVERS);
    const ask = tcpQuery(pdns.dnsPort);
    for (const host of ['acme.matih.test', 'api.acme.matih.test', 'bi.acme.matih.test', 'tenant-app.acme.matih.test']) {
      const answer = await ask(host, 'A');
      expect(answer.header).toMatchObject({ rcode: 0, aa: 1 });
      expect(answer.answers).toMatchObject([{ name: host, type: Packet.TYPE.A, address: LB_IP }]);
    }

    // Rollback, step 1: the child zone goes; the parent's delegation still refers resolvers to its servers.
    await driver.deleteZone(child);
    expect(await driver.observeZone(child)).toEqual({ exists: false, nameServers: [], records: [] });
    for (const referral of [await udpQuery(pdns.dnsPort, 'api.acme.matih.test', Packet.TYPE.A), await ask('api.acme.matih.test', 'A')]) {
      expect(referral.header).toMatchObject({ rcode: 0, aa: 0 });
      expect(referral.answers).toEqual([]);
      expect(referral.authorities.map((r) => r.ns).sort()).toEqual(NAME_SERVERS);
    }
    // Step 2: the delegation goes; the names no longer exist.
    await driver.deleteRecordSet(parent, 'acme', 'NS');
    expect((await driver.observeZone(parent)).records.map((r) => `${r.name} ${r.type}`)).toEqual(['@ NS']);
    expect(await caught(resolver.resolve4('api.acme.matih.test'))).toMatchObject({ code: 'ENOTFOUND' });
    expect(await caught(resolver.resolve4('acme.matih.test'))).toMatchObject({ code: 'ENOTFOUND' });
    expect((await ask('api.acme.matih.test', 'A')).header).toMatchObject({ rcode: 3, aa: 1 });
    // A rollback that runs again finds nothing to do.
    await driver.deleteZone(child);
    await driver.deleteRecordSet(parent, 'acme', 'NS');
    // Without the parent, the server holds nothing of these names and refuses them.
    await driver.deleteZone(parent);
    expect(await caught(resolver.resolve4('api.acme.matih.test'))).toMatchObject({ code: 'EREFUSED' });
    expect((await ask('api.acme.matih.test', 'A')).header.rcode).toBe(5);
    const left = ((await api('GET', '/zones')).body as unknown as Array<{ name: string }>).map((z) => z.name);
    expect(left).not.toContain(`${parent}.`);
    expect(left).not.toContain(`${child}.`);
  });

  it('leaves out SOA, disabled records and types the contract does not know, and keeps them when writing beside them', async () => {
    const zone = 'foreign.test';
    await driver.ensureZone(zone);
    const patched = await api('PATCH', `/zones/${zone}.`, {
      rrsets: [
        { name: `mail.${zone}.`, type: 'MX', ttl: 60, changetype: 'REPLACE', records: [{ content: `10 mx.${zone}.`, disabled: false }] },
        { name: `off.${zone}.`, type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1', disabled: true }] },
        { name: `half.${zone}.`, type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.2', disabled: false }, { content: '192.0.2.3', disabled: true }] },
      ],
    });
    expect(patched.status).toBe(204);
    await driver.upsertRecordSet(zone, { name: 'mail', type: 'A', ttl: 60, values: [LB_IP] });
    expect((await driver.observeZone(zone)).records).toEqual([
      { name: '@', type: 'NS', ttl: 300, values: NAME_SERVERS },
      { name: 'half', type: 'A', ttl: 60, values: ['192.0.2.2'] },
      { name: 'mail', type: 'A', ttl: 60, values: [LB_IP] },
    ]);
    const mx = await api('GET', `/zones/${zone}.?rrset_name=mail.${zone}.&rrset_type=MX`);
    expect(mx.body.rrsets).toMatchObject([{ type: 'MX', records: [{ content: `10 mx.${zone}.` }] }]);
  });

  it('ensureZone leaves an existing zone as it is and gives its name servers', async () => {
    const zone = 'existing.test';
    expect((await api('POST', '/zones', { name: `${zone}.`, kind: 'Native', nameservers: ['ns9.elsewhere.example.'] })).status).toBe(201);
    expect(await driver.ensureZone(zone)).toEqual({ nameServers: ['ns9.elsewhere.example'] });
    expect((await driver.observeZone(zone)).nameServers).toEqual(['ns9.elsewhere.example']);
  });

  it('ensureZone completes a zone a failed create left without SOA and NS (PowerDNS creates zones in two steps)', async () => {
    for (const [zone, keptNs] of [['half.test', undefined], ['half-ns.test', 'ns9.elsewhere.example']] as const) {
      expect((await api('POST', '/zones', { name: `${zone}.`, kind: 'Native', nameservers: ['ns1.matih.test.'] })).status).toBe(201);
      const strip = [{ name: `${zone}.`, type: 'SOA', changetype: 'DELETE' }, { name: `${zone}.`, type: 'NS', changetype: 'DELETE' }];
      const keep = keptNs === undefined ? [] : [{ name: `${zone}.`, type: 'NS', ttl: 60, changetype: 'REPLACE', records: [{ content: `${keptNs}.`, disabled: false }] }];
      expect((await api('PATCH', `/zones/${zone}.`, { rrsets: [...strip, ...keep] })).status).toBe(204);

      const expected = keptNs === undefined ? NAME_SERVERS : [keptNs];
      expect(await driver.ensureZone(zone)).toEqual({ nameServers: expected });
      expect((await driver.observeZone(zone)).nameServers).toEqual(expected);
      const soa = await udpResolver(pdns.dnsPort).resolveSoa(zone);
      expect(soa).toMatchObject({ nsname: 'ns1.matih.test', hostmaster: 'hostmaster.matih.test', minttl: 300 });
      expect(soa.serial).toBeGreaterThan(0);
    }
  });

  it('a wrong API key is a permanent error naming the status, and neither key appears in it', async () => {
    const wrongKey = `wrong-${randomBytes(12).toString('hex')}`;
    const wrong = new PowerDnsDriver({ apiUrl: pdns.apiUrl, apiKey: wrongKey, nameServers: NAME_SERVERS });
    for (const error of await everyVerb(wrong, 'key.test')) {
      expect(error).toBeInstanceOf(DriverError);
      expect((error as DriverError).retryable).toBe(false);
      expect((error as DriverError).message).toMatch(/answered 401.*API key/);
      expect((error as DriverError).message).not.toContain(wrongKey);
      expect((error as DriverError).message).not.toContain(pdns.apiKey);
    }
    expect((await api('GET', '/zones/key.test.')).status).toBe(404);
  });

  it('a stopped server is a retryable error, without the key', async () => {
    const other = await startPdnsServer();
    const stopped = new PowerDnsDriver({ apiUrl: other.apiUrl, apiKey: other.apiKey, nameServers: NAME_SERVERS });
    expect(await stopped.ensureZone('stopped.test')).toEqual({ nameServers: NAME_SERVERS });
    await other.stop();
    for (const error of await everyVerb(stopped, 'stopped.test')) {
      expect(error).toBeInstanceOf(DriverError);
      expect((error as DriverError).retryable).toBe(true);
      expect((error as DriverError).message).toMatch(/ECONNREFUSED/);
      expect((error as DriverError).message).not.toContain(other.apiKey);
    }
  });

  it("an alias written by someone else between the driver's read and write is PowerDNS's own permanent 422", async () => {
    const zone = 'race-alias.test';
    await driver.ensureZone(zone);
    // Another writer slips a CNAME in just before the driver's PATCH: the driver's check saw nothing.
    const interleaving: typeof fetch = async (input, init) => {
      if (init?.method === 'PATCH') {
        const other = await api('PATCH', `/zones/${zone}.`, { rrsets: [{ name: `api.${zone}.`, type: 'CNAME', ttl: 60, changetype: 'REPLACE', records: [{ content: 'elsewhere.example.', disabled: false }] }] });
        expect(other.status).toBe(204);
      }
      return fetch(input, init);
    };
    const racing = new PowerDnsDriver({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, nameServers: NAME_SERVERS, fetch: interleaving });
    const error = await expectPermanent(racing.upsertRecordSet(zone, { name: 'api', type: 'A', ttl: 60, values: [LB_IP] }), /answered 422: .*Conflicts with pre-existing RRset/);
    expect(error.message).not.toContain(pdns.apiKey);
    expect((await driver.observeZone(zone)).records).toContainEqual({ name: 'api', type: 'CNAME', ttl: 60, values: ['elsewhere.example'] });
  });
});

/* ------------------------- error mapping, with a fetch that answers as told ------------------------- */

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch answering each call with the next of `answers` (the last repeats), recording the calls. */
function scriptedFetch(answers: Array<() => Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    calls.push({ method: init?.method ?? 'GET', url: input instanceof Request ? input.url : input.toString(), headers, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    const next = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (next === undefined) throw new Error('no answer scripted');
    return next();
  };
  return { fetch: fake, calls };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const text = (status: number, body: string) => () => new Response(body, { status });
const noContent = () => new Response(null, { status: 204 });
const KEY = `key-${randomBytes(12).toString('hex')}`;
const zoneWithNs = (zone: string, ns: string[], soa = true) => ({
  name: `${zone}.`,
  rrsets: [
    ...(soa ? [{ name: `${zone}.`, type: 'SOA', ttl: 300, records: [{ content: `${ns[0]}. hostmaster.${zone}. 2026010101 3600 600 1209600 300`, disabled: false }] }] : []),
    { name: `${zone}.`, type: 'NS', ttl: 300, records: ns.map((n) => ({ content: `${n}.`, disabled: false })) },
  ],
});

function scripted(answers: Array<() => Response>, options: Partial<PowerDnsDriverOptions> = {}) {
  const { fetch, calls } = scriptedFetch(answers);
  const driver = new PowerDnsDriver({ apiUrl: 'http://pdns.internal:8081', apiKey: KEY, nameServers: ['ns1.matih.test'], fetch, ...options });
  return { driver, calls };
}

describe('PowerDnsDriver error mapping and requests', () => {
  it('sends the key only in X-API-Key, to the configured server id, with the zone id as canonical name with the dot', async () => {
    const { driver, calls } = scripted([text(404, 'Not Found')], { serverId: 'primary', apiUrl: 'https://dns.example/pdns/' });
    expect(await driver.observeZone('Acme.Matih.Test')).toEqual({ exists: false, nameServers: [], records: [] });
    expect(calls).toEqual([{ method: 'GET', url: 'https://dns.example/pdns/api/v1/servers/primary/zones/acme.matih.test.', headers: { 'x-api-key': KEY, accept: 'application/json' }, body: undefined }]);
  });

  it('creates a zone with its SOA and apex NS, after finding it absent', async () => {
    const { driver, calls } = scripted([text(404, 'Not Found'), json(201, zoneWithNs('acme.matih.test', ['ns1.matih.test']))], { defaultTtl: 120 });
    expect(await driver.ensureZone('acme.matih.test')).toEqual({ nameServers: ['ns1.matih.test'] });
    expect(calls.map((c) => `${c.method} ${new URL(c.url).pathname}${new URL(c.url).search}`)).toEqual([
      'GET /api/v1/servers/localhost/zones/acme.matih.test.?rrset_name=acme.matih.test.',
      'POST /api/v1/servers/localhost/zones',
    ]);
    expect(calls[1]?.body).toEqual({
      name: 'acme.matih.test.',
      kind: 'Native',
      nameservers: [],
      rrsets: [
        { name: 'acme.matih.test.', type: 'SOA', ttl: 120, records: [{ content: 'ns1.matih.test. hostmaster.acme.matih.test. 0 3600 600 1209600 120', disabled: false }] },
        { name: 'acme.matih.test.', type: 'NS', ttl: 120, changetype: 'REPLACE', records: [{ content: 'ns1.matih.test.', disabled: false }] },
      ],
    });
  });

  it('ensureZone that loses the create race (409, or 500 from the database) reads the zone the winner made', async () => {
    const winner = json(200, zoneWithNs('race.test', ['ns1.matih.test']));
    const conflict = json(409, { error: 'Conflict' });
    const unique = json(500, { error: 'UNIQUE constraint failed: domains.name' });
    for (const script of [[conflict], [unique, unique, unique]]) {
      const { driver, calls } = scripted([text(404, 'Not Found'), ...script, winner]);
      expect(await driver.ensureZone('race.test')).toEqual({ nameServers: ['ns1.matih.test'] });
      expect(calls.map((c) => c.method)).toEqual(['GET', ...script.map(() => 'POST'), 'GET']);
    }
    // Gone again by the time it is read: the caller tries again later.
    const { driver } = scripted([text(404, 'Not Found'), json(409, { error: 'Conflict' }), text(404, 'Not Found')]);
    await expectRetryable(driver.ensureZone('race.test'), /deleted while being ensured/);
  });

  it('ensureZone waits for a zone another caller is creating instead of completing it itself', async () => {
    const incomplete = json(200, zoneWithNs('busy.test', [], false));
    const { driver, calls } = scripted([incomplete, incomplete, json(200, zoneWithNs('busy.test', ['ns1.matih.test']))]);
    expect(await driver.ensureZone('busy.test')).toEqual({ nameServers: ['ns1.matih.test'] });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('a 5xx is tried three times in all, then retryable with the status; a 5xx that passes is success', async () => {
    const failing = scripted([json(500, { error: 'GSQLBackend unable to delete RRSet: database is locked' })]);
    const error = await expectRetryable(failing.driver.deleteZone('busy.test'), /answered 500: GSQLBackend unable to delete RRSet: database is locked/);
    expect(failing.calls).toHaveLength(3);
    expect(error.message).not.toContain(KEY);
    const passing = scripted([text(503, 'Service Unavailable'), noContent]);
    await passing.driver.deleteZone('busy.test');
    expect(passing.calls).toHaveLength(2);
  });

  it("a 422 is permanent with the API's message, tried once", async () => {
    const { driver, calls } = scripted([json(200, { rrsets: [] }), json(422, { error: "RRset api.x.test. IN A: Conflicts with pre-existing RRset" })]);
    await expectPermanent(driver.upsertRecordSet('x.test', { name: 'api', type: 'A', ttl: 60, values: [LB_IP] }), /answered 422: RRset api\.x\.test\. IN A: Conflicts with pre-existing RRset/);
    expect(calls.map((c) => c.method)).toEqual(['GET', 'PATCH']);
    expect(calls[1]?.body).toEqual({ rrsets: [{ name: 'api.x.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: LB_IP, disabled: false }] }] });
  });

  it('writes nothing when the set already is as declared, values in any order', async () => {
    const current = { rrsets: [{ name: 'api.x.test.', type: 'A', ttl: 60, records: [{ content: '192.0.2.2' }, { content: '192.0.2.1' }] }] };
    const { driver, calls } = scripted([json(200, current)]);
    await driver.upsertRecordSet('x.test', { name: 'API', type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'] });
    expect(calls.map((c) => `${c.method} ${new URL(c.url).search}`)).toEqual(['GET ?rrset_name=api.x.test.']);
  });

  it('reads records written by other tools: TXT split in several strings or unquoted, names in upper case, IPv6 uncompressed', async () => {
    const zone = {
      rrsets: [
        { name: 'x.test.', type: 'SOA', ttl: 300, records: [{ content: 'ns1.x.test. hostmaster.x.test. 1 3600 600 1209600 300' }] },
        { name: 'MAIL._domainkey.X.test.', type: 'TXT', ttl: 60, records: [{ content: '"v=DKIM1; k=rsa; " "p=MIGf"' }, { content: 'unquoted' }, { content: '"caf\\195\\169 \\"q\\""' }] },
        { name: 'v6.x.test.', type: 'AAAA', ttl: 60, records: [{ content: '2001:0DB8:0000:0000:0000:0000:0000:0001' }] },
        { name: 'www.x.test.', type: 'CNAME', ttl: 60, records: [{ content: 'API.Example.' }] },
      ],
    };
    expect((await scripted([json(200, zone)]).driver.observeZone('x.test')).records).toEqual([
      { name: 'mail._domainkey', type: 'TXT', ttl: 60, values: ['v=DKIM1; k=rsa; p=MIGf', 'unquoted', 'café "q"'] },
      { name: 'v6', type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
      { name: 'www', type: 'CNAME', ttl: 60, values: ['api.example'] },
    ]);
  });

  it('an upsert into an absent zone is permanent, whether the read or the write finds it gone', async () => {
    await expectPermanent(scripted([text(404, 'Not Found')]).driver.upsertRecordSet('x.test', { name: 'api', type: 'A', ttl: 60, values: [LB_IP] }), /does not exist/);
    await expectPermanent(scripted([json(200, { rrsets: [] }), text(404, 'Not Found')]).driver.upsertRecordSet('x.test', { name: 'api', type: 'A', ttl: 60, values: [LB_IP] }), /does not exist/);
  });

  it('deleting from or of an absent zone is success, also when an older server says so with 422', async () => {
    const absent = [text(404, 'Not Found'), json(422, { error: "Could not find domain 'x.test.'" })];
    for (const answer of absent) {
      await scripted([answer]).driver.deleteRecordSet('x.test', 'api', 'A');
      await scripted([answer]).driver.deleteZone('x.test');
      expect(await scripted([answer]).driver.observeZone('x.test')).toEqual({ exists: false, nameServers: [], records: [] });
    }
  });

  it('401 and 403 are permanent and say to check the key; an API that echoes the key has it redacted', async () => {
    await expectPermanent(scripted([text(401, 'Unauthorized')]).driver.observeZone('x.test'), /answered 401: Unauthorized \(the API key is wrong/);
    const echoed = await expectPermanent(scripted([json(403, { error: `key ${KEY} may not write` })]).driver.deleteZone('x.test'), /answered 403/);
    expect(echoed.message).not.toContain(KEY);
    expect(echoed.message).toContain('[redacted]');
  });

  it('does not follow a redirect (it would carry the key elsewhere)', async () => {
    const { driver, calls } = scripted([() => new Response(null, { status: 302, headers: { location: 'http://elsewhere.example/' } })]);
    await expectPermanent(driver.observeZone('x.test'), /answered 302.*not followed/);
    expect(calls).toHaveLength(1);
  });

  it('a network failure is retryable and names the cause, not the key', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const fetch = (() => Promise.reject(new TypeError('fetch failed', { cause: reset }))) as typeof globalThis.fetch;
    const driver = new PowerDnsDriver({ apiUrl: 'http://pdns.internal:8081', apiKey: KEY, nameServers: ['ns1.matih.test'], fetch });
    const error = await expectRetryable(driver.observeZone('x.test'), /PowerDNS pdns\.internal:8081: GET \/zones\/x\.test\.: ECONNRESET/);
    expect(error.message).not.toContain(KEY);
  });

  it('a server that does not answer in time is retryable', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const driver = new PowerDnsDriver({ apiUrl: `http://127.0.0.1:${port}`, apiKey: KEY, nameServers: ['ns1.matih.test'], timeoutMs: 300 });
      const started = Date.now();
      await expectRetryable(driver.ensureZone('slow.test'), /no answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a bad configuration at construction, permanently, without echoing the key', () => {
    const build = (options: Partial<PowerDnsDriverOptions>) => () => new PowerDnsDriver({ apiUrl: 'http://127.0.0.1:8081', apiKey: KEY, nameServers: ['ns1.matih.test'], ...options });
    expect(build({ apiUrl: 'not a url' })).toThrow(/apiUrl/);
    expect(build({ apiUrl: 'ftp://127.0.0.1' })).toThrow(/http or https/);
    expect(build({ apiUrl: `http://admin:${KEY}@127.0.0.1:8081` })).toThrow(/credentials/);
    expect(build({ apiKey: '' })).toThrow(/apiKey/);
    expect(build({ nameServers: [] })).toThrow(/nameServers/);
    expect(build({ nameServers: ['ns1.matih.test.'] })).toThrow(/name server/);
    expect(build({ defaultTtl: -1 })).toThrow(/defaultTtl/);
    expect(build({ soaEmail: 'nobody' })).toThrow(/soaEmail/);
    expect(build({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    try {
      build({ apiUrl: `http://admin:${KEY}@127.0.0.1:8081` })();
    } catch (error) {
      expect(error).toBeInstanceOf(DriverError);
      expect((error as DriverError).message).not.toContain(KEY);
    }
  });
});
