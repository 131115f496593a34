import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGGER_OPTIONS } from '../../src/app.js';
import { loggedUrl } from '../../src/api/request-log.js';
import { type TestApp, BOOTSTRAP_TOKEN, adminAuth, bearer, startTestApp, tenantBody } from '../support/test-app.js';

describe('logs never carry credentials', () => {
  const lines: string[] = [];
  let t: TestApp;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // The production logger's redaction, at the most verbose level.
    const logger = pino({ level: 'trace', ...LOGGER_OPTIONS }, sink);
    t = await startTestApp({ logger });
  });
  afterAll(async () => {
    await t.close();
  });

  it('across create, token exchange, authenticated calls and failures', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: adminAuth, payload: tenantBody() });
    expect(created.statusCode).toBe(201);
    const { id, initialApiKey } = created.json<{ id: string; initialApiKey: { key: string } }>();
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: initialApiKey.key } })).json<{
      accessToken: string;
    }>().accessToken;
    await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${id}`, headers: bearer(token) });
    await t.app.inject({ method: 'GET', url: `/api/v1/tenants/${id}`, headers: bearer(`${initialApiKey.key}x`) });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: `${initialApiKey.key.slice(0, -2)}zz` } });

    const log = lines.join('');
    expect(log).toContain('tenant created');
    expect(log.length).toBeGreaterThan(1000);
    for (const secret of [BOOTSTRAP_TOKEN, initialApiKey.key.slice(-43), token.split('.')[2]!]) {
      expect(log).not.toContain(secret);
    }
  });

  it("keeps an OpenID Provider's authorization code and state out of the access log", async () => {
    const code = 'SplxlOBeZQQYbYS6WxSbIA-authorization-code';
    const state = 'af0ifjsldkj-state-value';
    lines.length = 0;
    // Where the provider sends the browser back to the dashboard (ui/src/sso.ts).
    await t.app.inject({ method: 'GET', url: `/?code=${code}&state=${state}&iss=https%3A%2F%2Fidp.example` });
    const log = lines.join('');
    expect(log).toContain('request completed');
    expect(log).toContain('code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp.example');
    expect(log).not.toContain(code);
    expect(log).not.toContain(state);
  });

  it('redacts secret query parameters whatever their case or escaping, and nothing else', () => {
    expect(loggedUrl('/api/v1/tenants?limit=5&q=acme')).toBe('/api/v1/tenants?limit=5&q=acme');
    expect(loggedUrl('/x?Access_Token=abc&%63ode=def&a=1')).toBe('/x?Access_Token=[redacted]&%63ode=[redacted]&a=1');
    expect(loggedUrl('/x?token')).toBe('/x?token=[redacted]');
    expect(loggedUrl('/x?%zz=1&key=2')).toBe('/x?%zz=1&key=[redacted]');
    expect(loggedUrl('/plain')).toBe('/plain');
  });
});
