import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import { Packet, type Resource } from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsDriver, DriverError, type DnsRecordSet } from '../../src/drivers/contract.js';
import { EmbeddedDnsDriver } from '../../src/drivers/dns/embedded-dns-driver.js';
import { EmbeddedDnsServer } from '../../src/drivers/dns/embedded-dns-server.js';
import type { DnsZoneReader } from '../../src/drivers/dns/dns-zone-store.js';
import type { EmbeddedDnsOptions } from '../../src/drivers/dns/zone-authority.js';
import { dnsZoneStore } from '../../src/store/dns/dns-zones.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { tcpQuery, udpResolver } from '../support/dns-clients.js';
import { freePort } from '../support/service-process.js';

const OPTIONS: EmbeddedDnsOptions = { nameServers: ['ns1.matih.test'], soaEmail: 'hostmaster@matih.test', defaultTtl: 300 };
const LB_IP = '203.0.113.10';
const HAS_DIG = await promisify(execFile)('sh', ['-c', 'command -v dig']).then(() => true, () => false);

const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);
const a = (name: string, ...values: string[]): DnsRecordSet => ({ name, type: 'A', ttl: 60, values: values.length > 0 ? values : [LB_IP] });

async function expectPermanent(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  const error = await caught(promise);
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).retryable).toBe(false);
  if (message) expect((error as DriverError).message).toMatch(message);
}

