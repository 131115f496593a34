import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StepName } from '../../src/domain/plans.js';
import { DriverError, type DnsDriver, type TenantDatabaseDriver } from '../../src/drivers/contract.js';
import { KubernetesClusterDriver } from '../../src/drivers/kubernetes/kubernetes-driver.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { applyQuotas } from '../../src/steps/handlers/apply-quotas.js';
import { configureNetworking } from '../../src/steps/handlers/configure-networking.js';
import { createNamespace } from '../../src/steps/handlers/create-namespace.js';
import { deployCoreServices } from '../../src/steps/handlers/deploy-core-services.js';
import { deployDataServices } from '../../src/steps/handlers/deploy-data-services.js';
import { deployIngressController } from '../../src/steps/handlers/deploy-ingress-controller.js';
import { verify } from '../../src/steps/handlers/verify.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TenantFacts } from '../../src/steps/step.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';
import { FakeKubeApi, type RecordedRequest } from '../support/fake-kube-api.js';
import { DEFAULT_NETWORK_ISOLATION } from '../support/network-isolation.js';
import { PROVISION_OPERATION } from '../support/step-ports.js';

/**
 * What the cluster steps ask of a Kubernetes API server (the real driver against the HTTP fake,
 * whose controllers make what is applied ready at once): a step observes what it holds with one
 * list per kind by its owner labels, never a GET per object, applies only what is absent or
 * differs, and waits for readiness from what the lists and applies answered. Request counts are
 * what a real API server would serve, so they are what this file asserts.
 */

const OPTIONS: StepOptions = {
  baseDomain: 'tenants.test.matih.ai',
  environment: TEST_ENVIRONMENT,
  readyTimeoutMs: 5_000,
  verifyTimeoutMs: 2_000,
  verifyIntervalMs: 50,
  tenantDbPrefix: '',
  loadBalancerWaitMs: 5_000,
  dnsTtl: 300,
  createParentZone: true,
  networkIsolation: DEFAULT_NETWORK_ISOLATION,
};

/** These steps touch only the cluster: any other driver is a test failure. */
const unused = (what: string) => () => Promise.reject(new DriverError(`${what} is not used by cluster steps`, false));
const noDatabase: TenantDatabaseDriver = { observe: unused('database'), ensure: unused('database'), verify: unused('database'), drop: unused('database') };
const noDns: DnsDriver = {
  observeZone: unused('dns'),
  ensureZone: unused('dns'),
  upsertRecordSet: unused('dns'),
  deleteRecordSet: unused('dns'),
  deleteZone: unused('dns'),
};

/** The steps with their kinds, in plan order. */
const STEPS: readonly [StepName, (d: StepDrivers, o: StepOptions) => StepHandler, number][] = [
  [StepName.CREATE_NAMESPACE, createNamespace, 4],
  [StepName.APPLY_QUOTAS, applyQuotas, 2],
  [StepName.CONFIGURE_NETWORKING, configureNetworking, 1],
  [StepName.DEPLOY_CORE_SERVICES, deployCoreServices, 2],
  [StepName.DEPLOY_INGRESS_CONTROLLER, deployIngressController, 1],
  [StepName.DEPLOY_DATA_SERVICES, deployDataServices, 1],
];

const isList = (r: RecordedRequest) => r.method === 'GET' && r.query.labelSelector !== undefined && r.query.watch === undefined;
const isWatch = (r: RecordedRequest) => r.method === 'GET' && r.query.watch !== undefined;

