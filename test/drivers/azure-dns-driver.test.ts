import { inspect } from 'node:util';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DnsDriver, DriverError, type DnsRecordSet, type DnsRecordType } from '../../src/drivers/contract.js';
import { AzureDnsDriver, type AzureDnsDriverOptions } from '../../src/drivers/dns/azure-dns-driver.js';
import { loadConfig } from '../../src/config/load-config.js';
import { azureCredential } from '../../src/drivers/dns/azure-credential.js';
import { type AzureFault, FakeAzureDns, type RecordedAzureRequest } from '../support/fake-azure-dns.js';
import { freePort } from '../support/service-process.js';

/*
 * The `azure` DnsDriver against an HTTPS fake of the Azure DNS management API
 * (test/support/fake-azure-dns.ts), with the real @azure/arm-dns client underneath: every request
 * the SDK sends is checked as it went over the wire (method, path with subscription, resource
 * group, zone, record type and name, api-version, JSON body).
 */

const SUBSCRIPTION = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const GROUP = 'rg-matih-dns';
const TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJtYXRpaCJ9.c2lnbmF0dXJl-never-in-messages';
const ZONES = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Network/dnsZones`;
const API_VERSION = '2018-05-01';
const PARENT = 'matih.ai';
const CHILD = 'acme.matih.ai';
const LB_IP = '20.85.123.45';
const ZONE_BODY = { location: 'global', properties: { zoneType: 'Public' } };
const nameServers = (n: string) => [`ns1-${n}.azure-dns.com`, `ns2-${n}.azure-dns.net`, `ns3-${n}.azure-dns.org`, `ns4-${n}.azure-dns.info`];

let tokensIssued = 0;
const credential: TokenCredential = {
  getToken: async () => {
    tokensIssued += 1;
    return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

async function expectDriverError(promise: Promise<unknown>, retryable: boolean, message?: RegExp): Promise<DriverError> {
  const error = await caught(promise);
  expect(error).toBeInstanceOf(DriverError);
  const driverError = error as DriverError;
  expect(driverError.retryable).toBe(retryable);
  if (message) expect(driverError.message).toMatch(message);
  return driverError;
}

/** A request as the tests compare it: what Azure's REST reference describes. */
function wire(request: RecordedAzureRequest): Record<string, unknown> {
  return {
    method: request.method,
    path: request.path,
    apiVersion: request.apiVersion,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.ifNoneMatch === undefined ? {} : { ifNoneMatch: request.ifNoneMatch }),
  };
}

const get = (path: string) => ({ method: 'GET', path: `${ZONES}/${path}`, apiVersion: API_VERSION });
const put = (path: string, body: unknown, ifNoneMatch?: string) => ({
  method: 'PUT',
  path: `${ZONES}/${path}`,
  apiVersion: API_VERSION,
  body,
  ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
});
const del = (path: string) => ({ method: 'DELETE', path: `${ZONES}/${path}`, apiVersion: API_VERSION });
const aBody = (ttl: number, ...ips: string[]) => ({ properties: { TTL: ttl, ARecords: ips.map((ipv4Address) => ({ ipv4Address })) } });
const a = (name: string, ...values: string[]): DnsRecordSet => ({ name, type: 'A', ttl: 300, values: values.length > 0 ? values : [LB_IP] });

/**
 * Spec/004 phase 7 as the CREATE_DNS_ZONE step drives a DnsDriver: the child zone, its name
 * servers delegated from the parent, then A records @, *, api and bi to the load balancer.
 */
async function provisionTenantDns(driver: DnsDriver): Promise<string[]> {
  await driver.ensureZone(PARENT);
  const child = await driver.ensureZone(CHILD);
  await driver.upsertRecordSet(PARENT, { name: 'acme', type: 'NS', ttl: 3600, values: child.nameServers });
  for (const name of ['@', '*', 'api', 'bi']) await driver.upsertRecordSet(CHILD, a(name));
  return child.nameServers;
}

describe('AzureDnsDriver over the Azure DNS management API (HTTPS fake)', () => {
  let fake: FakeAzureDns;
  let driver: AzureDnsDriver;
  const driverWith = (options: Partial<AzureDnsDriverOptions> = {}, maxRetries = 1) =>
    new AzureDnsDriver({
      credential,
      subscriptionId: SUBSCRIPTION,
      resourceGroup: GROUP,
      endpoint: fake.endpoint,
      pollIntervalMs: 10,
      clientOptions: fake.clientOptions(maxRetries),
      ...options,
    });
  const fail = (fault: AzureFault) => fake.failNext(fault);

  beforeEach(async () => {
    fake = await FakeAzureDns.start({ subscriptionId: SUBSCRIPTION, resourceGroups: [GROUP], token: TOKEN });
    driver = driverWith();
  });
  afterEach(async () => {
    await fake.close();
  });

  describe('spec/004 phase 7', () => {
    it('creates parent and child zones, delegates to the child name servers Azure assigned, and points @ * api bi at the load balancer, request by request', async () => {
      const childNameServers = await provisionTenantDns(driver);

      // Azure assigned the child its own set (the fake numbers them per zone); trailing dots stripped.
      expect(childNameServers).toEqual(nameServers('02'));
      const ns = { properties: { TTL: 3600, NSRecords: nameServers('02').map((nsdname) => ({ nsdname })) } };
      expect(fake.requests.map(wire)).toEqual([
        get(PARENT),
        put(PARENT, ZONE_BODY, '*'),
        get(CHILD),
        put(CHILD, ZONE_BODY, '*'),
        get(`${PARENT}/NS/acme`),
        put(`${PARENT}/NS/acme`, ns),
        get(`${CHILD}/A/@`),
        put(`${CHILD}/A/@`, aBody(300, LB_IP)),
        get(`${CHILD}/A/*`),
        put(`${CHILD}/A/*`, aBody(300, LB_IP)),
        get(`${CHILD}/A/api`),
        put(`${CHILD}/A/api`, aBody(300, LB_IP)),
        get(`${CHILD}/A/bi`),
        put(`${CHILD}/A/bi`, aBody(300, LB_IP)),
      ]);
      expect(fake.requests.every((r) => r.bearer)).toBe(true);

      expect(await driver.observeZone(PARENT)).toEqual({
        exists: true,
        nameServers: nameServers('01'),
        records: [
          { name: '@', type: 'NS', ttl: 172_800, values: nameServers('01') },
          { name: 'acme', type: 'NS', ttl: 3600, values: nameServers('02') },
        ],
      });
      expect(await driver.observeZone(CHILD)).toEqual({
        exists: true,
        nameServers: nameServers('02'),
        records: [
          { name: '*', type: 'A', ttl: 300, values: [LB_IP] },
          { name: '@', type: 'A', ttl: 300, values: [LB_IP] },
          { name: '@', type: 'NS', ttl: 172_800, values: nameServers('02') },
          { name: 'api', type: 'A', ttl: 300, values: [LB_IP] },
          { name: 'bi', type: 'A', ttl: 300, values: [LB_IP] },
        ],
      });
    });

    it('a second run reads and writes nothing: GETs only, and the first run created each resource once', async () => {
      await provisionTenantDns(driver);
      const etag = fake.recordSet(GROUP, CHILD, 'api', 'A')?.etag;
      fake.clearRequests();

      expect(await provisionTenantDns(driver)).toEqual(nameServers('02'));

      expect(fake.requests.map(wire)).toEqual([
        get(PARENT),
        get(CHILD),
        get(`${PARENT}/NS/acme`),
        get(`${CHILD}/A/@`),
        get(`${CHILD}/A/*`),
        get(`${CHILD}/A/api`),
        get(`${CHILD}/A/bi`),
      ]);
      expect(fake.recordSet(GROUP, CHILD, 'api', 'A')?.etag).toBe(etag);
    });

    it('rollback deletes the delegation and the child zone, waiting for Azure to finish the deletion; a second rollback is harmless', async () => {
      await provisionTenantDns(driver);
      fake.clearRequests();

      await driver.deleteRecordSet(PARENT, 'acme', 'NS');
      await driver.deleteZone(CHILD);

      const [deleteNs, deleteZone, ...polls] = fake.requests;
      expect([deleteNs, deleteZone].map((r) => r && wire(r))).toEqual([del(`${PARENT}/NS/acme`), del(CHILD)]);
      // 202 + Azure-AsyncOperation: the SDK polls the operation until Succeeded (one InProgress first).
      expect(polls.map((r) => [r.method, r.path.replace(/delzone\w+$/, 'delzone…'), r.apiVersion])).toEqual([
        ['GET', `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Network/dnsoperationstatuses/delzone…`, API_VERSION],
        ['GET', `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Network/dnsoperationstatuses/delzone…`, API_VERSION],
      ]);
      expect(fake.zone(GROUP, CHILD)).toBeUndefined();
      expect(await driver.observeZone(CHILD)).toEqual({ exists: false, nameServers: [], records: [] });
      expect((await driver.observeZone(PARENT)).records.map((r) => `${r.type} ${r.name}`)).toEqual(['NS @']);

      fake.clearRequests();
      await driver.deleteRecordSet(PARENT, 'acme', 'NS');
      await driver.deleteZone(CHILD);
      // Azure answers 204 for both: nothing there, nothing to poll.
      expect(fake.requests.map(wire)).toEqual([del(`${PARENT}/NS/acme`), del(CHILD)]);
    });
  });

  describe('zones', () => {
    it('observeZone of an absent zone is one GET answered 404 ResourceNotFound: exists false', async () => {
      expect(await driver.observeZone('nothing.matih.ai')).toEqual({ exists: false, nameServers: [], records: [] });
      expect(fake.requests.map(wire)).toEqual([get('nothing.matih.ai')]);
    });

    it('ensureZone keeps a zone that exists already (no PUT) and returns the name servers Azure holds for it', async () => {
      await driver.ensureZone(CHILD);
      fake.clearRequests();
      expect(await driver.ensureZone('ACME.matih.ai')).toEqual({ nameServers: nameServers('01') });
      expect(fake.requests.map(wire)).toEqual([get(CHILD)]);
    });

    it('ensureZone that loses a race to create the zone (412 on If-None-Match) reads the winner instead of overwriting it', async () => {
      await driver.ensureZone(CHILD);
      fake.clearRequests();
      // This replica's GET comes too early to see the zone another one was creating.
      fail({ status: 404, code: 'ResourceNotFound', method: 'GET' });
      expect(await driver.ensureZone(CHILD)).toEqual({ nameServers: nameServers('01') });
      expect(fake.requests.map(wire)).toEqual([get(CHILD), put(CHILD, ZONE_BODY, '*'), get(CHILD)]);
    });

    it('ensureZone refuses a private zone of that name, permanently', async () => {
      await driver.ensureZone(CHILD);
      const zone = fake.zone(GROUP, CHILD);
      if (zone) zone.zoneType = 'Private';
      await expectDriverError(driver.ensureZone(CHILD), false, /private zone/);
    });

    it('observeZone follows nextLink through every page of record sets', async () => {
      await fake.close();
      fake = await FakeAzureDns.start({ subscriptionId: SUBSCRIPTION, resourceGroups: [GROUP], token: TOKEN, pageSize: 2 });
      driver = driverWith();
      await provisionTenantDns(driver);
      fake.clearRequests();

      const { records } = await driver.observeZone(CHILD);

      expect(records.map((r) => `${r.type} ${r.name}`)).toEqual(['A *', 'A @', 'NS @', 'A api', 'A bi']);
      // SOA is listed too (6 sets), but the contract has no SOA: 3 pages, 5 record sets.
      expect(fake.requests.map((r) => [r.method, r.path, r.query])).toEqual([
        ['GET', `${ZONES}/${CHILD}`, { 'api-version': API_VERSION }],
        ['GET', `${ZONES}/${CHILD}/recordsets`, { 'api-version': API_VERSION }],
        ['GET', `${ZONES}/${CHILD}/recordsets`, { 'api-version': API_VERSION, $skipToken: '2' }],
        ['GET', `${ZONES}/${CHILD}/recordsets`, { 'api-version': API_VERSION, $skipToken: '4' }],
      ]);
    });

    it('deleteZone with a synchronous 200 from Azure needs no polling', async () => {
      await fake.close();
      fake = await FakeAzureDns.start({ subscriptionId: SUBSCRIPTION, resourceGroups: [GROUP], token: TOKEN, zoneDelete: 'sync' });
      driver = driverWith();
      await driver.ensureZone(CHILD);
      fake.clearRequests();
      await driver.deleteZone(CHILD);
      expect(fake.requests.map(wire)).toEqual([del(CHILD)]);
      expect(fake.zone(GROUP, CHILD)).toBeUndefined();
    });

    it('deleteZone is bounded: an operation that never finishes is a retryable error after zoneDeleteTimeoutMs', async () => {
      await fake.close();
      fake = await FakeAzureDns.start({ subscriptionId: SUBSCRIPTION, resourceGroups: [GROUP], token: TOKEN, deletePolls: Infinity });
      driver = driverWith({ zoneDeleteTimeoutMs: 300, pollIntervalMs: 20 });
      await driver.ensureZone(CHILD);
      fake.clearRequests();

      const started = Date.now();
      await expectDriverError(driver.deleteZone(CHILD), true, /deleting zone acme\.matih\.ai did not finish within 300 ms/);
      expect(Date.now() - started).toBeLessThan(2_000);
      const polls = fake.requests.filter((r) => r.path.includes('/dnsoperationstatuses/')).length;
      expect(polls).toBeGreaterThan(2);
      // The poller stopped: no request after the deadline.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(fake.requests.filter((r) => r.path.includes('/dnsoperationstatuses/')).length).toBe(polls);
    });
  });

  describe('record sets', () => {
    beforeEach(async () => {
      await driver.ensureZone(CHILD);
      fake.clearRequests();
    });

    it('writes AAAA, CNAME, TXT and NS in Azure shape, with values normalised like every driver (lower case, RFC 5952)', async () => {
      await driver.upsertRecordSet(CHILD, { name: 'API', type: 'AAAA', ttl: 60, values: ['2001:DB8:0:0:0:0:0:10'] });
      await driver.upsertRecordSet(CHILD, { name: 'www', type: 'CNAME', ttl: 60, values: ['Edge.Example.NET'] });
      await driver.upsertRecordSet(CHILD, { name: '_acme-challenge', type: 'TXT', ttl: 60, values: ['token-1', 'token 2'] });
      await driver.upsertRecordSet(CHILD, { name: 'sub', type: 'NS', ttl: 3600, values: ['ns1.example.org', 'ns2.example.org'] });

      expect(fake.requests.filter((r) => r.method === 'PUT').map(wire)).toEqual([
        put(`${CHILD}/AAAA/api`, { properties: { TTL: 60, AAAARecords: [{ ipv6Address: '2001:db8::10' }] } }),
        put(`${CHILD}/CNAME/www`, { properties: { TTL: 60, CNAMERecord: { cname: 'edge.example.net' } } }),
        put(`${CHILD}/TXT/_acme-challenge`, { properties: { TTL: 60, TXTRecords: [{ value: ['token-1'] }, { value: ['token 2'] }] } }),
        put(`${CHILD}/NS/sub`, { properties: { TTL: 3600, NSRecords: [{ nsdname: 'ns1.example.org' }, { nsdname: 'ns2.example.org' }] } }),
      ]);
      const { records } = await driver.observeZone(CHILD);
      expect(records.filter((r) => r.name !== '@')).toEqual([
        { name: '_acme-challenge', type: 'TXT', ttl: 60, values: ['token-1', 'token 2'] },
        { name: 'api', type: 'AAAA', ttl: 60, values: ['2001:db8::10'] },
        { name: 'sub', type: 'NS', ttl: 3600, values: ['ns1.example.org', 'ns2.example.org'] },
        { name: 'www', type: 'CNAME', ttl: 60, values: ['edge.example.net'] },
      ]);
    });

    it('an equal set (values in another order) is not written again; a changed TTL or value is replaced whole', async () => {
      await driver.upsertRecordSet(CHILD, a('api', '203.0.113.1', '203.0.113.2'));
      await driver.upsertRecordSet(CHILD, a('api', '203.0.113.2', '203.0.113.1'));
      await driver.upsertRecordSet(CHILD, { ...a('api', '203.0.113.2', '203.0.113.1'), ttl: 30 });
      await driver.upsertRecordSet(CHILD, { ...a('api', '203.0.113.3'), ttl: 30 });

      expect(fake.requests.map(wire)).toEqual([
        get(`${CHILD}/A/api`),
        put(`${CHILD}/A/api`, aBody(300, '203.0.113.1', '203.0.113.2')),
        get(`${CHILD}/A/api`),
        get(`${CHILD}/A/api`),
        put(`${CHILD}/A/api`, aBody(30, '203.0.113.2', '203.0.113.1')),
        get(`${CHILD}/A/api`),
        put(`${CHILD}/A/api`, aBody(30, '203.0.113.3')),
      ]);
      expect((await driver.observeZone(CHILD)).records.find((r) => r.name === 'api')).toEqual({ name: 'api', type: 'A', ttl: 30, values: ['203.0.113.3'] });
    });

    it('deleteRecordSet sends one DELETE; an absent set (204) and an absent zone (404) are success', async () => {
      await driver.upsertRecordSet(CHILD, a('api'));
      fake.clearRequests();

      await driver.deleteRecordSet(CHILD, 'API', 'A');
      await driver.deleteRecordSet(CHILD, 'api', 'A');
      await driver.deleteRecordSet('gone.matih.ai', 'api', 'A');

      expect(fake.requests.map(wire)).toEqual([del(`${CHILD}/A/api`), del(`${CHILD}/A/api`), del('gone.matih.ai/A/api')]);
      expect(fake.recordSet(GROUP, CHILD, 'api', 'A')).toBeUndefined();
    });

    it('writing into a zone that does not exist is a permanent error (ensureZone first)', async () => {
      await expectDriverError(driver.upsertRecordSet('gone.matih.ai', a('api')), false, /zone gone\.matih\.ai does not exist \(ensureZone first\)/);
      expect(fake.requests.map(wire)).toEqual([get('gone.matih.ai/A/api'), put('gone.matih.ai/A/api', aBody(300, LB_IP))]);
    });

    it('a CNAME beside other data is refused by Azure (409 Conflict): permanent, said as every driver says it, with the service message', async () => {
      await driver.upsertRecordSet(CHILD, a('www'));
      await expectDriverError(
        driver.upsertRecordSet(CHILD, { name: 'www', type: 'CNAME', ttl: 60, values: ['edge.example.net'] }),
        false,
        /^CNAME record set "www" in zone acme\.matih\.ai conflicts with another record set of that name: an alias \(CNAME\) must be alone at its name \(Azure: The CNAME record could not be created because another record with the same name already exists in this zone\.\)$/,
      );
    });
  });

  describe('errors', () => {
    it('429 (with Retry-After) and 5xx are retried by the SDK within the call; still failing, they are retryable DriverErrors', async () => {
      fail({ status: 429, retryAfter: '0', method: 'PUT', message: 'Too many requests, slow down.' });
      await driver.ensureZone(CHILD);
      expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'PUT']);

      fake.clearRequests();
      fail({ status: 429, retryAfter: '0', count: 2, message: 'Too many requests, slow down.' });
      await expectDriverError(driver.observeZone(CHILD), true, /^Azure DNS: reading zone acme\.matih\.ai failed \(HTTP 429 TooManyRequests\): Too many requests, slow down\.$/);
      expect(fake.requests).toHaveLength(2);

      for (const status of [500, 503]) {
        fail({ status, count: 2, message: 'The service is busy.' });
        await expectDriverError(driver.upsertRecordSet(CHILD, a('api')), true, new RegExp(`HTTP ${status} InternalServerError\\): The service is busy`));
      }
    });

    it('403 is permanent, not retried, and carries the service message; the bearer token appears nowhere in the error', async () => {
      const message = "The client 'f00' with object id 'f00' does not have authorization to perform action 'Microsoft.Network/dnszones/write'.";
      fail({ status: 403, code: 'AuthorizationFailed', message, echoAuthorization: true, count: 5 });
      const error = await expectDriverError(driver.ensureZone(CHILD), false, /^Azure DNS: creating zone acme\.matih\.ai failed \(HTTP 403 AuthorizationFailed\): The client 'f00'/);
      expect(fake.requests).toHaveLength(1);
      expect(error.message).toContain('Bearer [redacted]');
      for (const text of [error.message, inspect(error, { depth: 10 }), JSON.stringify(error), String(error.stack)]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(TOKEN.split('.')[2]);
      }
      expect(error.cause).toBeUndefined();

      // An opaque (non-JWT) token is blotted out too.
      const opaque = 'opaque-access-token-0123456789abcdef';
      fail({ status: 403, code: 'AuthorizationFailed', message, echoAuthorization: true });
      const other = driverWith({ credential: { getToken: async () => ({ token: opaque, expiresOnTimestamp: Date.now() + 3_600_000 }) } });
      const second = await expectDriverError(other.observeZone(CHILD), false, /Bearer \[redacted\]/);
      expect(inspect(second, { depth: 10 })).not.toContain(opaque);
    });

    it('other 4xx answers are permanent with the service message: 401 bad token, 404 resource group not found', async () => {
      const stranger = driverWith({ credential: { getToken: async () => ({ token: 'someone-elses', expiresOnTimestamp: Date.now() + 3_600_000 }) } });
      await expectDriverError(stranger.ensureZone(CHILD), false, /HTTP 401 InvalidAuthenticationToken\): The access token is invalid/);

      const elsewhere = driverWith({ resourceGroup: 'rg-missing' });
      await expectDriverError(elsewhere.ensureZone(CHILD), false, /HTTP 404 ResourceGroupNotFound\): Resource group 'rg-missing' could not be found/);
      // On delete the same 404 means "nothing there": success.
      await elsewhere.deleteZone(CHILD);
    });

    it('no answer is retryable: a reset connection, a refused connection, a call past its deadline', async () => {
      fail({ reset: true, count: 2 });
      await expectDriverError(driver.observeZone(CHILD), true, /reading zone acme\.matih\.ai failed/);

      const closed = driverWith({ endpoint: `https://127.0.0.1:${await freePort()}` });
      await expectDriverError(closed.observeZone(CHILD), true, /reading zone acme\.matih\.ai failed/);

      fail({ hang: true, count: 2 });
      await expectDriverError(driverWith({ callTimeoutMs: 200 }).ensureZone(CHILD), true, /creating zone acme\.matih\.ai did not finish within 200 ms/);
    });

    it('no token to be had is permanent and sends nothing', async () => {
      const unavailable = Object.assign(new Error('EnvironmentCredential is unavailable. No underlying credential could be used.'), { name: 'CredentialUnavailableError' });
      const noCredential = driverWith({ credential: { getToken: async () => Promise.reject(unavailable) } });
      await expectDriverError(noCredential.ensureZone(CHILD), false, /no Azure credential could be obtained \(CredentialUnavailableError\)/);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('input is checked before any request, as by every DnsDriver', () => {
    const badZones = ['', 'matih.ai.', 'a..b', '*.matih.ai', 'sp ace.matih.ai', 'x'.repeat(64) + '.ai'];
    const badSets: DnsRecordSet[] = [
      { name: 'api', type: 'A', ttl: 300, values: ['300.1.1.1'] },
      { name: 'api', type: 'A', ttl: -1, values: [LB_IP] },
      { name: 'api', type: 'A', ttl: 300, values: [] },
      { name: 'api', type: 'A', ttl: 300, values: [LB_IP, LB_IP] },
      { name: 'api', type: 'AAAA', ttl: 300, values: [LB_IP] },
      { name: '@', type: 'CNAME', ttl: 300, values: ['edge.example.net'] },
      { name: 'www', type: 'CNAME', ttl: 300, values: ['a.example.net', 'b.example.net'] },
      { name: '*', type: 'NS', ttl: 300, values: ['ns1.example.net'] },
      { name: 'api.', type: 'A', ttl: 300, values: [LB_IP] },
      { name: 'api', type: 'MX' as DnsRecordType, ttl: 300, values: ['mail.example.net'] },
      { name: 'api', type: 'TXT', ttl: 300, values: ['x'.repeat(256)] },
    ];

    it('refuses bad zone names, record sets and deletions as permanent DriverErrors', async () => {
      for (const zone of badZones) {
        await expectDriverError(driver.ensureZone(zone), false, /invalid zone name/);
        await expectDriverError(driver.observeZone(zone), false, /invalid zone name/);
        await expectDriverError(driver.deleteZone(zone), false, /invalid zone name/);
      }
      for (const set of badSets) await expectDriverError(driver.upsertRecordSet(CHILD, set), false);
      await expectDriverError(driver.deleteRecordSet(CHILD, 'api', 'SOA' as DnsRecordType), false, /unsupported record type/);
      await expectDriverError(driver.deleteRecordSet(CHILD, '@', 'NS'), false, /apex NS record set of zone acme\.matih\.ai cannot be deleted/);
      await expectDriverError(driver.deleteRecordSet(CHILD, 'a b', 'A'), false, /invalid record name/);
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses a bad subscription, resource group or endpoint at construction', () => {
      const build = (options: Partial<AzureDnsDriverOptions>) => () => driverWith(options);
      expect(build({ subscriptionId: 'my-subscription' })).toThrow(/subscription id "my-subscription" is not a GUID/);
      expect(build({ resourceGroup: 'rg/../other' })).toThrow(/resource group name/);
      expect(build({ resourceGroup: 'ends-with-dot.' })).toThrow(/resource group name/);
      expect(build({ endpoint: 'http://management.azure.com' })).toThrow(/must be an https URL/);
      expect(build({ zoneDeleteTimeoutMs: 0 })).toThrow(/zoneDeleteTimeoutMs/);
      expect(() => driverWith({ resourceGroup: 'Rg_(dns).prod-1' })).not.toThrow();
    });
  });
});

describe('the azure driver as the service builds it from its settings', () => {
  const env = { MATIH_DNS_DRIVER: 'azure', MATIH_AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, MATIH_AZURE_DNS_RESOURCE_GROUP: GROUP };
  const azureDns = (extra: Record<string, string> = {}) => {
    const dns = loadConfig({ ...env, ...extra }).edge.dns;
    if (dns.driver !== 'azure') throw new Error(`expected the azure DNS settings, got ${dns.driver}`);
    return dns;
  };

  it('uses a service principal when all three AZURE_ variables are set, else DefaultAzureCredential (AZURE_CLIENT_ID alone picks a managed identity)', () => {
    const sp = azureDns({ AZURE_TENANT_ID: 'b6a8c1f2-0000-4000-8000-000000000001', AZURE_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000002', AZURE_CLIENT_SECRET: 'x' });
    expect(azureCredential(sp.identity)).toBeInstanceOf(ClientSecretCredential);
    const managed = azureDns({ AZURE_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000002' });
    expect(azureCredential(managed.identity)).toBeInstanceOf(DefaultAzureCredential);
    const workload = azureDns({ AZURE_TENANT_ID: 'b6a8c1f2-0000-4000-8000-000000000001', AZURE_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000002' });
    expect(azureCredential(workload.identity)).toBeInstanceOf(DefaultAzureCredential);
    expect(azureDns()).toEqual({
      driver: 'azure',
      subscriptionId: SUBSCRIPTION,
      resourceGroup: GROUP,
      endpoint: undefined,
      identity: { tenantId: undefined, clientId: undefined, clientSecret: undefined },
      ttl: 300,
    });
  });

  it('builds a working driver for the configured subscription, resource group and endpoint', async () => {
    const fake = await FakeAzureDns.start({ subscriptionId: SUBSCRIPTION, resourceGroups: [GROUP], token: TOKEN });
    try {
      const { endpoint, ...clientOptions } = fake.clientOptions();
      const settings = azureDns({ MATIH_AZURE_MANAGEMENT_ENDPOINT: endpoint });
      expect(settings.endpoint).toBe(endpoint);
      // As build-engine.ts builds it, with the test's credential and the fake's CA.
      const driver = new AzureDnsDriver({ credential, subscriptionId: settings.subscriptionId, resourceGroup: settings.resourceGroup, endpoint: settings.endpoint, clientOptions });
      expect(await driver.ensureZone(CHILD)).toEqual({ nameServers: nameServers('01') });
      expect(fake.requests.map(wire)).toEqual([get(CHILD), put(CHILD, ZONE_BODY, '*')]);
      expect(tokensIssued).toBeGreaterThan(0);
    } finally {
      await fake.close();
    }
  });
});

