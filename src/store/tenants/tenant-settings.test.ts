import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings } from '../../domain/settings.js';
import { claim, databasePerTest, newTenant } from '../../../test/support/store-operations.js';
import { readInfrastructure } from '../infrastructure/read-infrastructure.js';
import { getTenantSettings, updateTenantSettings } from './tenant-settings.js';

describe('tenant settings', () => {
  const db = databasePerTest();
  const generationOf = async (tenantId: string) => (await readInfrastructure(db(), tenantId))?.desiredState?.generation;
  const patch = (tenantId: string, body: Parameters<typeof applySettingsPatch>[1]) =>
    updateTenantSettings(db(), { tenantId, actor: 'test', change: (current) => applySettingsPatch(current, body, 'PROFESSIONAL') });

  it("move the declaration's generation when a setting changes (alert channels or tenant-config), and only then", async () => {
    const { tenant } = await newTenant(db());
    expect(await generationOf(tenant.id)).toBe(1);
    // CONFIGURE's tenant-config carries the timezone: the reconciler must bring it to the cluster.
    await patch(tenant.id, { timezone: 'Europe/Paris' });
    expect(await generationOf(tenant.id)).toBe(2);
    await patch(tenant.id, { notifications: { webhookUrl: 'https://hooks.acme.example/alerts' } });
    expect(await generationOf(tenant.id)).toBe(3);
    // The same value again changes nothing the data plane is declared with.
    await patch(tenant.id, { notifications: { webhookUrl: 'https://hooks.acme.example/alerts' } });
    await patch(tenant.id, { timezone: 'Europe/Paris' });
    expect(await generationOf(tenant.id)).toBe(3);
    await patch(tenant.id, { notifications: { alertEmail: 'oncall@acme.example' } });
    expect(await generationOf(tenant.id)).toBe(4);
  });

  it('hand the alert channels to the job that claims the tenant, for DEPLOY_MONITORING', async () => {
    const { tenant } = await newTenant(db());
    await patch(tenant.id, { notifications: { alertEmail: 'oncall@acme.example', email: true } });
    const job = await claim(db(), 'worker-a');
    expect(job.tenant.notifications).toEqual({ email: true, alertEmail: 'oncall@acme.example', webhookUrl: null });
  });

  it('read settings stored before alertEmail existed as having none', async () => {
    const { tenant } = await newTenant(db());
    const { notifications, ...rest } = defaultSettings('PROFESSIONAL');
    const old = { ...rest, notifications: { email: notifications.email, webhookUrl: null } };
    await db().updateTable('tenantSettings').set({ settings: JSON.stringify(old) }).where('tenantId', '=', tenant.id).execute();
    expect((await getTenantSettings(db(), tenant.id))?.settings.notifications).toEqual({ email: true, alertEmail: null, webhookUrl: null });
    expect((await claim(db(), 'worker-a')).tenant.notifications).toEqual({ email: true, alertEmail: null, webhookUrl: null });
    // and a patch of another field does not trip over the missing one
    expect((await patch(tenant.id, { locale: 'de-DE' }))?.settings.notifications.alertEmail).toBeNull();
  });
});
