import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecretBox } from '../../src/drivers/contract.js';
import { generateSealedCa, openSealedCa } from '../../src/drivers/tls/ca-certificate.js';
import { SIGNING_ALGORITHM, daysFrom, generateKeyPair, privateKeyToPem, randomSerialHex, x509 } from '../../src/drivers/tls/x509-crypto.js';

/**
 * An HTTPS fake of the Azure DNS management API (Microsoft.Network/dnsZones, api-version
 * 2018-05-01) on 127.0.0.1, stateful: zones and record sets live in memory, so a driver can be
 * exercised as a whole, and every request is recorded for the test to check exactly.
 *
 * Why HTTPS: the SDK's bearer-token policy refuses to send a token over http. The fake's
 * certificate (for IP 127.0.0.1) is signed by a throwaway CA made with the repo's local CA code
 * (src/drivers/tls); the client is told to trust that CA, and only it, through the SDK's own
 * pipeline option `tlsOptions: { ca }` (see `clientOptions()`), so no global TLS setting changes.
 *
 * What it mirrors of the real service (the 2018-05-01 REST reference and its examples):
 * - zone PUT: 201 on create, 200 on update; the body must name a location; Azure assigns four name
 *   servers (ns1-NN.azure-dns.com. ...; with the trailing dot, as the service writes them) and
 *   creates the SOA and NS record sets at '@'; If-None-Match: * on an existing zone is 412.
 * - zone DELETE: 204 when absent; else 202 with Azure-AsyncOperation and Location headers, the
 *   operation status answering {"status":"InProgress"} `deletePolls` times, then "Succeeded"
 *   (the zone is gone from then on). `zoneDelete: 'sync'` answers 200 at once instead.
 * - record sets: PUT 201/200 with the body echoed in Azure's shape (id, name, type, etag,
 *   properties.fqdn with the trailing dot, TTL, ARecords...), DELETE 200, or 204 when absent;
 *   a CNAME beside other data is 409 Conflict; the apex NS and SOA cannot be deleted (400).
 * - errors: ARM's {"error":{code,message}} (ResourceNotFound, ParentResourceNotFound,
 *   ResourceGroupNotFound, AuthenticationFailed) and the DNS provider's bare {code,message}
 *   (NotFound for a record set, Conflict, BadRequest, PreconditionFailed), both of which the SDK
 *   reads.
 * - lists: {"value":[...],"nextLink":...}, `pageSize` sets a page (Azure: 100).
 *
 * Not mirrored: zone PATCH, record set PATCH, listing zones, private zones, alias record sets,
 * metadata beyond echoing it, MX/SRV/CAA/PTR records, throttling on its own (inject it).
 */
export const AZURE_DNS_API_VERSION = '2018-05-01';

export interface FakeAzureDnsOptions {
  subscriptionId: string;
  /** The resource groups that exist; requests for others get 404 ResourceGroupNotFound. */
  resourceGroups: readonly string[];
  /** The bearer token to expect; unset: any bearer token is accepted. */
  token?: string;
  /** Record sets per list page; default 100 as in Azure. */
  pageSize?: number;
  /** 'async' (default): 202 and an operation to poll; 'sync': 200. */
  zoneDelete?: 'async' | 'sync';
  /** How many polls of a zone deletion answer InProgress before Succeeded; default 1. Infinity: never done. */
  deletePolls?: number;
  /**
   * Every zone gets the same name servers (ns1-01...), as Azure often does within a subscription;
   * default: each new zone the next set (ns1-01..., ns1-02...), so a test sees which zone's set
   * a delegation names.
   */
  sameNameServers?: boolean;
}

export interface RecordedAzureRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  path: string;
  /** The api-version query parameter, or undefined. */
  apiVersion: string | undefined;
  /** Every query parameter (api-version included), decoded. */
  query: Record<string, string>;
  /** The JSON body, parsed; undefined when there was none. */
  body: unknown;
  /** An `Authorization: Bearer ...` header was present. Its value is never recorded. */
  bearer: boolean;
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
}

