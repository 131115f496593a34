import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED_PATHS } from '../../src/app.js';
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
    const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
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
});