describe('EmbeddedDnsDriver', () => {
  let database: TestDatabase;
  let store: ReturnType<typeof dnsZoneStore>;
  let driver: DnsDriver;
  beforeAll(async () => {
    database = await openTestDatabase();
    store = dnsZoneStore(database.db);
    driver = new EmbeddedDnsDriver(store, OPTIONS);
  });
  afterAll(async () => {
    await database.close();
  });
  const serial = async (zone: string) => (await store.getZone(zone))?.serial;

  it('ensureZone creates the zone with its SOA serial and apex NS, and a second call changes nothing', async () => {
    expect(await driver.observeZone('one.matih.test')).toEqual({ exists: false, nameServers: [], records: [] });
    expect(await driver.ensureZone('one.matih.test')).toEqual({ nameServers: ['ns1.matih.test'] });
    expect(await serial('one.matih.test')).toBe(1);
    expect(await driver.ensureZone('One.Matih.Test')).toEqual({ nameServers: ['ns1.matih.test'] });
    expect(await serial('one.matih.test')).toBe(1);
    expect(await driver.observeZone('one.matih.test')).toEqual({
      exists: true,
      nameServers: ['ns1.matih.test'],
      records: [{ name: '@', type: 'NS', ttl: 300, values: ['ns1.matih.test'] }],
    });
  });

  it('bumps the serial on every change and only then; upsert replaces the set', async () => {
    const zone = 'two.matih.test';
    await driver.ensureZone(zone);
    await driver.upsertRecordSet(zone, a('api'));
    expect(await serial(zone)).toBe(2);
    await driver.upsertRecordSet(zone, a('api'));
    expect(await serial(zone)).toBe(2);
    await driver.upsertRecordSet(zone, { ...a('api', '203.0.113.11', '203.0.113.12'), ttl: 30 });
    expect(await serial(zone)).toBe(3);
    await driver.upsertRecordSet(zone, { name: 'API', type: 'AAAA', ttl: 60, values: ['2001:DB8:0:0:0:0:0:10'] });
    const { records } = await driver.observeZone(zone);
    expect(records.filter((r) => r.name === 'api')).toEqual([
      { name: 'api', type: 'A', ttl: 30, values: ['203.0.113.11', '203.0.113.12'] },
      { name: 'api', type: 'AAAA', ttl: 60, values: ['2001:db8::10'] },
    ]);
    await driver.deleteRecordSet(zone, 'api', 'AAAA');
    expect(await serial(zone)).toBe(5);
    await driver.deleteRecordSet(zone, 'api', 'AAAA');
    await driver.deleteRecordSet(zone, 'never-there', 'TXT');
    expect(await serial(zone)).toBe(5);
  });

  it('wraps the serial past 2^32-1 to 1', async () => {
    const zone = 'wrap.matih.test';
    await driver.ensureZone(zone);
    await database.db.updateTable('dnsZones').set({ serial: 4_294_967_295 }).where('name', '=', zone).execute();
    await driver.upsertRecordSet(zone, a('x'));
    expect(await serial(zone)).toBe(1);
  });

  it('deleteZone removes the zone and its records; absent is success', async () => {
    const zone = 'gone.matih.test';
    await driver.ensureZone(zone);
    await driver.upsertRecordSet(zone, a('*'));
    await driver.upsertRecordSet(zone, { name: '_acme-challenge', type: 'TXT', ttl: 60, values: ['token'] });
    await driver.deleteZone(zone);
    await driver.deleteZone(zone);
    expect((await driver.observeZone(zone)).exists).toBe(false);
    const rows = await database.db.selectFrom('dnsRecords').select('name').where('zone', '=', zone).execute();
    expect(rows).toEqual([]);
    await driver.ensureZone(zone);
    expect((await driver.observeZone(zone)).records.map((r) => r.type)).toEqual(['NS']);
  });

  it('refuses an alias beside other data, writes to a missing zone, and removing the apex NS, permanently', async () => {
    const zone = 'rules.matih.test';
    await driver.ensureZone(zone);
    await driver.upsertRecordSet(zone, a('api'));
    await expectPermanent(driver.upsertRecordSet(zone, { name: 'api', type: 'CNAME', ttl: 60, values: ['other.example'] }), /alias/);
    await driver.upsertRecordSet(zone, { name: 'www', type: 'CNAME', ttl: 60, values: ['api.rules.matih.test'] });
    await expectPermanent(driver.upsertRecordSet(zone, a('www')), /CNAME/);
    await expectPermanent(driver.upsertRecordSet('missing.matih.test', a('api')), /does not exist/);
    await expectPermanent(driver.deleteRecordSet(zone, '@', 'NS'), /apex NS/);
    await driver.upsertRecordSet(zone, { name: '@', type: 'NS', ttl: 60, values: ['ns1.matih.test', 'ns2.matih.test'] });
    expect((await driver.observeZone(zone)).nameServers).toEqual(['ns1.matih.test', 'ns2.matih.test']);
  });

  const badZones = ['', 'a..b', '-a.matih.test', 'a-.matih.test', 'matih.test.', '*.matih.test', 'a_b.matih.test', 'ex ample.test', 'ünicode.test', `${'a'.repeat(64)}.test`, `${'abc.'.repeat(63)}test`];
  it.each(badZones)('refuses the zone name %j permanently', async (zone) => {
    await expectPermanent(driver.ensureZone(zone), /invalid zone name/);
    await expectPermanent(driver.observeZone(zone));
    await expectPermanent(driver.deleteZone(zone));
  });

  const badSets: Array<[string, Record<string, unknown>]> = [
    ['a wildcard not first', { name: 'a.*' }],
    ['a partial wildcard', { name: 'a*' }],
    ['an empty label', { name: 'a..b' }],
    ['an empty name', { name: '' }],
    ['a label over 63', { name: 'x'.repeat(64) }],
    ['a name over 253 in all', { name: Array.from({ length: 60 }, () => 'abc').join('.') }],
    ['A not IPv4', { values: ['1.2.3'] }],
    ['A octet over 255', { values: ['256.1.1.1'] }],
    ['A with leading zeros', { values: ['010.1.1.1'] }],
    ['A given an IPv6', { values: ['::1'] }],
    ['AAAA given an IPv4', { type: 'AAAA', values: ['1.2.3.4'] }],
    ['AAAA with two ::', { type: 'AAAA', values: ['1::2::3'] }],
    ['AAAA with a zone index', { type: 'AAAA', values: ['fe80::1%eth0'] }],
    ['AAAA with 9 groups', { type: 'AAAA', values: ['1:2:3:4:5:6:7:8:9'] }],
    ['a negative TTL', { ttl: -1 }],
    ['a fractional TTL', { ttl: 1.5 }],
    ['a TTL over 2^31-1', { ttl: 2_147_483_648 }],
    ['a TTL that is not a number', { ttl: '60' }],
    ['an unknown type', { type: 'MX' }],
    ['no values', { values: [] }],
    ['a value twice', { values: [LB_IP, LB_IP] }],
    ['a value not a string', { values: [42] }],
    ['two CNAME targets', { type: 'CNAME', values: ['a.example', 'b.example'] }],
    ['a CNAME at the apex', { name: '@', type: 'CNAME', values: ['a.example'] }],
    ['NS at a wildcard', { name: '*', type: 'NS', values: ['ns1.example'] }],
    ['an NS host with a trailing dot', { type: 'NS', values: ['ns1.example.'] }],
    ['an NS host with an underscore', { type: 'NS', values: ['ns_1.example'] }],
    ['a TXT value over 255 octets', { type: 'TXT', values: ['é'.repeat(128)] }],
  ];
  it.each(badSets)('refuses a record set with %s permanently', async (_what, change) => {
    const zone = 'bad.matih.test';
    await driver.ensureZone(zone);
    const before = await serial(zone);
    await expectPermanent(driver.upsertRecordSet(zone, { ...a('api'), ...change }));
    expect(await serial(zone)).toBe(before);
  });

  it('refuses bad options at construction', () => {
    const build = (options: Partial<EmbeddedDnsOptions>) => () => new EmbeddedDnsDriver(store, { ...OPTIONS, ...options });
    expect(build({ nameServers: [] })).toThrow(DriverError);
    expect(build({ nameServers: ['ns1.example', 'NS1.example'] })).toThrow(/twice/);
    expect(build({ soaEmail: 'no-at-sign' })).toThrow(/soaEmail/);
    expect(build({ soaEmail: 'first.last@matih.test' })).toThrow(/soaEmail/);
    expect(build({ defaultTtl: -5 })).toThrow(/defaultTtl/);
  });
});