/** An answer forced on the next request(s) that match, before the fake looks at them. */
export interface AzureFault {
  /** HTTP status to answer; ignored with `reset`. */
  status?: number;
  code?: string;
  message?: string;
  /** Retry-After header (seconds), as Azure sends with 429. */
  retryAfter?: string;
  /** Close the connection without an answer (a network failure). */
  reset?: boolean;
  /** Never answer (the connection stays open until the client gives up or the fake closes). */
  hang?: boolean;
  /** Put the request's Authorization header into the error message (to check the driver never repeats it). */
  echoAuthorization?: boolean;
  /** How many matching requests it applies to; default 1. */
  count?: number;
  /** Only requests with this method... */
  method?: string;
  /** ...and whose path contains this. */
  pathIncludes?: string;
}

export interface FakeRecordSet {
  name: string;
  type: string;
  etag: string;
  /** Azure's properties: TTL, ARecords, NSRecords, ..., metadata. */
  properties: Record<string, unknown>;
}

export interface FakeZone {
  name: string;
  resourceGroup: string;
  etag: string;
  nameServers: string[];
  zoneType: string;
  tags: Record<string, string>;
  /** Keyed by `${TYPE}/${name}`. */
  recordSets: Map<string, FakeRecordSet>;
  deleting: boolean;
}

interface DeleteOperation {
  zoneKey: string;
  pollsLeft: number;
  done: boolean;
}

const RECORD_PROPERTY: Record<string, { key: string; field: string; single?: true }> = {
  A: { key: 'ARecords', field: 'ipv4Address' },
  AAAA: { key: 'AAAARecords', field: 'ipv6Address' },
  CNAME: { key: 'CNAMERecord', field: 'cname', single: true },
  NS: { key: 'NSRecords', field: 'nsdname' },
  TXT: { key: 'TXTRecords', field: 'value' },
  SOA: { key: 'SOARecord', field: 'host', single: true },
  MX: { key: 'MXRecords', field: 'exchange' },
  SRV: { key: 'SRVRecords', field: 'target' },
  PTR: { key: 'PTRRecords', field: 'ptrdname' },
  CAA: { key: 'caaRecords', field: 'value' },
};
const RECORD_KEYS = Object.values(RECORD_PROPERTY).map((p) => p.key);
// What Azure gives a new zone's apex NS and SOA.
const APEX_NS_TTL = 172_800;
const SOA_TTL = 3_600;

class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** ARM's error shape (resource manager itself). */
const armError = (status: number, code: string, message: string) => new HttpAnswer(status, { error: { code, message } });
/** The DNS resource provider's error shape. */
const dnsError = (status: number, code: string, message: string) => new HttpAnswer(status, { code, message });

