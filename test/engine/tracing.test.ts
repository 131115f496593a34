import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StepStatus } from '../../src/domain/progress.js';
import { DriverError } from '../../src/drivers/contract.js';
import { type EngineTelemetry, NO_ENGINE_TELEMETRY } from '../../src/engine/engine-telemetry.js';
import { instrumentDriver } from '../../src/engine/instrument-drivers.js';
import { StepAttempt, inJobSpan } from '../../src/engine/job-spans.js';
import {
  contextOfTraceparent,
  currentTraceparent,
  formatTraceparent,
  inSpan,
  parseTraceparent,
  traceLogFields,
} from '../../src/shared/tracing.js';
import type { ClaimedJob } from '../../src/store/engine/job-types.js';

/**
 * The tracing vocabulary (shared/tracing.ts), the driver spans (engine/instrument-drivers.ts) and
 * a job's spans (engine/job-spans.ts) with the real SDK of this process exporting to memory, as
 * build-tracing.ts starts it but for the exporter. (Each test file runs in a process of its own:
 * the SDK registered here is seen by no other file.)
 */

const exporter = new InMemorySpanExporter();
const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(exporter)], metricReaders: [], logRecordProcessors: [], autoDetectResources: false });

beforeAll(() => sdk.start());
afterAll(async () => {
  await sdk.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

function spanNamed(name: string): ReadableSpan {
  const found = exporter.getFinishedSpans().filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`${found.length} spans named ${name}: ${exporter.getFinishedSpans().map((s) => s.name).join(', ')}`);
  return found[0]!;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('traceparent', () => {
  it('is written and read back as W3C Trace Context version 00', () => {
    const sc = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const text = formatTraceparent(sc);
    expect(text).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(parseTraceparent(text)).toEqual({ ...sc, isRemote: true });
  });

  it('refuses what is malformed: all-zero ids, version ff, wrong lengths', () => {
    expect(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01')).toBeUndefined();
    expect(parseTraceparent('ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01')).toBeUndefined();
    expect(trace.getSpanContext(contextOfTraceparent('garbage'))).toBeUndefined();
    expect(trace.getSpanContext(contextOfTraceparent(null))).toBeUndefined();
  });

  it('of the active span is what a job or an event stores, and what log lines carry', async () => {
    expect(currentTraceparent()).toBeUndefined();
    expect(traceLogFields()).toEqual({});
    await inSpan('outer', {}, async (span) => {
      await Promise.resolve();
      const sc = span.spanContext();
      expect(currentTraceparent()).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
      expect(traceLogFields()).toEqual({ trace_id: sc.traceId, span_id: sc.spanId });
    });
  });
});

class FakeDriver {
  readonly kind = 'fake';
  #calls = 0;

  async ok(value: string): Promise<string> {
    this.#calls++;
    return `${value}:${this.#calls}`;
  }

  async refuse(retryable: boolean): Promise<void> {
    throw new DriverError('refused', retryable);
  }

  async crash(): Promise<void> {
    throw new Error('socket hang up');
  }

  throwsAtOnce(): number {
    throw new DriverError('bad input', false);
  }
}

function countingTelemetry(): EngineTelemetry & { failures: [string, boolean][] } {
  const failures: [string, boolean][] = [];
  return { ...NO_ENGINE_TELEMETRY, failures, driverFailed: (driver, retryable) => failures.push([driver, retryable]) };
}

describe('an instrumented driver', () => {
  it('makes each call a client span, a child of the span calling it, and is otherwise the driver itself', async () => {
    const original = new FakeDriver();
    const driver = instrumentDriver('fake', original, NO_ENGINE_TELEMETRY);
    await inSpan('step X', {}, async () => {
      expect(await driver.ok('a')).toBe('a:1');
      expect(await driver.ok('b')).toBe('b:2');
    });
    expect(driver).toBeInstanceOf(FakeDriver);
    expect(driver.kind).toBe('fake');
    const step = spanNamed('step X');
    const calls = exporter.getFinishedSpans().filter((s) => s.name === 'driver.fake.ok');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(parentOf(call)).toBe(step.spanContext().spanId);
      expect(call.spanContext().traceId).toBe(step.spanContext().traceId);
      expect(call.attributes).toMatchObject({ 'driver.name': 'fake', 'driver.method': 'ok' });
      expect(call.status.code).not.toBe(SpanStatusCode.ERROR);
    }
  });

  it('marks failed calls and counts them by whether a retry may help, handing the error on unchanged', async () => {
    const telemetry = countingTelemetry();
    const driver = instrumentDriver('fake', new FakeDriver(), telemetry);
    await expect(driver.refuse(true)).rejects.toThrow('refused');
    await expect(driver.refuse(false)).rejects.toBeInstanceOf(DriverError);
    // An error no driver classified is taken as retryable, as the engine takes it.
    await expect(driver.crash()).rejects.toThrow('socket hang up');
    expect(() => driver.throwsAtOnce()).toThrow('bad input');
    expect(telemetry.failures).toEqual([
      ['fake', true],
      ['fake', false],
      ['fake', true],
      ['fake', false],
    ]);
    const failed = exporter.getFinishedSpans();
    expect(failed.map((s) => s.name)).toEqual(['driver.fake.refuse', 'driver.fake.refuse', 'driver.fake.crash', 'driver.fake.throwsAtOnce']);
    for (const span of failed) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.events.map((e) => e.name)).toContain('exception');
    }
    expect(failed.map((s) => s.attributes['error.retryable'])).toEqual([true, false, true, false]);
  });

  it('sees a method replaced on the driver after it was wrapped', async () => {
    const original = new FakeDriver();
    const driver = instrumentDriver('fake', original, NO_ENGINE_TELEMETRY);
    original.ok = async () => 'replaced';
    expect(await driver.ok('a')).toBe('replaced');
    expect(spanNamed('driver.fake.ok')).toBeDefined();
  });
});

