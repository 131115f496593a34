import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Problem, handleError } from '../../src/api/problem.js';
import { rawRequest } from '../support/raw-http.js';
import { BOOTSTRAP_TOKEN, type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * Issue 16 defects 3 and 6, as the adversarial run sent them: strings PostgreSQL refuses, bodies
 * that are not objects, prototype keys, broken and over-long paths, upper-case ids. Each answer is
 * a 400 problem+json with one of the service's own codes naming what is wrong; nothing is stored.
 */
describe('hostile input', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;
  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 1 } });
    tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
  });
  afterAll(async () => {
    await t.close();
  });

  type Server = 'app' | 'infra';
  const send = async (server: Server, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: string, headers: Record<string, string> = adminAuth) => {
    const res = await t[server].inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, type: String(res.headers['content-type']), problem: res.json<Problem>() };
  };
  const expectRefused = (answer: Awaited<ReturnType<typeof send>>, code: string, field: string, location: string) => {
    expect(answer.status, JSON.stringify(answer.problem)).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.problem.code).toBe(code);
    expect(answer.problem.errors?.[0]).toMatchObject({ field, in: location });
  };

  it('refuses NUL characters and unpaired surrogates in every string, naming the field', async () => {
    const id = tenant.id;
    expectRefused(await send('app', 'GET', '/api/v1/tenants?q=%00'), 'validation_failed', 'q', 'query');
    expectRefused(await send('app', 'GET', '/api/v1/sim/objects?namespace=%00'), 'validation_failed', 'namespace', 'query');
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${id}/settings`, '{"branding":{"displayName":"a\\u0000b"}}'), 'validation_failed', 'branding.displayName', 'body');
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${id}/settings`, '{"branding":{"displayName":"\\ud800"}}'), 'validation_failed', 'branding.displayName', 'body');
    expectRefused(await send('app', 'POST', `/api/v1/tenants/${id}/api-keys`, '{"name":"k\\u0000","role":"Viewer"}'), 'validation_failed', 'name', 'body');
    expectRefused(await send('app', 'POST', `/api/v1/tenants/${id}/suspend`, '{"reason":"x\\u0000y"}'), 'validation_failed', 'reason', 'body');
    expectRefused(await send('app', 'POST', '/api/v1/tenants', '{"name":"\\udc00x","slug":"s","tier":"FREE","adminEmail":"a@b.example.com"}'), 'validation_failed', 'name', 'body');
    // A key's own name is a string too.
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${id}/settings`, '{"branding":{"a\\u0000":1}}'), 'validation_failed', 'branding.a\u0000', 'body');
    // A tenant Admin is refused the same way (the run found some of these reachable by one).
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${id}/settings`, '{"branding":{"displayName":"a\\u0000b"}}', bearer(tenant.initialApiKey.key)), 'validation_failed', 'branding.displayName', 'body');
    // Nothing was stored: the settings and keys are as they were.
    const keys = (await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${id}/api-keys`, headers: adminAuth })).json<{ items: { name: string }[] }>();
    expect(JSON.stringify(keys)).not.toContain('\\u0000');
  });

  it('refuses a body that is not a JSON object', async () => {
    expectRefused(await send('infra', 'PUT', `/api/v1/infrastructure/tenants/${tenant.id}`, 'null'), 'validation_failed', '(root)', 'body');
    expectRefused(await send('app', 'POST', `/api/v1/tenants/${tenant.id}/deletion-requests`, JSON.stringify(Array.from({ length: 8_000 }, (_, i) => i))), 'validation_failed', '(root)', 'body');
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '"text"'), 'validation_failed', '(root)', 'body');
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '42'), 'validation_failed', '(root)', 'body');
    // A route that takes no body refuses fields it does not know.
    expectRefused(await send('app', 'POST', `/api/v1/tenants/${tenant.id}/deletion-requests`, '{"padding":"x"}'), 'validation_failed', 'padding', 'body');
  });

  it('names a prototype key instead of calling the body invalid JSON, and still names broken JSON', async () => {
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '{"branding":{"__proto__":{"admin":true}}}'), 'validation_failed', 'branding.__proto__', 'body');
    expectRefused(await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '{"constructor":{"prototype":{"admin":true}}}'), 'validation_failed', 'constructor.prototype', 'body');
    const broken = await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '{"branding":');
    expect(broken.status).toBe(400);
    expect(broken.problem.code).toBe('malformed_json');
    expect(broken.problem.detail).toContain('not valid JSON');
    // An object that merely has a `constructor` field of another shape is data like any other.
    const plain = await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '{"constructor":"x"}');
    expect(plain.problem.errors?.[0]).toMatchObject({ field: 'constructor', message: 'is not a known field' });
  });

  it("answers broken and over-long paths with the service's own code, naming the parameter", async () => {
    const bad = await send('app', 'GET', '/api/v1/tenants/%E0%A4%A');
    expectRefused(bad, 'bad_path', '(path)', 'params');
    const long = await send('app', 'GET', `/api/v1/tenants/${'a'.repeat(400)}`);
    expectRefused(long, 'validation_failed', 'id', 'params');
    const tooLong = await send('app', 'GET', `/api/v1/tenants/${'a'.repeat(1_200)}`);
    expectRefused(tooLong, 'bad_path', '(path)', 'params');
  });

  it('refuses a body that is not UTF-8 instead of storing U+FFFD in its place (found by the route fuzzer)', async () => {
    const url = `/api/v1/tenants/${tenant.id}/settings`;
    // {"branding":{"displayName":"<the CESU-8 bytes of a lone surrogate>"}}
    const payload = Buffer.concat([Buffer.from('{"branding":{"displayName":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]);
    const res = await t.app.inject({ method: 'PATCH', url, headers: { ...adminAuth, 'content-type': 'application/json' }, payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json<Problem>()).toMatchObject({ code: 'malformed_json', detail: expect.stringContaining('not valid UTF-8') as string });
    const settings = await t.app.inject({ method: 'GET', url, headers: adminAuth });
    expect(settings.body).not.toContain('\ufffd');
    // UTF-8 itself, four-byte sequences included, is read as before.
    const ok = await t.app.inject({ method: 'PATCH', url, headers: { ...adminAuth, 'content-type': 'application/json' }, payload: Buffer.from('{"branding":{"displayName":"Café 😀"}}') });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('names a key that is the empty string as "" (found by the route fuzzer: a field error naming nothing)', async () => {
    // The service's own check (an unknown feature flag) and the schema's (an unknown field) alike.
    const features = await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/features`, '{"ai.assist":true,"":null}');
    expectRefused(features, 'validation_failed', '""', 'body');
    const created = await send('app', 'POST', '/api/v1/tenants', '{"name":"n","slug":"s","tier":"FREE","adminEmail":"a@example.com","":1}');
    expectRefused(created, 'validation_failed', '""', 'body');
    const nested = await send('app', 'PATCH', `/api/v1/tenants/${tenant.id}/settings`, '{"branding":{"":"x"}}');
    expectRefused(nested, 'validation_failed', 'branding.""', 'body');
  });

  it("answers what Node's HTTP parser refuses with the service's problem, naming the part of the request (found by the route fuzzer)", async () => {
    if (!t.app.server.listening) await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as AddressInfo).port;
    const auth = `Authorization: Bearer ${BOOTSTRAP_TOKEN}\r\n`;
    const send = async (head: Buffer | string) => {
      const answer = await rawRequest(port, typeof head === 'string' ? Buffer.from(head, 'latin1') : head);
      expect(answer.contentType, answer.raw).toBe('application/problem+json; charset=utf-8');
      return { status: answer.status, problem: JSON.parse(answer.body) as Problem };
    };
    // Raw bytes above 0x7f in the path (Fastify's default answer was {"error":"Bad Request","message":"Client Error"}).
    const bytes = await send(Buffer.concat([Buffer.from('GET /api/v1/tenants/'), Buffer.from([0xff, 0xfe]), Buffer.from(` HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${auth}\r\n`)]));
    expect(bytes).toMatchObject({ status: 400, problem: { status: 400, code: 'bad_path', instance: '/api/v1/tenants/%FF%FE', errors: [{ field: '(path)', in: 'params' }] } });
    const length = await send(`POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${auth}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`);
    expect(length).toMatchObject({ status: 400, problem: { code: 'invalid_content_length', errors: [{ field: 'content-length', in: 'headers' }] } });
    const header = await send(`GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\nConnection: close\r\nBad Header: 1\r\n\r\n`);
    expect(header).toMatchObject({ status: 400, problem: { code: 'bad_request', errors: [{ field: '(headers)', in: 'headers' }] } });
    const method = await send('FUZZ@ /api/v1/tenants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(method).toMatchObject({ status: 400, problem: { code: 'bad_request', errors: [{ field: '(request line)', in: 'request' }] } });
    // Headers over Node's 16 KiB: 431, with a code of the registry.
    const large = await send(`GET /api/v1/tenants HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(large).toMatchObject({ status: 431, problem: { status: 431, code: 'headers_too_large' } });
    // HTTP/1.1 without Host: Node's check answered an empty 400.
    const hostless = await send(`GET /api/v1/tenants HTTP/1.1\r\nConnection: close\r\n${auth}\r\n`);
    expect(hostless).toMatchObject({ status: 400, problem: { code: 'validation_failed', errors: [{ field: 'host', in: 'headers' }] } });
    // HTTP/1.0 needs none.
    expect((await rawRequest(port, Buffer.from('GET /health HTTP/1.0\r\n\r\n'))).status).toBe(200);
  });

  it('resolves an upper-case id to the same tenant for every caller', async () => {
    const upper = tenant.id.toUpperCase();
    for (const headers of [adminAuth, bearer(tenant.initialApiKey.key)]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${upper}`, headers });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ id: string }>().id).toBe(tenant.id);
    }
  });
});

describe('framework client errors', () => {
  it('keeps the status of a client error no mapping knows but answers with a code of the service', async () => {
    // Stands for a 4xx a Fastify plugin or a later Fastify may raise: clients switch on our codes only.
    const app = Fastify();
    app.setErrorHandler(handleError);
    app.get('/x', () => {
      throw Object.assign(new Error('the request is refused for a new reason'), { code: 'FST_ERR_SOMETHING_NEW', statusCode: 422 });
    });
    const res = await app.inject({ method: 'GET', url: '/x' });
    await app.close();
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json<Problem>()).toMatchObject({ status: 422, code: 'bad_request', detail: expect.stringContaining('new reason') as string });
  });
});
