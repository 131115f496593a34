import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedTenantResponse, BOOTSTRAP_TOKEN, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { rawRequest } from '../support/raw-http.js';
import { type FuzzCase, type FuzzFixtures, generateCase } from './case-generator.js';
import { type OpenApiDocument, type Operation, type ServerName, operationsOf } from './openapi-operations.js';
import { Prng } from './prng.js';
import { type Answer, violationsOf } from './response-check.js';

/**
 * Issue 16's acceptance as a test: every operation of both OpenAPI documents, read from the
 * running servers, gets requests valid by its schema and then broken (wrong types, missing and
 * extra fields, huge strings, NUL and unpaired surrogates, prototype keys, non-object and deeply
 * nested bodies, bad ids and percent-encodings, invalid enums, boundary numbers, wrong content
 * types, empty bodies), each with one of five credentials; plus a few raw HTTP requests for what
 * inject cannot send. No answer may be a 5xx; every 4xx is application/problem+json with a code
 * of the registry, and a 400 names what is wrong (response-check.ts). The seed is fixed
 * (FUZZ_SEED to try another, FUZZ_CASES per operation to send more).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 16_016);
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 150);

interface Failure {
  route: string;
  problem: string;
  request: string;
  answer: string;
}

interface RouteStats {
  cases: number;
  statuses: Map<number, number>;
  ms: number;
}

describe('route fuzzer (issue 16 acceptance)', () => {
  let t: TestApp;
  let fixtures: FuzzFixtures;
  let primary: CreatedTenantResponse;
  let viewerKey: string;
  const operations: Operation[] = [];
  /** Every violation, of both runs (inject and raw), for the summary. */
  let violations = 0;
  const stats = new Map<string, RouteStats>();
  let rawCases = 0;
  const started = performance.now();

  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 0 } });
    primary = await createTenantViaApi(t.app, { tier: 'PROFESSIONAL' });
    const other = await createTenantViaApi(t.app, { tier: 'ENTERPRISE' });
    const victim = await createTenantViaApi(t.app, { tier: 'FREE' });
    for (const end of await Promise.all([primary, other, victim].map((tenant) => waitForJobEnd(t.app, tenant.id)))) {
      if (end.job.status !== 'SUCCEEDED') throw new Error(`fixture ${end.tenantId} not provisioned: ${end.errorMessage ?? end.job.status}`);
    }
    const createKey = async (tenantId: string, name: string, role: string) => {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/api-keys`, headers: adminAuth, payload: { name, role } });
      if (res.statusCode !== 201) throw new Error(`api key: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; key: string }>();
    };
    viewerKey = (await createKey(other.id, 'fuzz viewer', 'Viewer')).key;
    const decoys = await Promise.all([1, 2, 3].map((i) => createKey(primary.id, `decoy ${i}`, 'Analyst')));
    fixtures = {
      primary: primary.id,
      other: other.id,
      victim: victim.id,
      decoyKeyIds: decoys.map((d) => d.id),
      tokens: { platformAdmin: BOOTSTRAP_TOKEN, tenantAdmin: primary.initialApiKey.key, otherViewer: viewerKey },
    };
    for (const server of ['app', 'infra'] as const) {
      const doc = (await t[server].inject('/openapi.json')).json<OpenApiDocument>();
      operations.push(...operationsOf(doc, server));
    }
  });

  afterAll(async () => {
    const lines = [...stats].map(([route, s]) => `  ${route.padEnd(62)} ${String(s.cases).padStart(4)} cases ${String(Math.round(s.ms)).padStart(5)} ms  ${[...s.statuses].sort(([a], [b]) => a - b).map(([code, n]) => `${code}:${n}`).join(' ')}`);
    const total = [...stats].filter(([route]) => !route.startsWith('raw: ')).reduce((sum, [, s]) => sum + s.cases, 0);
    const histogram = new Map<number, number>();
    for (const s of stats.values()) for (const [code, n] of s.statuses) histogram.set(code, (histogram.get(code) ?? 0) + n);
    console.log(
      [
        `route fuzzer: seed ${SEED}, ${operations.length} operations, ${total} inject cases + ${rawCases} raw HTTP, ${violations} violations, ${((performance.now() - started) / 1000).toFixed(1)} s`,
        `  statuses: ${[...histogram].sort(([a], [b]) => a - b).map(([code, n]) => `${code}:${n}`).join(' ')}`,
        ...lines,
      ].join('\n'),
    );
    await t?.close();
  });

  const record = (failures: Failure[], route: string, answer: Answer, request: string, ms: number) => {
    const s = stats.get(route) ?? { cases: 0, statuses: new Map<number, number>(), ms: 0 };
    s.cases += 1;
    s.ms += ms;
    s.statuses.set(answer.status, (s.statuses.get(answer.status) ?? 0) + 1);
    stats.set(route, s);
    for (const problem of violationsOf(answer)) {
      violations += 1;
      failures.push({ route, problem, request, answer: `${answer.status} ${answer.contentType} ${answer.body.slice(0, 400)}` });
    }
  };

  const describeCase = (c: FuzzCase) =>
    `${c.method} ${c.url.length > 300 ? `${c.url.slice(0, 300)}...` : c.url} [${c.credential}] {${c.mutations.join(', ') || 'valid'}} ${c.headers['content-type'] ?? ''} ${(c.payload ?? '').slice(0, 300)}`;

  /** The failures, one per route and kind of violation, for the assertion message. */
  const report = (failures: readonly Failure[]) => {
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const f of failures) {
      const key = `${f.route} ${f.problem.replace(/\d+/g, '#')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`${f.route}: ${f.problem}\n    request: ${f.request}\n    answer:  ${f.answer}`);
    }
    return `${failures.length} violations, ${lines.length} distinct:\n${lines.slice(0, 40).join('\n')}`;
  };

  it('answers every generated request of every route without a 5xx, and every 4xx as a problem of the registry naming what is wrong', { timeout: 180_000 }, async () => {
    expect(operations.length).toBeGreaterThan(30);
    const failures: Failure[] = [];
    const rng = new Prng(SEED);
    for (const op of operations) {
      const route = `${op.server === 'infra' ? 'infra ' : ''}${op.method} ${op.path}`;
      for (let i = 0; i < CASES_PER_OPERATION; i += 1) {
        const c = generateCase(op, rng, fixtures);
        const before = performance.now();
        let answer: Answer;
        try {
          const res = await t[c.server].inject({ method: c.method, url: c.url, headers: c.headers, ...(c.payload === undefined ? {} : { payload: c.payload }) });
          answer = { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body, head: c.method === 'HEAD' };
        } catch (error) {
          answer = { status: 599, contentType: '', body: `inject threw: ${(error as Error).message}` };
        }
        record(failures, route, answer, describeCase(c), performance.now() - before);
      }
    }
    expect(failures, report(failures)).toEqual([]);
  });

  it('answers raw HTTP requests inject cannot send (broken percent-encodings, invalid UTF-8) the same way', async () => {
    const ports = {
      app: await listen(t.app),
      infra: await listen(t.infra),
    };
    const auth = `Authorization: Bearer ${BOOTSTRAP_TOKEN}\r\n`;
    const request = (method: string, target: string | Buffer, headers = auth, body?: Buffer, contentType = 'application/json'): Buffer =>
      Buffer.concat([
        Buffer.from(`${method} `, 'latin1'),
        typeof target === 'string' ? Buffer.from(target, 'latin1') : target,
        Buffer.from(` HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}`, 'latin1'),
        body === undefined ? Buffer.from('\r\n') : Buffer.concat([Buffer.from(`Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]),
      ]);
    /** A request line and headers (Host and Connection given), then `rest` as is. */
    const head = (line: string, rest: string) => Buffer.from(`${line} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${rest}`, 'latin1');
    const id = primary.id;
    const json = (text: string, ...bytes: number[][]) => {
      // `text` with each `\u0001` replaced by the next raw byte sequence: bytes JSON.stringify cannot write.
      const pieces = text.split('\u0001');
      return Buffer.concat(pieces.flatMap((piece, i) => [Buffer.from(piece, 'utf8'), ...(i < pieces.length - 1 ? [Buffer.from(bytes[i] ?? [])] : [])]));
    };
    const cases: [string, ServerName, Buffer][] = [
      ['broken percent-encoding in the id', 'app', request('GET', '/api/v1/tenants/%E0%A4%A')],
      ['broken percent-encoding mid-path', 'app', request('GET', '/api/v1/tenants/%zz/settings')],
      ['a lone % in the path', 'infra', request('GET', '/api/v1/infrastructure/tenants/%')],
      ['broken percent-encoding in the query', 'app', request('GET', '/api/v1/tenants?q=%E0%A4%A')],
      ['an encoded NUL in the path', 'app', request('GET', `/api/v1/tenants/${id}%00/settings`)],
      ['an encoded surrogate in the query', 'app', request('GET', '/api/v1/tenants?q=%ED%A0%80')],
      ['raw non-ASCII bytes in the path', 'app', request('GET', Buffer.concat([Buffer.from('/api/v1/tenants/'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf])]))],
      ['raw UTF-8 in the query', 'app', request('GET', Buffer.concat([Buffer.from('/api/v1/tenants?q='), Buffer.from('é😀', 'utf8')]))],
      ['invalid UTF-8 in a create body', 'app', request('POST', '/api/v1/tenants', auth, json('{"name":"\u0001","slug":"fz-raw-\u0001","tier":"FREE","adminEmail":"raw@example.com"}', [0xff, 0xfe], [0xc0, 0xaf]))],
      ['CESU-8 surrogate bytes in a settings body', 'app', request('PATCH', `/api/v1/tenants/${id}/settings`, auth, json('{"branding":{"displayName":"\u0001"}}', [0xed, 0xa0, 0x80]))],
      ['invalid UTF-8 in an infrastructure body', 'infra', request('PUT', `/api/v1/infrastructure/tenants/${id}`, auth, json('{"configuration":{"databaseSize":"\u0001"}}', [0xf8, 0x88, 0x80, 0x80, 0x80]))],
      ['binary garbage as JSON', 'app', request('PATCH', `/api/v1/tenants/${id}/features`, auth, Buffer.from([0x00, 0x01, 0xff, 0x7b, 0x22]))],
      ['a UTF-16 body declared as JSON', 'app', request('POST', `/api/v1/tenants/${id}/api-keys`, auth, Buffer.from('\ufeff{"name":"k","role":"Viewer"}', 'utf16le'))],
      ['a body under a charset it is not in', 'app', request('POST', '/api/v1/auth/token', auth, json('{"apiKey":"mtk_\u0001"}', [0xe9]), 'application/json; charset=iso-8859-1')],
      ['a chunked body', 'app', head('POST /api/v1/auth/token', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"api\r\n9\r\nKey":"x"}\r\n0\r\n\r\n')],
      ['a broken chunk size', 'app', head('POST /api/v1/auth/token', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"a"\r\n0\r\n\r\n')],
      ['Content-Length with Transfer-Encoding', 'app', head('POST /api/v1/auth/token', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n')],
      ['a Content-Length that is not a number', 'infra', head(`PUT /api/v1/infrastructure/tenants/${id}`, `${auth}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`)],
      ['two Content-Lengths', 'app', head('POST /api/v1/auth/token', 'Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}')],
      ['headers over 16 KiB', 'app', head(`GET /api/v1/tenants/${id}`, `Authorization: Bearer ${'x'.repeat(20_000)}\r\n\r\n`)],
      ['a header name with a space', 'app', head(`GET /api/v1/tenants/${id}`, `${auth}Bad Header: x\r\n\r\n`)],
      ['a control character in a header value', 'app', head(`GET /api/v1/tenants/${id}`, `${auth}X-Fuzz: a\u0001b\r\n\r\n`)],
      ['an unknown method', 'app', request('FUZZ@', `/api/v1/tenants/${id}`)],
      ['an unknown HTTP version', 'app', Buffer.from(`GET /api/v1/tenants/${id} HTTP/9.9\r\nHost: localhost\r\nConnection: close\r\n${auth}\r\n`, 'latin1')],
      ['a space in the path', 'app', request('GET', '/api/v1/tenants/a b')],
      ['no Host header', 'app', Buffer.from(`GET /api/v1/tenants/${id} HTTP/1.1\r\nConnection: close\r\n${auth}\r\n`, 'latin1')],
      ['HTTP/1.0 without Host', 'app', Buffer.from(`GET /health HTTP/1.0\r\n\r\n`, 'latin1')],
      ['a gzip-encoded body that is not gzip', 'app', head('POST /api/v1/auth/token', 'Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\n{"apiKey":1}')],
      ['dot segments', 'app', request('GET', `/api/v1/tenants/../tenants/${id}`)],
      ['a double slash', 'app', request('GET', `//api/v1/tenants/${id}`)],
      ['an absolute-form target', 'app', request('GET', `http://localhost/api/v1/tenants/${id}`)],
      ['an over-long path segment', 'infra', request('GET', `/api/v1/infrastructure/tenants/${'%41'.repeat(400)}`)],
    ];
    const failures: Failure[] = [];
    for (const [name, server, bytes] of cases) {
      const answer = await rawRequest(ports[server], bytes);
      rawCases += 1;
      record(failures, `raw: ${name}`, answer, bytes.toString('latin1').slice(0, 300), 0);
    }
    expect(failures, report(failures)).toEqual([]);
  });

  it('still answers /health, still has its fixtures, and no prototype was polluted', async () => {
    for (const server of [t.app, t.infra]) expect((await server.inject('/health')).json()).toEqual({ status: 'UP' });
    // The run aimed every deletion at the victim: both fixtures and their keys are as they were.
    const primaryRead = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${fixtures.primary}`, headers: bearer(fixtures.tokens.tenantAdmin) });
    expect(primaryRead.statusCode, `the tenant Admin key: ${primaryRead.body}`).toBe(200);
    const otherRead = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${fixtures.other}`, headers: bearer(viewerKey) });
    expect(otherRead.statusCode, `the other tenant's Viewer key: ${otherRead.body}`).toBe(200);
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
  });
});

async function listen(server: TestApp['app']): Promise<number> {
  if (!server.server.listening) await server.listen({ host: '127.0.0.1', port: 0 });
  return (server.server.address() as AddressInfo).port;
}