function claimedJob(traceParent: string | null): ClaimedJob {
  return {
    id: 'job-1',
    tenantId: 'tenant-1',
    kind: 'PROVISION',
    tier: 'FREE',
    status: 'RUNNING',
    currentState: 'ALLOCATING_SHARED_CLUSTER',
    currentStep: 'CREATE_NAMESPACE',
    retryCount: 0,
    maxRetries: 3,
    errorMessage: null,
    failedStep: null,
    cancelRequestedBy: null,
    initiatedBy: 'test',
    createdAt: new Date(),
    traceParent,
    provisionedBy: 'test',
    tenant: {
      id: 'tenant-1',
      name: 'T',
      slug: 't',
      tier: 'FREE',
      region: 'eastus',
      cloudProvider: 'AZURE',
      adminEmail: 'a@example.com',
      createdAt: new Date(),
      status: 'PROVISIONING',
      notifications: { email: true },
    } as ClaimedJob['tenant'],
    desired: { generation: 1, suspended: false, configuration: {} as ClaimedJob['desired']['configuration'] },
    steps: new Map([
      ['CREATE_NAMESPACE', { name: 'CREATE_NAMESPACE', stage: 'ALLOCATING_SHARED_CLUSTER', position: 4, status: StepStatus.RUNNING, attempts: 2, startedAt: new Date(), completedAt: null, lastError: null, outputs: {} }],
      ['APPLY_QUOTAS', { name: 'APPLY_QUOTAS', stage: 'CONFIGURING_QUOTAS', position: 5, status: StepStatus.PENDING, attempts: 0, startedAt: null, completedAt: null, lastError: null, outputs: {} }],
    ]),
  };
}

describe("a job's spans", () => {
  it('continue the stored trace, with a span per step attempt under the job and the driver calls under the attempt', async () => {
    const requestTrace = '0af7651916cd43dd8448eb211c80319c';
    const job = claimedJob(`00-${requestTrace}-b7ad6b7169203331-01`);
    const observed: [string, string, number][] = [];
    const telemetry: EngineTelemetry = { ...NO_ENGINE_TELEMETRY, stepAttempted: (step, outcome, seconds) => observed.push([step, outcome, seconds]) };
    const driver = instrumentDriver('cluster', new FakeDriver(), telemetry);
    await inJobSpan(job, async () => {
      const first = new StepAttempt(telemetry, job, 'CREATE_NAMESPACE');
      await first.within(() => driver.ok('ns'));
      first.end('succeeded');
      const second = new StepAttempt(telemetry, job, 'APPLY_QUOTAS');
      await second.within(() => driver.refuse(true)).catch((error: unknown) => second.end('retry', error));
      second.end('aborted'); // a second end changes nothing
    });
    const jobSpan = spanNamed('job PROVISION');
    expect(jobSpan.spanContext().traceId).toBe(requestTrace);
    expect(parentOf(jobSpan)).toBe('b7ad6b7169203331');
    expect(jobSpan.attributes).toMatchObject({ 'job.id': 'job-1', 'job.kind': 'PROVISION', 'tenant.id': 'tenant-1' });

    const first = spanNamed('step CREATE_NAMESPACE');
    const second = spanNamed('step APPLY_QUOTAS');
    for (const step of [first, second]) {
      expect(parentOf(step)).toBe(jobSpan.spanContext().spanId);
      expect(step.spanContext().traceId).toBe(requestTrace);
    }
    // The claim counted CREATE_NAMESPACE's attempt (it is RUNNING); APPLY_QUOTAS's starts with the step.
    expect(first.attributes).toMatchObject({ 'step.name': 'CREATE_NAMESPACE', attempt: 2, 'job.id': 'job-1', 'tenant.id': 'tenant-1', 'step.outcome': 'succeeded' });
    expect(second.attributes).toMatchObject({ 'step.name': 'APPLY_QUOTAS', attempt: 1, 'step.outcome': 'retry' });
    expect(second.status.code).toBe(SpanStatusCode.ERROR);
    expect(parentOf(spanNamed('driver.cluster.ok'))).toBe(first.spanContext().spanId);
    expect(parentOf(spanNamed('driver.cluster.refuse'))).toBe(second.spanContext().spanId);
    expect(observed.map(([step, outcome]) => [step, outcome])).toEqual([
      ['CREATE_NAMESPACE', 'succeeded'],
      ['APPLY_QUOTAS', 'retry'],
    ]);
  });

  it('start a trace of their own when the job was queued untraced', async () => {
    await inJobSpan(claimedJob(null), async () => undefined);
    const jobSpan = spanNamed('job PROVISION');
    expect(parentOf(jobSpan)).toBeUndefined();
  });
});