export class FakeAzureDns {
  readonly requests: RecordedAzureRequest[] = [];
  /** Zones by `${resourceGroup}/${zone}` in lower case. */
  readonly zones = new Map<string, FakeZone>();
  private readonly faults: AzureFault[] = [];
  private readonly operations = new Map<string, DeleteOperation>();
  private zonesCreated = 0;
  private operationsStarted = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    /** PEM of the CA that signed the fake's certificate: the one certificate the client trusts. */
    readonly caPem: string,
    private readonly options: FakeAzureDnsOptions,
  ) {}

  static async start(options: FakeAzureDnsOptions, port = 0): Promise<FakeAzureDns> {
    const tls = await loopbackCertificate();
    const server = createServer({ cert: tls.certificatePem, key: tls.privateKeyPem });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    const fake = new FakeAzureDns(server, `https://127.0.0.1:${address.port}`, tls.caPem, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.handle(req, res));
    return fake;
  }

  /**
   * Options for DnsManagementClient pointing at this fake: its endpoint, trust in its CA only,
   * and quick retries (the SDK's own retry policy stays on, with millisecond delays).
   */
  clientOptions(maxRetries = 1): { endpoint: string; tlsOptions: { ca: string }; retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number } } {
    return { endpoint: this.endpoint, tlsOptions: { ca: this.caPem }, retryOptions: { maxRetries, retryDelayInMs: 5, maxRetryDelayInMs: 20 } };
  }

  /** The next matching request(s) get this answer instead. */
  failNext(fault: AzureFault): void {
    this.faults.push({ count: 1, ...fault });
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  zone(resourceGroup: string, name: string): FakeZone | undefined {
    return this.zones.get(zoneKey(resourceGroup, name));
  }

  recordSet(resourceGroup: string, zone: string, name: string, type: string): FakeRecordSet | undefined {
    return this.zone(resourceGroup, zone)?.recordSets.get(`${type.toUpperCase()}/${name.toLowerCase()}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://fake.invalid');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: RecordedAzureRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        apiVersion: url.searchParams.get('api-version') ?? undefined,
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : parseJson(text),
        bearer: /^Bearer \S+$/.test(req.headers.authorization ?? ''),
        ifMatch: header(req, 'if-match'),
        ifNoneMatch: header(req, 'if-none-match'),
      };
      this.requests.push(request);
      const fault = this.takeFault(request);
      if (fault?.reset) {
        req.socket.destroy();
        return;
      }
      if (fault?.hang) return;
      let answer: HttpAnswer;
      try {
        if (fault !== undefined) throw this.faultAnswer(fault, req);
        this.authenticate(req);
        answer = this.route(request, url, `https://${req.headers.host ?? '127.0.0.1'}`);
      } catch (error) {
        if (!(error instanceof HttpAnswer)) throw error;
        answer = error;
      }
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...(body === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        'x-ms-request-id': randomUUID(),
        ...answer.headers,
      });
      res.end(body);
    });
  }

  private takeFault(request: RecordedAzureRequest): AzureFault | undefined {
    const index = this.faults.findIndex(
      (f) => (f.method === undefined || f.method === request.method) && (f.pathIncludes === undefined || request.path.includes(f.pathIncludes)),
    );
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    fault.count = (fault.count ?? 1) - 1;
    if (fault.count <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private faultAnswer(fault: AzureFault, req: IncomingMessage): HttpAnswer {
    const status = fault.status ?? 500;
    const code = fault.code ?? (status === 429 ? 'TooManyRequests' : status >= 500 ? 'InternalServerError' : 'BadRequest');
    let message = fault.message ?? `injected ${status}`;
    if (fault.echoAuthorization) message += ` (request had Authorization: ${req.headers.authorization ?? 'none'})`;
    return new HttpAnswer(status, { error: { code, message } }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
  }

  private authenticate(req: IncomingMessage): void {
    const authorization = req.headers.authorization;
    if (authorization === undefined) throw armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    const match = /^Bearer (\S+)$/.exec(authorization);
    if (match === null || (this.options.token !== undefined && match[1] !== this.options.token)) {
      throw armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
  }

  private route(request: RecordedAzureRequest, url: URL, base: string): HttpAnswer {
    if (request.apiVersion === undefined) throw armError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    if (request.apiVersion !== AZURE_DNS_API_VERSION) throw armError(400, 'InvalidApiVersionParameter', `The api-version '${request.apiVersion}' is invalid.`);
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const [subscriptions, subscriptionId, resourceGroups, resourceGroup, providers, namespace, kind, ...rest] = parts;
    if (subscriptions?.toLowerCase() !== 'subscriptions' || resourceGroups?.toLowerCase() !== 'resourcegroups' || providers?.toLowerCase() !== 'providers' || namespace?.toLowerCase() !== 'microsoft.network') {
      throw armError(404, 'FakeRouteNotImplemented', `the fake has no route for ${request.method} ${url.pathname}`);
    }
    if (subscriptionId?.toLowerCase() !== this.options.subscriptionId.toLowerCase()) throw armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
    const group = this.options.resourceGroups.find((g) => g.toLowerCase() === resourceGroup?.toLowerCase());
    if (group === undefined) throw armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    const scope = `/subscriptions/${this.options.subscriptionId}/resourceGroups/${group}/providers/Microsoft.Network`;
    switch (kind?.toLowerCase()) {
      case 'dnsoperationstatuses':
        return this.operationStatus(rest[0] ?? '');
      case 'dnsoperationresults':
        return this.operationResult(rest[0] ?? '');
      case 'dnszones':
        break;
      default:
        throw armError(404, 'FakeRouteNotImplemented', `the fake has no route for ${request.method} ${url.pathname}`);
    }
    const [zoneName, type, name, ...extra] = rest;
    if (zoneName === undefined || extra.length > 0) throw armError(404, 'FakeRouteNotImplemented', `the fake has no route for ${request.method} ${url.pathname}`);
    const ctx = { request, url, base, scope, group, zoneName: zoneName.toLowerCase() };
    if (type === undefined) return this.zoneRoute(ctx);
    if (name === undefined) {
      if (request.method !== 'GET') throw armError(405, 'MethodNotAllowed', `${request.method} is not allowed here`);
      return this.listRecordSets(ctx, ['recordsets', 'all'].includes(type.toLowerCase()) ? undefined : type.toUpperCase());
    }
    return this.recordSetRoute(ctx, type.toUpperCase(), name.toLowerCase());
  }

  private zoneRoute(ctx: RouteContext): HttpAnswer {
    const key = zoneKey(ctx.group, ctx.zoneName);
    const zone = this.zones.get(key);
    switch (ctx.request.method) {
      case 'GET':
        if (zone === undefined) throw notFoundZone(ctx);
        return new HttpAnswer(200, this.zoneJson(ctx, zone));
      case 'PUT': {
        const body = objectBody(ctx.request.body);
        if (typeof body.location !== 'string') throw armError(400, 'LocationRequired', 'The location property is required for this definition.');
        if (zone !== undefined && ctx.request.ifNoneMatch === '*') throw dnsError(412, 'PreconditionFailed', `The Zone ${ctx.zoneName} exists already and hence cannot be created again.`);
        if (zone !== undefined && ctx.request.ifMatch !== undefined && ctx.request.ifMatch !== '*' && ctx.request.ifMatch !== zone.etag) {
          throw dnsError(412, 'PreconditionFailed', `The Zone ${ctx.zoneName} has been modified (etag mismatch).`);
        }
        const properties = objectOrEmpty(body.properties);
        const tags = objectOrEmpty(body.tags) as Record<string, string>;
        if (zone !== undefined) {
          zone.tags = tags;
          zone.etag = randomUUID();
          return new HttpAnswer(200, this.zoneJson(ctx, zone));
        }
        const created = this.createZone(ctx, typeof properties.zoneType === 'string' ? properties.zoneType : 'Public', tags);
        return new HttpAnswer(201, this.zoneJson(ctx, created));
      }
      case 'DELETE': {
        if (zone === undefined) return new HttpAnswer(204, undefined);
        if (this.options.zoneDelete === 'sync') {
          this.zones.delete(key);
          return new HttpAnswer(200, undefined);
        }
        zone.deleting = true;
        const id = `delzone${++this.operationsStarted}${randomUUID().replace(/-/g, '')}`;
        this.operations.set(id, { zoneKey: key, pollsLeft: this.options.deletePolls ?? 1, done: false });
        const query = `?api-version=${AZURE_DNS_API_VERSION}`;
        return new HttpAnswer(202, undefined, {
          'azure-asyncoperation': `${ctx.base}${ctx.scope}/dnsoperationstatuses/${id}${query}`,
          location: `${ctx.base}${ctx.scope}/dnsoperationresults/${id}${query}`,
        });
      }
      default:
        throw armError(405, 'MethodNotAllowed', `the fake does not implement ${ctx.request.method} on a zone`);
    }
  }

  private recordSetRoute(ctx: RouteContext, type: string, name: string): HttpAnswer {
    const zone = this.zones.get(zoneKey(ctx.group, ctx.zoneName));
    if (zone === undefined) {
      const verb = ctx.request.method === 'GET' ? 'read' : ctx.request.method === 'DELETE' ? 'delete' : 'write';
      throw armError(
        404,
        'ParentResourceNotFound',
        `Failed to perform '${verb}' on resource(s) of type 'dnszones/${type}', because the parent resource '${ctx.scope}/dnszones/${ctx.zoneName}' could not be found.`,
      );
    }
    const spec = RECORD_PROPERTY[type];
    if (spec === undefined) throw armError(400, 'BadRequest', `The record type '${type}' is not supported.`);
    const key = `${type}/${name}`;
    const existing = zone.recordSets.get(key);
    switch (ctx.request.method) {
      case 'GET':
        if (existing === undefined) {
          throw dnsError(404, 'NotFound', `The resource record '${name}' does not exist in resource group '${ctx.group}' of subscription '${this.options.subscriptionId}'.`);
        }
        return new HttpAnswer(200, this.recordSetJson(ctx, existing));
      case 'PUT': {
        if (ctx.request.ifNoneMatch === '*' && existing !== undefined) throw dnsError(412, 'PreconditionFailed', `The record set ${name} of type ${type} already exists.`);
        if (ctx.request.ifMatch !== undefined && ctx.request.ifMatch !== '*' && ctx.request.ifMatch !== existing?.etag) {
          throw dnsError(412, 'PreconditionFailed', `The record set ${name} of type ${type} has been modified (etag mismatch).`);
        }
        const properties = validRecordProperties(type, objectOrEmpty(objectBody(ctx.request.body).properties));
        const names = [...zone.recordSets.values()].filter((s) => s.name === name && s.type !== type);
        if (type === 'CNAME' && names.length > 0) throw dnsError(409, 'Conflict', 'The CNAME record could not be created because another record with the same name already exists in this zone.');
        if (type !== 'CNAME' && names.some((s) => s.type === 'CNAME')) throw dnsError(409, 'Conflict', 'The record could not be created because a CNAME record with the same name already exists in this zone.');
        const stored: FakeRecordSet = { name, type, etag: randomUUID(), properties };
        zone.recordSets.set(key, stored);
        return new HttpAnswer(existing === undefined ? 201 : 200, this.recordSetJson(ctx, stored));
      }
      case 'DELETE':
        if (name === '@' && (type === 'NS' || type === 'SOA')) throw dnsError(400, 'BadRequest', `The record set of type '${type}' at the zone apex cannot be deleted.`);
        if (existing === undefined) return new HttpAnswer(204, undefined);
        zone.recordSets.delete(key);
        return new HttpAnswer(200, undefined);
      default:
        throw armError(405, 'MethodNotAllowed', `the fake does not implement ${ctx.request.method} on a record set`);
    }
  }

  private listRecordSets(ctx: RouteContext, type: string | undefined): HttpAnswer {
    const zone = this.zones.get(zoneKey(ctx.group, ctx.zoneName));
    if (zone === undefined) throw notFoundZone(ctx);
    const all = [...zone.recordSets.values()].filter((s) => type === undefined || s.type === type).sort((a, b) => (a.name === b.name ? a.type.localeCompare(b.type) : a.name.localeCompare(b.name)));
    const top = Number(ctx.url.searchParams.get('$top') ?? NaN);
    const size = Math.min(Number.isInteger(top) && top > 0 ? top : Infinity, this.options.pageSize ?? 100);
    const skip = Number(ctx.url.searchParams.get('$skipToken') ?? 0);
    const page = all.slice(skip, skip + size);
    const body: Record<string, unknown> = { value: page.map((s) => this.recordSetJson(ctx, s)) };
    if (skip + size < all.length) {
      const next = new URL(ctx.url.pathname, ctx.base);
      next.searchParams.set('api-version', AZURE_DNS_API_VERSION);
      next.searchParams.set('$skipToken', String(skip + size));
      body.nextLink = next.toString();
    }
    return new HttpAnswer(200, body);
  }

  private operationStatus(id: string): HttpAnswer {
    const operation = this.operations.get(id);
    if (operation === undefined) throw armError(404, 'NotFound', `operation ${id} not found`);
    if (!operation.done && operation.pollsLeft > 0) {
      operation.pollsLeft -= 1;
      return new HttpAnswer(200, { status: 'InProgress' });
    }
    if (!operation.done) {
      operation.done = true;
      this.zones.delete(operation.zoneKey);
    }
    return new HttpAnswer(200, { status: 'Succeeded' });
  }

  private operationResult(id: string): HttpAnswer {
    const operation = this.operations.get(id);
    if (operation === undefined) throw armError(404, 'NotFound', `operation ${id} not found`);
    return new HttpAnswer(operation.done ? 204 : 202, undefined);
  }

  private createZone(ctx: RouteContext, zoneType: string, tags: Record<string, string>): FakeZone {
    const n = String(this.options.sameNameServers ? 1 : ++this.zonesCreated).padStart(2, '0');
    const nameServers = [`ns1-${n}.azure-dns.com.`, `ns2-${n}.azure-dns.net.`, `ns3-${n}.azure-dns.org.`, `ns4-${n}.azure-dns.info.`];
    const zone: FakeZone = { name: ctx.zoneName, resourceGroup: ctx.group, etag: randomUUID(), nameServers, zoneType, tags, recordSets: new Map(), deleting: false };
    zone.recordSets.set('NS/@', { name: '@', type: 'NS', etag: randomUUID(), properties: { TTL: APEX_NS_TTL, NSRecords: nameServers.map((nsdname) => ({ nsdname })) } });
    zone.recordSets.set('SOA/@', {
      name: '@',
      type: 'SOA',
      etag: randomUUID(),
      properties: {
        TTL: SOA_TTL,
        SOARecord: { host: nameServers[0], email: 'azuredns-hostmaster.microsoft.com', serialNumber: 1, refreshTime: 3600, retryTime: 300, expireTime: 2419200, minimumTTL: 300 },
      },
    });
    this.zones.set(zoneKey(ctx.group, ctx.zoneName), zone);
    return zone;
  }

  private zoneJson(ctx: RouteContext, zone: FakeZone): unknown {
    return {
      id: `${ctx.scope}/dnszones/${zone.name}`,
      name: zone.name,
      type: 'Microsoft.Network/dnszones',
      etag: zone.etag,
      location: 'global',
      tags: zone.tags,
      properties: {
        maxNumberOfRecordSets: 10000,
        maxNumberOfRecordsPerRecordSet: null,
        numberOfRecordSets: zone.recordSets.size,
        nameServers: zone.nameServers,
        zoneType: zone.zoneType,
      },
    };
  }

  private recordSetJson(ctx: RouteContext, set: FakeRecordSet): unknown {
    const zone = ctx.zoneName;
    return {
      id: `${ctx.scope}/dnszones/${zone}/${set.type}/${set.name}`,
      name: set.name,
      type: `Microsoft.Network/dnszones/${set.type}`,
      etag: set.etag,
      properties: { fqdn: set.name === '@' ? `${zone}.` : `${set.name}.${zone}.`, ...set.properties, targetResource: {}, provisioningState: 'Succeeded' },
    };
  }
}

interface RouteContext {
  request: RecordedAzureRequest;
  url: URL;
  base: string;
  scope: string;
  group: string;
  zoneName: string;
}

function notFoundZone(ctx: RouteContext): HttpAnswer {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.Network/dnszones/${ctx.zoneName}' under resource group '${ctx.group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** Checks a record set PUT's properties as the service would, and keeps what it stores. */
function validRecordProperties(type: string, properties: Record<string, unknown>): Record<string, unknown> {
  const spec = RECORD_PROPERTY[type];
  if (spec === undefined || type === 'SOA') throw dnsError(400, 'BadRequest', `Record sets of type '${type}' cannot be created here.`);
  const ttl = properties.TTL;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 2_147_483_647) throw dnsError(400, 'BadRequest', 'The TTL must be an integer from 0 to 2147483647.');
  const others = RECORD_KEYS.filter((k) => k !== spec.key && properties[k] !== undefined);
  if (others.length > 0) throw dnsError(400, 'BadRequest', `A record set of type ${type} cannot have ${others.join(', ')}.`);
  const records = properties[spec.key];
  const list = spec.single ? (records === undefined ? [] : [records]) : records;
  if (!Array.isArray(list) || list.length === 0) throw dnsError(400, 'BadRequest', `The record set of type ${type} must have at least one record in ${spec.key}.`);
  for (const record of list) {
    const value = objectOrEmpty(record)[spec.field];
    const ok = type === 'TXT' ? Array.isArray(value) && value.every((v) => typeof v === 'string') : typeof value === 'string' && value !== '';
    if (!ok) throw dnsError(400, 'BadRequest', `Each record of ${spec.key} needs ${spec.field}.`);
  }
  const stored: Record<string, unknown> = { TTL: ttl, [spec.key]: records };
  if (properties.metadata !== undefined) stored.metadata = properties.metadata;
  return stored;
}

function zoneKey(resourceGroup: string, zone: string): string {
  return `${resourceGroup}/${zone}`.toLowerCase();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw dnsError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw dnsError(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  return body as Record<string, unknown>;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A throwaway CA (the repo's local CA code, sealed with a box that seals nothing) and a leaf for 127.0.0.1. */
async function loopbackCertificate(): Promise<{ caPem: string; certificatePem: string; privateKeyPem: string }> {
  const box: SecretBox = { seal: (text) => text, open: (text) => text };
  const now = new Date();
  const ca = await openSealedCa(box, await generateSealedCa(box, now));
  const keys = await generateKeyPair();
  const notBefore = new Date(now.getTime() - 60_000);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: ['127.0.0.1'] }],
    issuer: ca.certificate.subjectName,
    notBefore,
    notAfter: daysFrom(notBefore, 2),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
      new x509.AuthorityKeyIdentifierExtension(ca.keyId),
    ],
  });
  return { caPem: ca.certificatePem, certificatePem: leaf.toString('pem'), privateKeyPem: await privateKeyToPem(keys.privateKey) };
}