/** Sends raw bytes over UDP and returns the first answer, or undefined after `ms`. */
function rawUdp(port: number, message: Buffer, ms = 1500): Promise<Packet | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), ms);
    const finish = (answer: Packet | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    socket.on('message', (data) => finish(Packet.parse(data)));
    socket.send(message, port, '127.0.0.1');
  });
}

/** Writes `frames` (each length-prefixed) on one TCP connection, half-closes, and reads every answer until the server ends it. */
function rawTcp(port: number, frames: Buffer[]): Promise<{ answers: Packet[]; closedBy: 'end' | 'error' }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const answers = () => {
      const packets: Packet[] = [];
      for (let at = 0; at + 2 <= data.length; ) {
        const length = data.readUInt16BE(at);
        packets.push(Packet.parse(data.subarray(at + 2, at + 2 + length)));
        at += 2 + length;
      }
      return packets;
    };
    socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
    socket.on('end', () => resolve({ answers: answers(), closedBy: 'end' }));
    socket.on('error', () => resolve({ answers: answers(), closedBy: 'error' }));
    socket.on('close', () => resolve({ answers: answers(), closedBy: 'end' }));
    socket.end(Buffer.concat(frames.map((f) => Buffer.concat([Buffer.from([f.length >> 8, f.length & 0xff]), f]))));
  });
}

function query(questions: Array<{ name: string; type: number }>, header: Record<string, number> = {}): Buffer {
  const packet = new Packet();
  packet.header.id = 4242;
  Object.assign(packet.header, header);
  packet.questions = questions.map((q) => new Packet.Question(q.name, q.type, Packet.CLASS.IN));
  return packet.toBuffer();
}

