import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine } from '../../src/app.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { type TestApp, adminAuth, engineConfig, startTestApp } from '../support/test-app.js';

/**
 * The API's answers to one scripted walk through a tenant's life (create, provision, update,
 * suspend, reactivate, deprovision, provision again, delete) and the refusals on the way, kept as
 * a file snapshot. A restructuring of the engine or the store must leave these bodies as they are:
 * a change here is a change clients see. Values that differ on every run (ids, times, secrets,
 * durations) are replaced by stable placeholders, ids numbered in order of first appearance so
 * that a body naming the wrong job still shows. The app's own worker does not run: each job is run
 * by a worker started for it once the requests about it have been answered, so that no answer
 * depends on how far a worker got in the meantime.
 */

const LONG = 120_000;

const FIXED = {
  name: 'Snapshot Tenant',
  tier: 'PROFESSIONAL',
  adminEmail: 'admin@snapshot.example',
  cloudProvider: 'AZURE',
  region: 'eastus',
};

class Normaliser {
  private readonly ids = new Map<string, string>();

  constructor(private readonly slug: string) {}

  body(res: LightMyRequestResponse): unknown {
    const text = res.body.length === 0 ? 'null' : res.body;
    return this.value(JSON.parse(text) as unknown, '');
  }

  private value(value: unknown, key: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.value(v, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v, k)]));
    }
    // The audit archive holds times and ids, so its checksum and temporary path differ per run.
    if (key === 'sha256' || key === 'bytes') return `<${key}>`;
    if (typeof value === 'number' && /duration|Ms$|seq|lastSequence/i.test(key)) return '<number>';
    if (typeof value !== 'string') return value;
    if (/^(key|confirmationCode|token|accessToken)$/.test(key)) return '<secret>';
    if (key === 'requestId') return '<request>';
    if (key === 'archive') return this.value(value.replace(/^.*\/tenants\//, '<archive-dir>/tenants/'), '');
    return value
      .replaceAll(this.slug, '<slug>')
      // The tenant database's names: the slug in SQL spelling, behind the test database's role prefix.
      .replaceAll(this.slug.replaceAll('-', '_'), '<slug>')
      .replace(/\bt[0-9a-f]{12}_/g, '<prefix>_')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
        if (!this.ids.has(id)) this.ids.set(id, `<id:${this.ids.size + 1}>`);
        return this.ids.get(id) ?? id;
      });
  }
}

describe('API answers to a tenant life, as a snapshot', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 0, owner: 'snapshot-worker', concurrency: 0 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it(
    'answers every request of the walk with the bodies recorded',
    async () => {
      const slug = `snap-${process.pid}-${Date.now().toString(36)}`;
      const n = new Normaliser(slug);
      const recorded: { request: string; status: number; body: unknown }[] = [];
      const send = async (server: 'app' | 'infra', method: string, url: string, payload?: unknown, headers: Record<string, string> = adminAuth) => {
        const res = await t[server].inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
        const shown = subject.id === '' ? url : url.replaceAll(subject.id, '<tenant>');
        recorded.push({ request: `${server} ${method} ${shown}`, status: res.statusCode, body: n.body(res) });
        return res;
      };
      // The tenant the walk is about, known once the create answers.
      const subject = { id: '' };
      const tenant = (rest = '') => `/api/v1/tenants/${subject.id}${rest}`;
      const infra = (rest = '') => `/api/v1/infrastructure/tenants/${subject.id}${rest}`;
      /** Runs the tenant's job to its end with a worker of its own, as the service's worker would. */
      const runJob = async () => {
        const engine = await buildEngine(t.database.db, engineConfig({ delayMs: 0 }, t.database), pino({ level: 'silent' }), { owner: 'snapshot-worker' });
        engine.worker.start();
        try {
          await waitForJobEnd(t.app, subject.id);
        } finally {
          await engine.stop();
        }
      };
      const settle = async () => {
        await runJob();
        await send('app', 'GET', tenant('/provisioning/status'));
        await send('app', 'GET', tenant());
      };

      const created = await send('app', 'POST', '/api/v1/tenants', { ...FIXED, slug });
      expect(created.statusCode, created.body).toBe(201);
      subject.id = created.json<{ id: string }>().id;
      await send('app', 'POST', '/api/v1/tenants', { ...FIXED, slug });
      await settle();
      await send('infra', 'GET', infra());

      // Refusals of an ACTIVE tenant.
      await send('app', 'POST', tenant('/reactivate'), {});
      await send('app', 'POST', tenant('/provisioning/retry'), {});
      await send('app', 'PATCH', tenant(), { tier: 'ENTERPRISE' });
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: -1 } });

      // Update.
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: 150 } });
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: 160 } });
      await settle();
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: 150 } });
      await settle();
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: 150 } });

      // Suspend and reactivate.
      await send('app', 'POST', tenant('/suspend'), { reason: 'unpaid' });
      await send('app', 'POST', tenant('/suspend'), {});
      await settle();
      await send('app', 'POST', tenant('/suspend'), {});
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: 170 } });
      await send('infra', 'POST', infra('/provision'), { tier: 'professional', region: 'eastus', cloudProvider: 'AZURE' });
      await send('app', 'POST', tenant('/reactivate'), {});
      await settle();
      await send('app', 'POST', tenant('/reactivate'), {});

      // The infrastructure API: an update by PUT, a deprovision, a provision again.
      await send('infra', 'PUT', infra(), { tier: 'professional', configuration: { storageGb: 180 } });
      await settle();
      await send('infra', 'POST', infra('/provision'), { tier: 'professional', region: 'westeurope', cloudProvider: 'AZURE' });
      await send('infra', 'DELETE', infra());
      await send('infra', 'DELETE', infra());
      await settle();
      await send('infra', 'DELETE', infra());
      await send('app', 'POST', tenant('/suspend'), {});
      await send('app', 'PATCH', tenant(), { configuration: { storageGb: 190 } });
      await send('infra', 'POST', infra('/provision'), { tier: 'professional', region: 'eastus', cloudProvider: 'AZURE' });
      await settle();
      await send('infra', 'GET', infra('/transitions?limit=100'));

      // Delete.
      await send('app', 'DELETE', tenant(), { confirmationCode: 'not-a-code' });
      const request = await send('app', 'POST', tenant('/deletion-requests'), {});
      const code = request.json<{ confirmationCode: string }>().confirmationCode;
      await send('app', 'DELETE', tenant(), { confirmationCode: code });
      await send('app', 'DELETE', tenant(), { confirmationCode: code });
      await send('app', 'POST', tenant('/deletion-requests'), {});
      await send('app', 'POST', tenant('/suspend'), {});
      await runJob();
      await send('app', 'GET', tenant('/provisioning/status'));
      await send('app', 'GET', tenant());
      await send('app', 'POST', tenant('/suspend'), {});
      await send('app', 'GET', tenant('/provisioning/history?limit=1000'));

      await expect(JSON.stringify(recorded, null, 2)).toMatchFileSnapshot('./__snapshots__/tenant-life-responses.json');
    },
    LONG,
  );
});
