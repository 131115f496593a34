import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInfrastructure } from '../../src/store/infrastructure/read-infrastructure.js';
import { type CreatedTenantResponse, type TestApp, adminAuth, bearer, createTenantViaApi, startTestApp } from '../support/test-app.js';

interface Versioned {
  version: number;
  settings: { timezone: string; queryTimeoutSeconds: number; branding: { primaryColor: string; displayName: string | null } };
}
interface Problem {
  code: string;
  errors?: { field: string; in: string }[];
}

describe('tenant settings API', () => {
  let t: TestApp;
  let tenant: CreatedTenantResponse;
  const url = () => `/api/v1/tenants/${tenant.id}/settings`;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantViaApi(t.app, { tier: 'FREE' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('starts with the tier defaults at version 1, with the version as ETag', async () => {
    const res = await t.app.inject({ method: 'GET', url: url(), headers: adminAuth });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json<Versioned>()).toMatchObject({ version: 1, settings: { timezone: 'UTC', queryTimeoutSeconds: 30 } });
  });

  it('applies a merge patch from the tenant admin, keeping untouched fields, and records who changed it', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: url(),
      headers: { ...bearer(tenant.initialApiKey.key), 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ timezone: 'Europe/Paris', branding: { displayName: 'Acme' } }),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Versioned & { updatedBy: string }>();
    expect(body.settings.timezone).toBe('Europe/Paris');
    expect(body.settings.branding).toMatchObject({ displayName: 'Acme', primaryColor: '#2563eb' });
    expect(body.updatedBy).toBe(`api-key:${tenant.initialApiKey.id}`);
    const again = await t.app.inject({ method: 'GET', url: url(), headers: adminAuth });
    expect(again.json<Versioned>()).toMatchObject({ version: body.version, settings: { timezone: 'Europe/Paris' } });
  });

  it('refuses a stale If-Match with 412 and changes nothing', async () => {
    const current = (await t.app.inject({ method: 'GET', url: url(), headers: adminAuth })).json<Versioned>();
    const stale = await t.app.inject({
      method: 'PATCH',
      url: url(),
      headers: { ...adminAuth, 'if-match': `"${current.version - 1}"` },
      payload: { timezone: 'Asia/Tokyo' },
    });
    expect(stale.statusCode).toBe(412);
    const ok = await t.app.inject({ method: 'PATCH', url: url(), headers: { ...adminAuth, 'if-match': `"${current.version}"` }, payload: { timezone: 'Asia/Tokyo' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe(`"${current.version + 1}"`);
  });

  it('rejects bad values, unknown fields and empty patches with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ queryTimeoutSeconds: 61 }, 'queryTimeoutSeconds'],
      [{ timezone: 'Nowhere/Land' }, 'timezone'],
      [{ branding: { primaryColor: 'blue' } }, 'branding.primaryColor'],
      [{ branding: { fontSize: 3 } }, 'branding.fontSize'],
      [{ colour: 'red' }, 'colour'],
      [{ queryTimeoutSeconds: '30' }, 'queryTimeoutSeconds'],
      [{ notifications: { alertEmail: 'oncall at acme' } }, 'notifications.alertEmail'],
      [{ notifications: { webhookUrl: 'http://hooks.acme.example/alerts' } }, 'notifications.webhookUrl'],
      // The platform's Alertmanager calls it: nothing inside the platform.
      [{ notifications: { webhookUrl: 'https://169.254.169.254/latest/meta-data/' } }, 'notifications.webhookUrl'],
      [{ notifications: { webhookUrl: 'https://kubernetes.default.svc/api' } }, 'notifications.webhookUrl'],
      [{ notifications: { slackChannel: '#alerts' } }, 'notifications.slackChannel'],
    ];
    for (const [payload, field] of cases) {
      const res = await t.app.inject({ method: 'PATCH', url: url(), headers: adminAuth, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json<Problem>().errors?.map((e) => e.field)).toContain(field);
    }
    const empty = await t.app.inject({ method: 'PATCH', url: url(), headers: adminAuth, payload: {} });
    expect(empty.statusCode).toBe(400);
    const badEtag = await t.app.inject({ method: 'PATCH', url: url(), headers: { ...adminAuth, 'if-match': 'yesterday' }, payload: { timezone: 'UTC' } });
    expect(badEtag.statusCode).toBe(400);
    expect(badEtag.json<Problem>().errors?.[0]).toMatchObject({ field: 'If-Match', in: 'headers' });
  });

  it("takes the alert channels (an alert email, an https webhook), and moves the tenant's declaration so its routing follows", async () => {
    const generation = async () => (await readInfrastructure(t.database.db, tenant.id))?.desiredState?.generation ?? 0;
    const initial = (await t.app.inject({ method: 'GET', url: url(), headers: adminAuth })).json<{ settings: { notifications: unknown } }>();
    expect(initial.settings.notifications).toEqual({ email: true, alertEmail: null, webhookUrl: null });
    const before = await generation();
    const notifications = { alertEmail: 'oncall@acme.example', webhookUrl: 'https://hooks.acme.example/alerts' };
    const res = await t.app.inject({ method: 'PATCH', url: url(), headers: { ...bearer(tenant.initialApiKey.key) }, payload: { notifications } });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ settings: { notifications: unknown } }>().settings.notifications).toEqual({ email: true, ...notifications });
    expect(await generation()).toBe(before + 1);
    // Back to the admin's address: null clears it.
    const cleared = await t.app.inject({ method: 'PATCH', url: url(), headers: adminAuth, payload: { notifications: { alertEmail: null } } });
    expect(cleared.json<{ settings: { notifications: unknown } }>().settings.notifications).toEqual({ email: true, alertEmail: null, webhookUrl: notifications.webhookUrl });
    expect(await generation()).toBe(before + 2);
  });

  it('answers 404 for settings of a tenant that does not exist', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/tenants/00000000-0000-7000-8000-000000000000/settings', headers: adminAuth });
    expect(res.statusCode).toBe(404);
  });
});
