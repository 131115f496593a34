import dgram from 'node:dgram';
import { Packet } from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsDriver, DriverError, type DnsRecordSet } from '../../src/drivers/contract.js';
import { tcpQuery, udpResolver } from '../support/dns-clients.js';

/** What a DnsDriver under test comes with. */
export interface DnsContractTarget {
  driver: DnsDriver;
  /** The name servers the driver lists in every new zone, and their TTL. */
  nameServers: string[];
  zoneTtl: number;
  /** Where the driver's zones are answered on 127.0.0.1; without it the answers are not checked over DNS. */
  query?: { udpPort: number; tcpPort: number };
  teardown(): Promise<void>;
}

export const LB_IP = '203.0.113.10';

export const caught = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e);

export async function expectPermanent(promise: Promise<unknown>, message?: RegExp): Promise<DriverError> {
  const error = await caught(promise);
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).retryable).toBe(false);
  if (message) expect((error as DriverError).message).toMatch(message);
  return error as DriverError;
}

const a = (name: string, ...values: string[]): DnsRecordSet => ({ name, type: 'A', ttl: 60, values: values.length > 0 ? values : [LB_IP] });

export { tcpQuery, udpResolver };

/** One question over UDP as a packet, for what c-ares does not show (flags, the authority section). */
export function udpQuery(port: number, name: string, type: number, ms = 2000): Promise<Packet> {
  const packet = new Packet();
  packet.header.id = Math.floor(Math.random() * 65_535);
  packet.questions = [new Packet.Question(name, type, Packet.CLASS.IN)];
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(new Error(`no UDP answer for ${name}`)), ms);
    const finish = (outcome: Packet | Error) => {
      clearTimeout(timer);
      socket.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    socket.on('message', (data) => finish(Packet.parse(data)));
    socket.on('error', (error) => finish(error));
    socket.send(packet.toBuffer(), port, '127.0.0.1');
  });
}

const sortValues = (sets: readonly DnsRecordSet[]) =>
  sets.map((s) => ({ ...s, values: [...s.values].sort() })).sort((x, y) => `${x.name} ${x.type}`.localeCompare(`${y.name} ${y.type}`));

/**
 * What every DnsDriver does, whatever holds the zones (the embedded server, PowerDNS): the verbs
 * of src/drivers/contract.ts with their idempotence, the input both drivers refuse, and, where the
 * zones are served on loopback, the answers a resolver gets over UDP and TCP. Every test uses
 * zones of its own, so the order of the tests does not matter.
 */
