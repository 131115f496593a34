import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CloudEvent, EventType } from '../../src/domain/events.js';
import { SYNCHRONOUS_STEPS, planFor } from '../../src/domain/plans.js';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { type ReceivedSpan, OtlpReceiver } from '../support/otlp-receiver.js';
import { type ServiceProcess, ServiceProcesses, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The control plane's own traces, end to end: the real service as a child process with the
 * standard OTEL_* variables pointing at an OTLP/HTTP receiver on loopback (as at a collector),
 * its events going to a webhook receiver, one tenant provisioned through the API by a caller that
 * sends its own `traceparent`. What an operator's tracing backend, a consumer of the events and
 * a reader of the logs see; and, with the SDK disabled, that nothing is sent and nothing breaks.
 */

const TOKEN = 'tracing-e2e-bootstrap-token-0123456789';
const SECRET = `whsec_${Buffer.from('tracing-e2e-webhook-key-0123456789').toString('base64')}`;
const WAIT_MS = 60_000;

const processes = new ServiceProcesses();
let otlp: OtlpReceiver;
let hook: WebhookReceiver;
let databaseUrl: string;

beforeEach(async () => {
  otlp = new OtlpReceiver();
  await otlp.listen();
  hook = new WebhookReceiver(SECRET);
  await hook.listen();
  databaseUrl = await createServerDatabase();
});

afterEach(async () => {
  await processes.cleanup();
  await Promise.allSettled([otlp.close(), hook.close()]);
  await dropServerDatabase(databaseUrl);
});

function startService(env: Record<string, string>): Promise<ServiceProcess> {
  return processes.start({
    env: {
      DATABASE_URL: databaseUrl,
      MATIH_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      MATIH_EVENT_SINKS: 'log,webhook',
      MATIH_WEBHOOK_URL: hook.url,
      MATIH_WEBHOOK_SECRET: SECRET,
      MATIH_POLL_MS: '100',
      MATIH_RELAY_POLL_MS: '100',
      MATIH_RECONCILE_INTERVAL_S: '0',
      MATIH_LOG_LEVEL: 'info',
      ...env,
    },
  });
}

interface Created {
  id: string;
  provisioningJobId: string;
}

/** Creates a tenant, as a caller inside a trace of its own: its `traceparent` names (trace, span). */
async function createTenant(service: ServiceProcess, traceparent?: string): Promise<Created> {
  const res = await fetch(`${service.tenantUrl}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(traceparent ? { traceparent } : {}) },
    body: JSON.stringify(tenantBody()),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

/** Waits for the job's end and for tenant.provisioned at the receiver; returns the tenant's events. */
async function provisioned(service: ServiceProcess, tenantId: string): Promise<CloudEvent[]> {
  const end = await waitFor(
    async () => {
      const res = await httpJson<{ status: string; job: { status: string } }>(`${service.tenantUrl}/api/v1/tenants/${tenantId}/provisioning/status`, { token: TOKEN });
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(res.body.job.status) ? res.body : undefined;
    },
    WAIT_MS,
    `the provisioning of ${tenantId} to end`,
  );
  expect(end.status).toBe('ACTIVE');
  return waitFor(
    async () => {
      const events = hook.delivered(`tenant/${tenantId}`);
      return events.some((e) => e.type === EventType.TENANT_PROVISIONED) ? events : undefined;
    },
    WAIT_MS,
    'tenant.provisioned at the webhook receiver',
  );
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

function only(spans: readonly ReceivedSpan[], what: string): ReceivedSpan {
  expect(spans, what).toHaveLength(1);
  return spans[0]!;
}

describe("the control plane's traces", () => {
  it('make one provisioning one trace: the request, the job, its step attempts and their driver calls; events and logs carry it', async () => {
    const service = await startService({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const tenant = await createTenant(service, `00-${traceId}-${callerSpan}-01`);
    const events = await provisioned(service, tenant.id);
    // SIGTERM: the SDK's shutdown exports what it still holds before the process exits.
    expect((await service.stop()).code).toBe(0);

    expect(otlp.refused).toBe(0);
    const trace = otlp.spans.filter((s) => s.traceId === traceId);
    const named = (name: string) => trace.filter((s) => s.name === name);
    const request = only(named('POST /api/v1/tenants'), 'the create request span');
    expect(request).toMatchObject({ parentSpanId: callerSpan, kind: 2, serviceName: 'matih-control-plane' });
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/api/v1/tenants', 'http.response.status_code': 201 });

    // Every span of the job, in whichever trace: all in the caller's, the job's run under the request.
    const ofJob = otlp.spans.filter((s) => s.attributes['job.id'] === tenant.provisioningJobId);
    expect(ofJob.every((s) => s.traceId === traceId)).toBe(true);
    const job = only(named('job PROVISION'), 'one run of the job');
    expect(job.parentSpanId).toBe(request.spanId);
    expect(job.attributes).toMatchObject({ 'job.id': tenant.provisioningJobId, 'job.kind': 'PROVISION', 'tenant.id': tenant.id });

    const plan = planFor('PROFESSIONAL').steps.filter((s) => !SYNCHRONOUS_STEPS.has(s.name)).map((s) => s.name);
    const steps = trace.filter((s) => s.name.startsWith('step '));
    expect(steps.map((s) => s.attributes['step.name']).sort()).toEqual([...plan].sort());
    for (const step of steps) {
      expect(step.parentSpanId, step.name).toBe(job.spanId);
      expect(step.attributes).toMatchObject({ attempt: 1, 'tenant.id': tenant.id, 'job.id': tenant.provisioningJobId, 'step.outcome': 'succeeded' });
    }

    // Driver calls are children of the step attempt that made them.
    const stepOf = new Map(steps.map((s) => [s.spanId, String(s.attributes['step.name'])]));
    const drivers = trace.filter((s) => s.name.startsWith('driver.'));
    for (const call of drivers) expect(stepOf.has(call.parentSpanId ?? ''), `${call.name} under a step`).toBe(true);
    const callsOf = (step: string) => drivers.filter((d) => stepOf.get(d.parentSpanId ?? '') === step).map((d) => d.name);
    expect(callsOf('CREATE_NAMESPACE')).toContain('driver.cluster.apply');
    expect(callsOf('SETUP_DATABASE').some((n) => n.startsWith('driver.tenant-database.'))).toBe(true);
    expect(callsOf('CREATE_DNS_ZONE').some((n) => n.startsWith('driver.dns.'))).toBe(true);
    expect(drivers.every((d) => d.kind === 3)).toBe(true);

    // The events carry the trace context of what wrote them: the request, then each step's commit.
    const spanOfStep = (name: string) => only(steps.filter((s) => s.attributes['step.name'] === name), name).spanId;
    expect(events.find((e) => e.type === EventType.TENANT_CREATED)?.traceparent).toBe(`00-${traceId}-${request.spanId}-01`);
    const namespaceDone = events.find((e) => e.type === EventType.PROVISIONING_STEP_COMPLETED && e.data.step === 'CREATE_NAMESPACE');
    expect(namespaceDone?.traceparent).toBe(`00-${traceId}-${spanOfStep('CREATE_NAMESPACE')}-01`);
    expect(events.find((e) => e.type === EventType.TENANT_PROVISIONED)?.traceparent).toBe(`00-${traceId}-${spanOfStep('ACTIVATE')}-01`);

    // And the log line of the job's end names its trace and span.
    const done = logLines(service.stdout()).find((l) => l.msg === 'job succeeded' && l.jobId === tenant.provisioningJobId);
    expect(done).toMatchObject({ trace_id: traceId, span_id: job.spanId });
  }, 180_000);

  it('are not sent, and change nothing else, with the SDK disabled', async () => {
    const service = await startService({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SDK_DISABLED: 'true' });
    const tenant = await createTenant(service, `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`);
    const events = await provisioned(service, tenant.id);
    expect((await service.stop()).code).toBe(0);

    expect(otlp.spans).toEqual([]);
    expect(otlp.refused).toBe(0);
    expect(events.length).toBeGreaterThan(5);
    expect(events.filter((e) => 'traceparent' in e)).toEqual([]);
    const lines = logLines(service.stdout());
    expect(lines.some((l) => l.msg === 'job succeeded')).toBe(true);
    expect(lines.filter((l) => 'trace_id' in l)).toEqual([]);
    expect(lines.some((l) => l.msg === 'exporting traces over OTLP')).toBe(false);
  }, 180_000);
});