describe('cluster steps on a Kubernetes API server: the requests they make', () => {
  let fake: FakeKubeApi;
  let drivers: StepDrivers;
  let tenant: TenantFacts;
  const outputs: Record<string, Record<string, unknown>> = {};
  const context = (): StepContext => ({
    tenant,
    jobId: randomUUID(),
    operation: PROVISION_OPERATION,
    outputs,
    signal: new AbortController().signal,
    provenance: { provisionedAt: '2025-01-15T10:00:00.000Z', provisionedBy: 'test' },
  });
  /** Runs one step and returns the object and collection requests it made (discovery is cached per driver). */
  const run = async (handler: StepHandler): Promise<{ requests: RecordedRequest[]; applied: string[] }> => {
    const before = fake.apiRequests.length;
    const result = await handler.run(context());
    outputs[handler.name] = result.outputs;
    return { requests: fake.apiRequests.slice(before), applied: (result.outputs.applied as string[] | undefined) ?? [] };
  };

  beforeEach(async () => {
    fake = await FakeKubeApi.start({ controllers: true });
    const cluster = new KubernetesClusterDriver({ kubeConfig: { kind: 'direct', server: fake.url, skipTlsVerify: true }, watchRetryDelayMs: 50 });
    drivers = { cluster, tenantDatabase: noDatabase, dns: noDns, secretBox: new AesGcmSecretBox(AesGcmSecretBox.generateKey()), tls: { mode: 'cert-manager' } };
    const slug = `rq-${randomBytes(3).toString('hex')}`;
    tenant = { id: randomUUID(), slug, tier: 'PROFESSIONAL', region: 'eastus', cloudProvider: 'AZURE', adminEmail: `admin@${slug}.example.com`, namespace: `matih-${slug}` };
    for (const key of Object.keys(outputs)) delete outputs[key];
  });
  afterEach(async () => {
    await fake.close();
  });

  it('a first run lists each kind once by the owner labels, applies each declared object once, and reads no object one by one', async () => {
    for (const [name, make, kinds] of STEPS) {
      const { requests, applied } = await run(make(drivers, OPTIONS));
      const lists = requests.filter(isList);
      const patches = requests.filter((r) => r.method === 'PATCH');
      expect(lists, name).toHaveLength(kinds);
      for (const list of lists) expect(list.query.labelSelector, name).toContain(`matih.ai/step=${name}`);
      expect(patches.map((r) => r.path.split('/').at(-1)).sort(), name).toEqual(applied.map((a) => a.split('/')[1]).sort());
      expect(applied.length, name).toBe((outputs[name]?.objects as string[]).length);
      const rest = requests.filter((r) => !isList(r) && r.method !== 'PATCH');
      if (name === StepName.DEPLOY_INGRESS_CONTROLLER) {
        // Its LoadBalancer Service is the chart's, not declared: one read of its address.
        expect(rest.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`), name).toEqual(['GET services/ingress-nginx-controller']);
      } else {
        expect(rest, name).toEqual([]);
      }
      expect(requests.length, name).toBeLessThanOrEqual(applied.length + kinds + (name === StepName.DEPLOY_INGRESS_CONTROLLER ? 1 : 0));
    }
    // VERIFY: one list of the tenant's releases (all ready already), then each service's /health.
    const checked = await run(verify(drivers, OPTIONS));
    expect(checked.requests.filter(isList)).toHaveLength(1);
    expect(checked.requests.filter((r) => r.method === 'GET' && !isList(r) && !r.path.endsWith('/proxy/health'))).toEqual([]);
  });

  it('a second run of every step applies nothing, and asks for nothing but its lists', async () => {
    for (const [, make] of STEPS) await run(make(drivers, OPTIONS));
    for (const [name, make, kinds] of STEPS) {
      const { requests, applied } = await run(make(drivers, OPTIONS));
      expect(applied, name).toEqual([]);
      expect(requests.filter((r) => r.method === 'PATCH' || r.method === 'DELETE' || isWatch(r)), name).toEqual([]);
      const extra = name === StepName.DEPLOY_INGRESS_CONTROLLER ? 1 : 0;
      expect(requests.filter(isList), name).toHaveLength(kinds);
      expect(requests, name).toHaveLength(kinds + extra);
    }
  });

  it('an object changed behind a step is the only one applied again; a release not ready yet is watched, not polled', async () => {
    for (const [, make] of STEPS) await run(make(drivers, OPTIONS));
    const policies = outputs[StepName.CONFIGURE_NETWORKING]?.objects as string[];
    const policy = (policies[0] as string).split('/')[1] as string;
    const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: tenant.namespace, name: policy };
    const live = fake.object(ref);
    fake.seed({ ...live!, spec: { podSelector: {}, policyTypes: ['Egress'] } });
    const again = await run(configureNetworking(drivers, OPTIONS));
    expect(again.applied).toEqual([`NetworkPolicy/${policy}`]);
    expect(again.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);

    // A release whose controller has not reported since its last change: one watch, no GET.
    const release = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: tenant.namespace, name: 'bi-service' };
    fake.setStatus(release, {});
    const waiting = run(deployDataServices(drivers, OPTIONS));
    await new Promise((r) => setTimeout(r, 200));
    fake.markReady(release);
    const { requests } = await waiting;
    expect(requests.filter(isWatch).map((r) => r.query.fieldSelector)).toEqual(['metadata.name=bi-service']);
    expect(requests.filter((r) => r.method === 'GET' && !isList(r) && !isWatch(r))).toEqual([]);
  });
});