export function dnsDriverContract(label: string, setup: () => Promise<DnsContractTarget>, options: { skipReason?: string } = {}): void {
  const title = options.skipReason === undefined ? `DnsDriver contract: ${label}` : `DnsDriver contract: ${label} (skipped: ${options.skipReason})`;
  describe.skipIf(options.skipReason !== undefined)(title, () => {
    let target: DnsContractTarget;
    let driver: DnsDriver;
    let ns: string[];
    beforeAll(async () => {
      target = await setup();
      driver = target.driver;
      ns = target.nameServers;
    });
    afterAll(async () => {
      await target?.teardown();
    });
    const apexNs = (): DnsRecordSet => ({ name: '@', type: 'NS', ttl: target.zoneTtl, values: ns });

    it('observes an absent zone as absent; ensureZone creates it with its name servers, and again changes nothing', async () => {
      expect(await driver.observeZone('ensure.test')).toEqual({ exists: false, nameServers: [], records: [] });
      expect(await driver.ensureZone('ensure.test')).toEqual({ nameServers: ns });
      expect(await driver.ensureZone('Ensure.TEST')).toEqual({ nameServers: ns });
      expect(await driver.observeZone('ensure.test')).toEqual({ exists: true, nameServers: ns, records: [apexNs()] });
    });

    it('ensureZone called by several callers at once makes one zone and gives each its name servers', async () => {
      const results = await Promise.all(Array.from({ length: 4 }, () => driver.ensureZone('race.test')));
      expect(results).toEqual(Array.from({ length: 4 }, () => ({ nameServers: ns })));
      expect((await driver.observeZone('race.test')).records).toEqual([apexNs()]);
    });

    it('upsertRecordSet creates A sets at the apex, the wildcard and a host, and replaces a set', async () => {
      const zone = 'upsert.test';
      await driver.ensureZone(zone);
      for (const name of ['@', '*', 'api']) await driver.upsertRecordSet(zone, a(name));
      expect(sortValues((await driver.observeZone(zone)).records)).toEqual(sortValues([apexNs(), a('@'), a('*'), a('api')]));

      await driver.upsertRecordSet(zone, { ...a('API', '203.0.113.12', '203.0.113.11'), ttl: 30 });
      await driver.upsertRecordSet(zone, { ...a('api', '203.0.113.11', '203.0.113.12'), ttl: 30 });
      const { records } = await driver.observeZone(zone);
      expect(sortValues(records.filter((r) => r.name === 'api'))).toEqual([{ name: 'api', type: 'A', ttl: 30, values: ['203.0.113.11', '203.0.113.12'] }]);
      expect(records.filter((r) => r.name !== 'api')).toHaveLength(3);
    });

    it('keeps TXT strings as given and AAAA and CNAME values in their canonical form', async () => {
      const zone = 'values.test';
      await driver.ensureZone(zone);
      const txt = ['v=spf1 -all', 'quote " backslash \\ semicolon ; tab\tend', 'café ☕', ''];
      await driver.upsertRecordSet(zone, { name: '_acme-challenge', type: 'TXT', ttl: 60, values: txt });
      await driver.upsertRecordSet(zone, { name: 'api', type: 'AAAA', ttl: 60, values: ['2001:DB8:0:0:0:0:0:10'] });
      await driver.upsertRecordSet(zone, { name: 'www', type: 'CNAME', ttl: 60, values: ['API.Values.Test'] });
      expect(sortValues((await driver.observeZone(zone)).records)).toEqual(
        sortValues([
          apexNs(),
          { name: '_acme-challenge', type: 'TXT', ttl: 60, values: txt },
          { name: 'api', type: 'AAAA', ttl: 60, values: ['2001:db8::10'] },
          { name: 'www', type: 'CNAME', ttl: 60, values: ['api.values.test'] },
        ]),
      );
    });

    it("writes an NS delegation in the parent zone to the child zone's name servers", async () => {
      await driver.ensureZone('parent.test');
      const child = await driver.ensureZone('acme.parent.test');
      await driver.upsertRecordSet('parent.test', { name: 'acme', type: 'NS', ttl: 300, values: child.nameServers });
      await driver.upsertRecordSet('parent.test', { name: 'partner', type: 'NS', ttl: 300, values: ['ns2.elsewhere.example', 'ns1.elsewhere.example'] });
      await driver.upsertRecordSet('acme.parent.test', a('api'));
      const parent = await driver.observeZone('parent.test');
      expect(sortValues(parent.records)).toEqual(
        sortValues([
          apexNs(),
          { name: 'acme', type: 'NS', ttl: 300, values: child.nameServers },
          { name: 'partner', type: 'NS', ttl: 300, values: ['ns1.elsewhere.example', 'ns2.elsewhere.example'] },
        ]),
      );
      // The child's records stay in the child zone.
      expect((await driver.observeZone('acme.parent.test')).records.map((r) => r.name).sort()).toEqual(['@', 'api']);
    });

    it('deleteRecordSet removes one set; an absent set, and a set in an absent zone, is success', async () => {
      const zone = 'delete-set.test';
      await driver.ensureZone(zone);
      await driver.upsertRecordSet(zone, a('api'));
      await driver.upsertRecordSet(zone, { name: 'api', type: 'TXT', ttl: 60, values: ['keep me'] });
      await driver.deleteRecordSet(zone, 'API', 'A');
      await driver.deleteRecordSet(zone, 'api', 'A');
      await driver.deleteRecordSet(zone, 'never-there', 'CNAME');
      await driver.deleteRecordSet('absent-zone.test', 'api', 'A');
      expect((await driver.observeZone(zone)).records.filter((r) => r.name === 'api')).toEqual([{ name: 'api', type: 'TXT', ttl: 60, values: ['keep me'] }]);
    });

    it('deleteZone removes the zone and everything in it; absent is success; ensuring it again gives an empty zone', async () => {
      const zone = 'delete-zone.test';
      await driver.ensureZone(zone);
      await driver.upsertRecordSet(zone, a('*'));
      await driver.upsertRecordSet(zone, { name: '_acme-challenge', type: 'TXT', ttl: 60, values: ['token'] });
      await driver.deleteZone(zone);
      expect(await driver.observeZone(zone)).toEqual({ exists: false, nameServers: [], records: [] });
      await driver.deleteZone(zone);
      await driver.deleteZone('Never-There.test');
      await driver.ensureZone(zone);
      expect((await driver.observeZone(zone)).records).toEqual([apexNs()]);
    });

    it('refuses, permanently, writes to an absent zone, an alias beside other data, and removing the apex NS', async () => {
      const zone = 'rules.test';
      await driver.ensureZone(zone);
      await expectPermanent(driver.upsertRecordSet('absent.test', a('api')), /does not exist/);
      expect((await driver.observeZone('absent.test')).exists).toBe(false);
      await driver.upsertRecordSet(zone, a('api'));
      await expectPermanent(driver.upsertRecordSet(zone, { name: 'api', type: 'CNAME', ttl: 60, values: ['other.example'] }), /alias/);
      await driver.upsertRecordSet(zone, { name: 'www', type: 'CNAME', ttl: 60, values: ['api.rules.test'] });
      await expectPermanent(driver.upsertRecordSet(zone, a('www')), /CNAME/);
      await expectPermanent(driver.deleteRecordSet(zone, '@', 'NS'), /apex NS/);
      // Replacing the apex NS is allowed: that is how a zone moves to other servers.
      await driver.upsertRecordSet(zone, { name: '@', type: 'NS', ttl: 60, values: ['ns1.rules.test', 'ns2.rules.test'] });
      expect([...(await driver.observeZone(zone)).nameServers].sort()).toEqual(['ns1.rules.test', 'ns2.rules.test']);
    });

    const badZones = ['', 'a..b', '-a.matih.test', 'matih.test.', '*.matih.test', 'a_b.matih.test', 'ex ample.test', 'ünicode.test', `${'a'.repeat(64)}.test`, `${'abc.'.repeat(63)}test`];
    it.each(badZones)('refuses the zone name %j permanently, in every verb', async (zone) => {
      await expectPermanent(driver.ensureZone(zone), /invalid zone name/);
      await expectPermanent(driver.observeZone(zone), /invalid zone name/);
      await expectPermanent(driver.deleteZone(zone), /invalid zone name/);
      await expectPermanent(driver.upsertRecordSet(zone, a('api')), /invalid zone name/);
      await expectPermanent(driver.deleteRecordSet(zone, 'api', 'A'), /invalid zone name/);
    });

    const badSets: Array<[string, Record<string, unknown>]> = [
      ['a wildcard not first', { name: 'a.*' }],
      ['an empty label', { name: 'a..b' }],
      ['a name with a trailing dot', { name: 'api.' }],
      ['a name over 253 in all', { name: Array.from({ length: 62 }, () => 'abc').join('.') }],
      ['A not IPv4', { values: ['1.2.3'] }],
      ['A with leading zeros', { values: ['010.1.1.1'] }],
      ['AAAA given an IPv4', { type: 'AAAA', values: ['1.2.3.4'] }],
      ['a negative TTL', { ttl: -1 }],
      ['an unknown type', { type: 'MX' }],
      ['no values', { values: [] }],
      ['a value twice', { values: [LB_IP, LB_IP] }],
      ['a CNAME at the apex', { name: '@', type: 'CNAME', values: ['a.example'] }],
      ['NS at a wildcard', { name: '*', type: 'NS', values: ['ns1.example'] }],
      ['an NS host with a trailing dot', { type: 'NS', values: ['ns1.example.'] }],
      ['a TXT string over 255 octets', { type: 'TXT', values: ['é'.repeat(128)] }],
    ];
    it.each(badSets)('refuses a record set with %s permanently, writing nothing', async (_what, change) => {
      const zone = 'bad-sets.test';
      await driver.ensureZone(zone);
      await expectPermanent(driver.upsertRecordSet(zone, { ...a('api'), ...change }));
      expect((await driver.observeZone(zone)).records).toEqual([apexNs()]);
    });

    it('refuses deleting a set of an unknown type or with an invalid name permanently', async () => {
      await driver.ensureZone('bad-delete.test');
      await expectPermanent(driver.deleteRecordSet('bad-delete.test', 'api', 'MX' as DnsRecordSet['type']), /record type/);
      await expectPermanent(driver.deleteRecordSet('bad-delete.test', 'a..b', 'A'), /invalid record name/);
    });

    /* -------------------------- answers over DNS, where the zones are served -------------------------- */

    const servedNote = 'the zones of this driver are not served where the test can query them';

    it('answers A at the apex, the wildcard and api over UDP and TCP, authoritatively', async (ctx) => {
      ctx.skip(target.query === undefined, servedNote);
      const { udpPort, tcpPort } = target.query ?? { udpPort: 0, tcpPort: 0 };
      const zone = 'served.test';
      await driver.ensureZone(zone);
      for (const name of ['@', '*', 'api']) await driver.upsertRecordSet(zone, a(name));
      await driver.upsertRecordSet(zone, { ...a('bi', '203.0.113.20') });

      const resolver = udpResolver(udpPort);
      expect(await resolver.resolve4('served.test')).toEqual([LB_IP]);
      expect(await resolver.resolve4('api.served.test')).toEqual([LB_IP]);
      expect(await resolver.resolve4('anything.served.test')).toEqual([LB_IP]);
      expect(await resolver.resolve4('deep.anything.served.test')).toEqual([LB_IP]);
      expect(await resolver.resolve4('bi.served.test')).toEqual(['203.0.113.20']);
      expect(await resolver.resolveNs('served.test')).toEqual(ns);

      const ask = tcpQuery(tcpPort);
      for (const name of ['served.test', 'api.served.test', 'anything.served.test']) {
        const answer = await ask(name, 'A');
        expect(answer.header).toMatchObject({ rcode: 0, aa: 1, qr: 1 });
        expect(answer.answers).toMatchObject([{ name, type: Packet.TYPE.A, address: LB_IP, ttl: 60 }]);
      }
      expect((await ask('served.test', 'SOA')).answers).toMatchObject([{ type: Packet.TYPE.SOA, primary: ns[0] }]);
    });

    it('answers TXT and AAAA as written', async (ctx) => {
      ctx.skip(target.query === undefined, servedNote);
      const { udpPort } = target.query ?? { udpPort: 0 };
      const zone = 'served-values.test';
      await driver.ensureZone(zone);
      await driver.upsertRecordSet(zone, { name: '_acme-challenge', type: 'TXT', ttl: 60, values: ['token with "quotes" and ; semicolon'] });
      await driver.upsertRecordSet(zone, { name: 'api', type: 'AAAA', ttl: 60, values: ['2001:db8::10'] });
      const resolver = udpResolver(udpPort);
      expect(await resolver.resolveTxt('_acme-challenge.served-values.test')).toEqual([['token with "quotes" and ; semicolon']]);
      expect(await resolver.resolve6('api.served-values.test')).toEqual(['2001:db8::10']);
    });

    it('keeps the SOA serial on an identical upsert and raises it on a change', async (ctx) => {
      ctx.skip(target.query === undefined, servedNote);
      const { udpPort } = target.query ?? { udpPort: 0 };
      const zone = 'serial.test';
      const serial = async () => (await udpResolver(udpPort).resolveSoa(zone)).serial;
      await driver.ensureZone(zone);
      await driver.upsertRecordSet(zone, a('api'));
      const first = await serial();
      await driver.upsertRecordSet(zone, a('api'));
      await driver.upsertRecordSet(zone, a('API'));
      expect(await serial()).toBe(first);
      await driver.upsertRecordSet(zone, a('api', '203.0.113.99'));
      expect(await serial()).toBeGreaterThan(first);
    });

    it('refers a name delegated in the parent zone to its name servers, over UDP and TCP, without the AA flag', async (ctx) => {
      ctx.skip(target.query === undefined, servedNote);
      const { udpPort, tcpPort } = target.query ?? { udpPort: 0, tcpPort: 0 };
      await driver.ensureZone('refer.test');
      await driver.upsertRecordSet('refer.test', { name: 'acme', type: 'NS', ttl: 300, values: ['ns1.elsewhere.example'] });
      for (const referral of [await udpQuery(udpPort, 'api.acme.refer.test', Packet.TYPE.A), await tcpQuery(tcpPort)('api.acme.refer.test', 'A')]) {
        expect(referral.header).toMatchObject({ rcode: 0, aa: 0 });
        expect(referral.answers).toEqual([]);
        expect(referral.authorities).toMatchObject([{ name: 'acme.refer.test', type: Packet.TYPE.NS, ns: 'ns1.elsewhere.example' }]);
      }
      // With the child zone held here too, the child answers its names itself.
      await driver.ensureZone('acme.refer.test');
      await driver.upsertRecordSet('acme.refer.test', a('api'));
      expect(await udpResolver(udpPort).resolve4('api.acme.refer.test')).toEqual([LB_IP]);
      expect((await tcpQuery(tcpPort)('api.acme.refer.test', 'A')).header).toMatchObject({ rcode: 0, aa: 1 });
    });

    it('stops answering a deleted set (NXDOMAIN) and a deleted zone (REFUSED)', async (ctx) => {
      ctx.skip(target.query === undefined, servedNote);
      const { udpPort, tcpPort } = target.query ?? { udpPort: 0, tcpPort: 0 };
      const zone = 'gone.test';
      await driver.ensureZone(zone);
      await driver.upsertRecordSet(zone, a('api'));
      await driver.upsertRecordSet(zone, a('bi'));
      const resolver = udpResolver(udpPort);
      expect(await resolver.resolve4('api.gone.test')).toEqual([LB_IP]);
      await driver.deleteRecordSet(zone, 'api', 'A');
      expect(await caught(resolver.resolve4('api.gone.test'))).toMatchObject({ code: 'ENOTFOUND' });
      expect((await tcpQuery(tcpPort)('api.gone.test', 'A')).header).toMatchObject({ rcode: 3, aa: 1 });
      expect(await resolver.resolve4('bi.gone.test')).toEqual([LB_IP]);
      await driver.deleteZone(zone);
      expect(await caught(resolver.resolve4('bi.gone.test'))).toMatchObject({ code: 'EREFUSED' });
      expect((await tcpQuery(tcpPort)('bi.gone.test', 'A')).header.rcode).toBe(5);
    });
  });
}
