import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CloudEvent, EventType } from '../../src/domain/events.js';
import { SYNCHRONOUS_STEPS, StepName } from '../../src/domain/plans.js';
import { openDatabase } from '../../src/store/open-database.js';
import { MailCatcher } from '../support/mail-server.js';
import { type ServiceProcess, ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { type WebhookRequest, WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Lifecycle events end to end: the real service as a child process, with its webhook sink
 * pointed at a receiver on loopback and its notifier at an SMTP server on loopback. What a
 * customer's receiver and a tenant admin's mailbox see, and nothing else.
 */

const TOKEN = 'events-e2e-bootstrap-token-0123456789';
/** A Standard Webhooks secret: whsec_ and the base64 of a 32-byte key. */
const SECRET = `whsec_${Buffer.from('events-e2e-webhook-key-0123456789').toString('base64')}`;
const WAIT_MS = 60_000;

interface Created {
  id: string;
  name: string;
  slug: string;
  adminEmail: string;
}
interface Status {
  status: string;
  errorMessage: string | null;
  job: { status: string };
  steps: { name: string; position: number; status: string }[];
}
interface HistoryEntry {
  seq: number;
  trigger: string;
  step: string | null;
}

const processes = new ServiceProcesses();
let receiver: WebhookReceiver | undefined;
let mail: MailCatcher | undefined;

beforeEach(async () => {
  receiver = new WebhookReceiver(SECRET);
  await receiver.listen();
  mail = new MailCatcher();
  await mail.listen();
});

afterEach(async () => {
  await processes.cleanup();
  await Promise.allSettled([receiver?.close(), mail?.close()]);
  receiver = undefined;
  mail = undefined;
});

function hook(): WebhookReceiver {
  if (!receiver) throw new Error('no webhook receiver');
  return receiver;
}

function smtp(): MailCatcher {
  if (!mail) throw new Error('no SMTP server');
  return mail;
}

function startService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  return processes.start({
    env: {
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      MATIH_EVENT_SINKS: 'log,webhook',
      MATIH_WEBHOOK_URL: hook().url,
      MATIH_WEBHOOK_SECRET: SECRET,
      MATIH_NOTIFIER: 'smtp',
      MATIH_SMTP_URL: smtp().url,
      MATIH_RETRY_BACKOFF: '1',
      MATIH_RELAY_POLL_MS: '100',
      MATIH_POLL_MS: '100',
      MATIH_LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

async function createTenant(service: ServiceProcess): Promise<Created> {
  const res = await httpJson<Created>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token: TOKEN, body: tenantBody() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function statusOf(service: ServiceProcess, id: string): Promise<Status> {
  const res = await httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, { token: TOKEN });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The status once the job has ended, whichever way it ended. */
function provisioningEnd(service: ServiceProcess, id: string): Promise<Status> {
  return waitFor(
    async () => {
      const status = await statusOf(service, id);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status.job.status) ? status : undefined;
    },
    WAIT_MS,
    `the provisioning job of ${id} to end`,
  );
}

async function historyOf(service: ServiceProcess, id: string): Promise<HistoryEntry[]> {
  const res = await httpJson<{ items: HistoryEntry[] }>(`${service.tenantUrl}/api/v1/tenants/${id}/provisioning/history?limit=1000`, { token: TOKEN });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** The events the history says were written, in its order: one per step completed, one at the end. */
function expectedEvents(history: HistoryEntry[]): string[] {
  return [
    EventType.TENANT_CREATED,
    ...history.flatMap((h) => {
      // ACTIVATE completes in the same commit as the job; its event is tenant.provisioned.
      if (h.trigger === 'step.completed' && h.step !== StepName.ACTIVATE) return [`${EventType.PROVISIONING_STEP_COMPLETED} ${h.step ?? ''}`];
      if (h.trigger === 'job.succeeded') return [EventType.TENANT_PROVISIONED];
      if (h.trigger === 'job.failed') return [EventType.PROVISIONING_FAILED];
      return [];
    }),
  ];
}

function describeEvent(event: CloudEvent): string {
  return event.type === EventType.PROVISIONING_STEP_COMPLETED ? `${event.type} ${String(event.data.step)}` : event.type;
}

/** Waits until the receiver has accepted an event of `type` about the tenant; returns the tenant's events. */
function deliveredUntil(tenantId: string, type: string): Promise<CloudEvent[]> {
  return waitFor(
    async () => {
      const events = hook().delivered(`tenant/${tenantId}`);
      return events.some((e) => e.type === type) ? events : undefined;
    },
    WAIT_MS,
    `${type} of tenant ${tenantId} at the webhook receiver`,
  );
}

function expectSignedCloudEvents(requests: readonly WebhookRequest[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) {
    expect(r.path).toBe(hook().path);
    expect(r.validSignature, `signature of ${r.body}`).toBe(true);
    expect(r.headers['content-type']).toBe('application/cloudevents+json');
    expect(r.headers['webhook-id']).toBe(r.event?.id);
    expect(r.event).toMatchObject({ specversion: '1.0', source: '/matih/control-plane', datacontenttype: 'application/json' });
  }
}

async function mailsTo(address: string, count: number): Promise<ReturnType<MailCatcher['to']>> {
  return waitFor(async () => (smtp().to(address).length >= count ? smtp().to(address) : undefined), WAIT_MS, `${count} email(s) to ${address}`);
}

/**
 * Reads the service's outbox (on its embedded server), then stops it: every event written for
 * each tenant reached the receiver (no id missing, none extra, same order) and is recorded as
 * delivered.
 */
async function expectOutboxDelivered(service: ServiceProcess, delivered: ReadonlyMap<string, CloudEvent[]>): Promise<void> {
  const url = (await readFile(path.join(service.dataDir, 'postgres.url'), 'utf8')).trim();
  const database = openDatabase({ url, poolSize: 2, kind: 'external' });
  try {
    for (const [tenantId, events] of delivered) {
      const read = () =>
        database.db.selectFrom('outbox').select(['eventId', 'type', 'deliveredAt']).where('aggregateId', '=', tenantId).orderBy('id').execute();
      // The receiver has them all; the relay records each delivery just after its 2xx.
      const rows = await waitFor(async () => {
        const found = await read();
        return found.every((r) => r.deliveredAt !== null) ? found : undefined;
      }, WAIT_MS, `the deliveries of ${tenantId} to be recorded`).catch(read);
      expect(rows.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
      expect(rows.filter((r) => r.deliveredAt === null)).toEqual([]);
    }
  } finally {
    await database.close();
  }
  expect((await service.stop()).code).toBe(0);
}

describe('lifecycle events from the service process to a webhook receiver and the admin mailbox', () => {
  it('delivers each event of a provisioned tenant once, signed, in history order, and welcomes the admin', async () => {
    const service = await startService();
    const tenant = await createTenant(service);
    const status = await provisioningEnd(service, tenant.id);
    expect(status.status).toBe('ACTIVE');

    const events = await deliveredUntil(tenant.id, EventType.TENANT_PROVISIONED);
    const history = await historyOf(service, tenant.id);
    expect(events.map(describeEvent)).toEqual(expectedEvents(history));
    // One step_completed per step the engine ran (ACTIVATE's completion is tenant.provisioned).
    const asyncSteps = [...status.steps]
      .sort((a, b) => a.position - b.position)
      .filter((s) => !SYNCHRONOUS_STEPS.has(s.name as StepName) && s.name !== StepName.ACTIVATE)
      .map((s) => s.name);
    expect(asyncSteps.length).toBeGreaterThan(5);
    expect(events.filter((e) => e.type === EventType.PROVISIONING_STEP_COMPLETED).map((e) => e.data.step)).toEqual(asyncSteps);
    expectSignedCloudEvents(hook().requestsFor(`tenant/${tenant.id}`));

    const provisioned = events.at(-1);
    expect(provisioned?.data).toMatchObject({ adminEmail: tenant.adminEmail, tenant: { id: tenant.id, status: 'ACTIVE' } });
    const [welcome, ...more] = await mailsTo(tenant.adminEmail, 1);
    expect(more).toEqual([]);
    expect(welcome?.parsed.subject).toBe(`[MATIH] Tenant ${tenant.name} (${tenant.slug}) is ready`);
    expect(welcome?.parsed.messageId).toBe(`<${provisioned?.id}@matih.events>`);
    expect(welcome?.parsed.text).toContain(tenant.id);

    await expectOutboxDelivered(service, new Map([[tenant.id, events]]));
  }, 120_000);

  it('reports a provisioning that fails for good: status API, tenant.provisioning.failed, and an email with the reason', async () => {
    const service = await startService({ MATIH_SIM_FAULTS: 'CREATE_DNS_ZONE=permanent' });
    const tenant = await createTenant(service);
    const status = await provisioningEnd(service, tenant.id);
    expect(status.status).toBe('FAILED');
    expect(status.job.status).toBe('FAILED');
    expect(status.errorMessage).toContain('CREATE_DNS_ZONE');

    const events = await deliveredUntil(tenant.id, EventType.PROVISIONING_FAILED);
    expect(events.map(describeEvent)).toEqual(expectedEvents(await historyOf(service, tenant.id)));
    expect(events.map((e) => e.type)).not.toContain(EventType.TENANT_PROVISIONED);
    expectSignedCloudEvents(hook().requestsFor(`tenant/${tenant.id}`));
    const failed = events.at(-1);
    expect(failed?.type).toBe(EventType.PROVISIONING_FAILED);
    expect(failed?.data).toMatchObject({ tenantId: tenant.id, adminEmail: tenant.adminEmail, failedStep: StepName.CREATE_DNS_ZONE, reason: status.errorMessage });
    const reason = String(failed?.data.reason);
    expect(reason).toContain('CREATE_DNS_ZONE');

    const [notice, ...more] = await mailsTo(tenant.adminEmail, 1);
    expect(more).toEqual([]);
    expect(notice?.parsed.subject).toBe(`[MATIH] Provisioning of tenant ${tenant.name} (${tenant.slug}) failed`);
    expect(notice?.parsed.messageId).toBe(`<${failed?.id}@matih.events>`);
    expect(notice?.parsed.text).toContain(`Reason: ${reason}`);
    expect(notice?.parsed.text).toContain(`at step ${StepName.CREATE_DNS_ZONE}`);
  }, 120_000);

  it('loses no event while the receiver refuses (503) and then is gone, and redelivers in order per tenant once it is back', async () => {
    const service = await startService();
    const webhook = hook();
    webhook.status = 503;
    const tenants = [await createTenant(service), await createTenant(service)];
    // Provisioning does not wait for the webhook: both tenants finish while every delivery is refused.
    for (const t of tenants) expect((await provisioningEnd(service, t.id)).status).toBe('ACTIVE');
    await waitFor(
      async () => (tenants.every((t) => webhook.requestsFor(`tenant/${t.id}`).length > 0) ? true : undefined),
      WAIT_MS,
      'a refused delivery for each tenant',
    );
    // Each tenant's first event holds back the rest: only tenant.created was offered, and refused.
    for (const t of tenants) {
      const offered = webhook.requestsFor(`tenant/${t.id}`);
      expect(new Set(offered.map((r) => `${r.event?.type} ${r.status}`))).toEqual(new Set([`${EventType.TENANT_CREATED} 503`]));
    }
    expect(webhook.delivered()).toEqual([]);

    // Now the receiver is gone altogether: the next attempt for each tenant finds the port closed.
    const logged = service.stdout().length;
    await webhook.close();
    const refusedConnection = (id: string) => service.stdout().slice(logged).split('\n').some((l) => l.includes(id) && l.includes('ECONNREFUSED'));
    await waitFor(async () => (tenants.every((t) => refusedConnection(t.id)) ? true : undefined), 90_000, 'attempts to the closed receiver');

    webhook.status = 204;
    await webhook.listen(webhook.port);
    const delivered = new Map<string, CloudEvent[]>();
    for (const t of tenants) {
      const refused = webhook.requestsFor(`tenant/${t.id}`)[0]?.event;
      const events = await deliveredUntil(t.id, EventType.TENANT_PROVISIONED);
      expect(events.map(describeEvent)).toEqual(expectedEvents(await historyOf(service, t.id)));
      // The event redelivered is the one refused, not a new one.
      expect(events[0]?.id).toBe(refused?.id);
      expectSignedCloudEvents(webhook.requestsFor(`tenant/${t.id}`));
      delivered.set(t.id, events);
    }
    for (const t of tenants) expect(await mailsTo(t.adminEmail, 1)).toHaveLength(1);

    await expectOutboxDelivered(service, delivered);
  }, 180_000);
});