describe('EmbeddedDnsServer', () => {
  let database: TestDatabase;
  let driver: EmbeddedDnsDriver;
  let server: EmbeddedDnsServer;
  let port: number;
  const warnings: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    database = await openTestDatabase();
    const store = dnsZoneStore(database.db);
    driver = new EmbeddedDnsDriver(store, OPTIONS);
    server = new EmbeddedDnsServer(store, { ...OPTIONS, port: 0, logger: { warn: (details: Record<string, unknown>) => warnings.push(details) } });
    ({ udp: port } = await server.listen());
    expect(server.ports.tcp).toBe(port);

    // spec/004 phase 7: the parent zone delegates the tenant's child zone, which holds its hosts.
    const { nameServers } = await driver.ensureZone('matih.test');
    const child = await driver.ensureZone('acme.matih.test');
    await driver.upsertRecordSet('matih.test', { name: 'acme', type: 'NS', ttl: 300, values: child.nameServers });
    expect(nameServers).toEqual(child.nameServers);
    for (const name of ['@', '*', 'api', 'bi']) await driver.upsertRecordSet('acme.matih.test', a(name));
    await driver.upsertRecordSet('acme.matih.test', { name: 'api', type: 'AAAA', ttl: 60, values: ['2001:db8::10'] });
    await driver.upsertRecordSet('acme.matih.test', { name: '_acme-challenge', type: 'TXT', ttl: 60, values: ['challenge-token'] });
    await driver.upsertRecordSet('acme.matih.test', { name: 'www', type: 'CNAME', ttl: 60, values: ['api.acme.matih.test'] });
    // A delegation to servers elsewhere: the parent can only refer.
    await driver.upsertRecordSet('matih.test', { name: 'partner', type: 'NS', ttl: 300, values: ['ns1.elsewhere.example'] });
    // A zone without a wildcard, with an empty non-terminal ("b" exists only as the parent of "a.b").
    await driver.ensureZone('plain.test');
    await driver.upsertRecordSet('plain.test', a('www'));
    await driver.upsertRecordSet('plain.test', a('a.b'));
  });
  afterAll(async () => {
    await server.close();
    await database.close();
  });

  it('answers A over UDP for a host, the wildcard, the apex and an alias, case-insensitively', async () => {
    const resolver = udpResolver(port);
    expect(await resolver.resolve4('api.acme.matih.test')).toEqual([LB_IP]);
    expect(await resolver.resolve4('random.acme.matih.test')).toEqual([LB_IP]);
    expect(await resolver.resolve4('deep.random.acme.matih.test')).toEqual([LB_IP]);
    expect(await resolver.resolve4('acme.matih.test')).toEqual([LB_IP]);
    expect(await resolver.resolve4('API.Acme.MATIH.test')).toEqual([LB_IP]);
    expect(await resolver.resolve4('www.acme.matih.test')).toEqual([LB_IP]);
    expect(await resolver.resolveCname('www.acme.matih.test')).toEqual(['api.acme.matih.test']);
    expect(await resolver.resolve6('api.acme.matih.test')).toEqual(['2001:db8::10']);
    expect(await resolver.resolveTxt('_acme-challenge.acme.matih.test')).toEqual([['challenge-token']]);
  });

  it('answers NS and SOA of the child zone over UDP', async () => {
    const resolver = udpResolver(port);
    expect(await resolver.resolveNs('acme.matih.test')).toEqual(['ns1.matih.test']);
    const soa = await resolver.resolveSoa('acme.matih.test');
    const zone = await dnsZoneStore(database.db).getZone('acme.matih.test');
    expect(soa).toMatchObject({ nsname: 'ns1.matih.test', hostmaster: 'hostmaster.matih.test', serial: zone?.serial, minttl: 300 });
  });

  it('answers NXDOMAIN under a zone, no data for an empty non-terminal, REFUSED outside every zone', async () => {
    const resolver = udpResolver(port);
    expect(await caught(resolver.resolve4('missing.plain.test'))).toMatchObject({ code: 'ENOTFOUND' });
    expect(await caught(resolver.resolve4('b.plain.test'))).toMatchObject({ code: 'ENODATA' });
    expect(await caught(resolver.resolveMx('api.acme.matih.test'))).toMatchObject({ code: 'ENODATA' });
    expect(await caught(resolver.resolve4('example.com'))).toMatchObject({ code: 'EREFUSED' });
  });

  it('answers over TCP with the AA flag, and the SOA in authority for NXDOMAIN', async () => {
    const ask = tcpQuery(server.ports.tcp);
    const api = await ask('api.acme.matih.test', 'A');
    expect(api.header).toMatchObject({ rcode: 0, aa: 1, qr: 1 });
    expect(api.answers).toMatchObject([{ name: 'api.acme.matih.test', type: Packet.TYPE.A, address: LB_IP, ttl: 60 }]);
    expect((await ask('random.acme.matih.test', 'A')).answers).toMatchObject([{ name: 'random.acme.matih.test', address: LB_IP }]);
    expect((await ask('acme.matih.test', 'A')).answers).toMatchObject([{ address: LB_IP }]);
    expect((await ask('acme.matih.test', 'NS')).answers).toMatchObject([{ type: Packet.TYPE.NS, ns: 'ns1.matih.test' }]);
    expect((await ask('acme.matih.test', 'SOA')).answers).toMatchObject([{ type: Packet.TYPE.SOA, primary: 'ns1.matih.test', admin: 'hostmaster.matih.test' }]);
    const missing = await ask('missing.plain.test', 'A');
    expect(missing.header).toMatchObject({ rcode: 3, aa: 1 });
    expect(missing.answers).toEqual([]);
    expect(missing.authorities).toMatchObject([{ name: 'plain.test', type: Packet.TYPE.SOA, ttl: 300 }]);
    const outside = await ask('example.com', 'A');
    expect(outside.header).toMatchObject({ rcode: 5, aa: 0 });
    expect((await ask('acme.matih.test', 'AXFR')).header.rcode).toBe(5);
  });

  it('refers names delegated to servers elsewhere, without the AA flag', async () => {
    const ask = tcpQuery(server.ports.tcp);
    for (const name of ['host.partner.matih.test', 'partner.matih.test']) {
      const referral = await ask(name, name.startsWith('host') ? 'A' : 'NS');
      expect(referral.header).toMatchObject({ rcode: 0, aa: 0 });
      expect(referral.answers).toEqual([]);
      expect(referral.authorities).toMatchObject([{ name: 'partner.matih.test', type: Packet.TYPE.NS, ns: 'ns1.elsewhere.example' }]);
    }
  });

  it('answers malformed and unusual queries without falling over', async () => {
    expect(await rawUdp(port, Buffer.from('not a dns message at all'), 300)).toBeUndefined();
    const two = await rawUdp(port, query([{ name: 'api.acme.matih.test', type: Packet.TYPE.A }, { name: 'bi.acme.matih.test', type: Packet.TYPE.A }]));
    expect(two?.header.rcode).toBe(1);
    const update = await rawUdp(port, query([{ name: 'acme.matih.test', type: Packet.TYPE.SOA }], { opcode: 5 }));
    expect(update?.header.rcode).toBe(4);
    // A response sent to the server is ignored, never answered.
    expect(await rawUdp(port, query([{ name: 'api.acme.matih.test', type: Packet.TYPE.A }], { qr: 1 }), 300)).toBeUndefined();
    expect(await udpResolver(port).resolve4('bi.acme.matih.test')).toEqual([LB_IP]);
  });

  it('drops, without parsing, datagrams that claim thousands of records or are too long', async () => {
    const crafted = Buffer.alloc(12, 0xff);
    crafted.writeUInt16BE(0x1234, 0);
    crafted.writeUInt16BE(0x0100, 2);
    const started = Date.now();
    expect(await rawUdp(port, crafted, 200)).toBeUndefined();
    expect(await rawUdp(port, Buffer.concat([query([{ name: 'api.acme.matih.test', type: Packet.TYPE.A }]), Buffer.alloc(2000)]), 200)).toBeUndefined();
    expect(await udpResolver(port).resolve4('api.acme.matih.test')).toEqual([LB_IP]);
    // dns2 alone spends seconds on the crafted header; filtered, the next answer comes at once.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('answers pipelined TCP queries on one connection, and closes one that sends an oversized frame', async () => {
    const api = query([{ name: 'api.acme.matih.test', type: Packet.TYPE.A }]);
    const bi = query([{ name: 'bi.acme.matih.test', type: Packet.TYPE.A }]);
    const both = await rawTcp(port, [api, bi]);
    expect(both.answers.map((p) => p.questions[0]?.name).sort()).toEqual(['api.acme.matih.test', 'bi.acme.matih.test']);
    expect(both.answers.every((p) => p.answers[0]?.address === LB_IP)).toBe(true);
    const oversized = await rawTcp(port, [Buffer.alloc(4000)]);
    expect(oversized.answers).toEqual([]);
  });

  it('speaks EDNS version 0 and refuses later versions with BADVERS', async () => {
    const withOpt = (version: number) => {
      const packet = new Packet();
      packet.header.id = 7;
      packet.questions = [new Packet.Question('api.acme.matih.test', Packet.TYPE.A, Packet.CLASS.IN)];
      // dns2 takes options its types do not declare.
      const opt: (rdata: object[], options: { version: number }) => Resource = Packet.Resource.EDNS.bind(Packet.Resource);
      packet.additionals.push(opt([], { version }));
      return packet.toBuffer();
    };
    const v0 = await rawUdp(port, withOpt(0));
    expect(v0?.header.rcode).toBe(0);
    expect(v0?.answers).toMatchObject([{ address: LB_IP }]);
    expect(v0?.additionals).toMatchObject([{ type: Packet.TYPE.EDNS }]);
    expect((await rawUdp(port, withOpt(1)))?.header.rcode).toBe(16);
  });

  it('answers SERVFAIL when the store fails, logging no query name', async () => {
    const broken: DnsZoneReader = {
      findZones: () => Promise.reject(new Error('connection refused')),
      listRecordSets: () => Promise.reject(new Error('connection refused')),
    };
    const seen: Array<Record<string, unknown>> = [];
    const failing = new EmbeddedDnsServer(broken, { ...OPTIONS, port: 0, logger: { warn: (details: Record<string, unknown>) => seen.push(details) } });
    const { udp } = await failing.listen();
    try {
      expect(await caught(udpResolver(udp).resolve4('api.acme.matih.test'))).toMatchObject({ code: 'ESERVFAIL' });
      expect((await tcpQuery(udp)('api.acme.matih.test', 'A')).header.rcode).toBe(2);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(seen)).not.toContain('acme');
    } finally {
      await failing.close();
    }
  });

  it.skipIf(!HAS_DIG)('answers dig (skipped: dig is not installed; apt-get install bind9-dnsutils)', async () => {
    const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port), 'api.acme.matih.test', '+short', '+time=2', '+tries=1']);
    expect(stdout.trim()).toBe(LB_IP);
  });

  it('listens on a configured port, and close() stops UDP and TCP', async () => {
    const chosen = await freePort();
    const other = new EmbeddedDnsServer(dnsZoneStore(database.db), { ...OPTIONS, port: chosen });
    expect(await other.listen()).toEqual({ host: '127.0.0.1', udp: chosen, tcp: chosen });
    expect(await udpResolver(chosen).resolve4('api.acme.matih.test')).toEqual([LB_IP]);
    await other.close();
    expect(await rawUdp(chosen, query([{ name: 'api.acme.matih.test', type: Packet.TYPE.A }]), 500)).toBeUndefined();
    const refused = await new Promise<unknown>((resolve) => {
      const socket = net.connect(chosen, '127.0.0.1', () => resolve(undefined));
      socket.on('error', resolve);
    });
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(() => other.ports).toThrow(/not listening/);
  });

  it('stops answering the names of a deleted zone', async () => {
    const resolver = udpResolver(port);
    await driver.deleteZone('acme.matih.test');
    // The delegation is still in the parent: a referral, nothing authoritative.
    expect(await caught(resolver.resolve4('api.acme.matih.test'))).toBeInstanceOf(Error);
    const referral = await tcpQuery(port)('api.acme.matih.test', 'A');
    expect(referral.header).toMatchObject({ aa: 0 });
    expect(referral.answers).toEqual([]);
    // The step's rollback removes the delegation too: then the name does not exist.
    await driver.deleteRecordSet('matih.test', 'acme', 'NS');
    expect(await caught(resolver.resolve4('api.acme.matih.test'))).toMatchObject({ code: 'ENOTFOUND' });
    expect(await caught(resolver.resolve4('random.acme.matih.test'))).toMatchObject({ code: 'ENOTFOUND' });
    expect(warnings).toEqual([]);
  });
});
