import { X509Certificate, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepName } from '../../src/domain/plans.js';
import type { Tier } from '../../src/domain/tiers.js';
import { DriverError, type KubeObject } from '../../src/drivers/contract.js';
import { EmbeddedDnsDriver } from '../../src/drivers/dns/embedded-dns-driver.js';
import { EmbeddedDnsServer } from '../../src/drivers/dns/embedded-dns-server.js';
import { AesGcmSecretBox } from '../../src/drivers/secrets/aes-gcm-secret-box.js';
import { SimulatedCluster } from '../../src/drivers/simulated/simulated-cluster.js';
import { LocalCertificateAuthority } from '../../src/drivers/tls/local-ca.js';
import { dnsZoneStore } from '../../src/store/dns/dns-zones.js';
import { simObjectStore } from '../../src/store/sim/sim-objects.js';
import { createDnsZone } from '../../src/steps/handlers/create-dns-zone.js';
import { createTenantIngress } from '../../src/steps/handlers/create-tenant-ingress.js';
import { deployIngressController } from '../../src/steps/handlers/deploy-ingress-controller.js';
import { deployMonitoring } from '../../src/steps/handlers/deploy-monitoring.js';
import { setupObservability } from '../../src/steps/handlers/setup-observability.js';
import { CLUSTER_ISSUER, INGRESS_CONTROLLER_SERVICE, LABEL } from '../../src/steps/manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TenantFacts, TlsProvider } from '../../src/steps/step.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { PROVISION_OPERATION } from '../support/step-ports.js';
import { TEST_ENVIRONMENT } from '../support/deploy-environment.js';
import { DEFAULT_NETWORK_ISOLATION } from '../support/network-isolation.js';
import { addressesOf, tcpQuery, udpResolver } from '../support/dns-clients.js';
import { handshake } from '../support/tls-check.js';

/**
 * The edge of a tenant (spec/004 phases 6 to 10) step by step, on the simulated cluster, the
 * embedded DNS server and the local CA: what users rely on is that the tenant's
 * names resolve to its load balancer over UDP and TCP, that browsers trusting the platform's CA
 * trust its certificate for exactly its names, that re-runs change nothing, and that rollback
 * leaves nothing behind.
 */

const PARENT = 'edge.matih.test';
const PROVENANCE = { provisionedAt: '2026-01-15T10:00:00.000Z', provisionedBy: 'test' };
const OPTIONS: StepOptions = {
  baseDomain: PARENT,
  environment: TEST_ENVIRONMENT,
  readyTimeoutMs: 5_000,
  verifyTimeoutMs: 1_000,
  verifyIntervalMs: 50,
  tenantDbPrefix: '',
  loadBalancerWaitMs: 5_000,
  dnsTtl: 120,
  createParentZone: true,
  networkIsolation: DEFAULT_NETWORK_ISOLATION,
};

function newTenant(tier: Tier = 'PROFESSIONAL'): TenantFacts {
  const slug = `edge-${randomBytes(3).toString('hex')}`;
  return { id: randomUUID(), slug, tier, region: 'eastus', cloudProvider: 'AZURE', adminEmail: `admin@${slug}.example.com`, namespace: `matih-${slug}` };
}

async function rejectionOf(work: Promise<unknown>): Promise<DriverError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

function decoded(secret: KubeObject | undefined): Record<string, string> {
  const data = (secret?.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

describe('edge steps', () => {
  let database: TestDatabase;
  let cluster: SimulatedCluster;
  let dns: EmbeddedDnsDriver;
  let server: EmbeddedDnsServer;
  let port: number;
  let ca: LocalCertificateAuthority;
  let drivers: StepDrivers;

  beforeAll(async () => {
    database = await openTestDatabase();
    cluster = new SimulatedCluster(simObjectStore(database.db), { delayMs: 0, pollMs: 20 });
    const authority = { nameServers: [`ns1.${PARENT}`], soaEmail: `hostmaster@${PARENT}`, defaultTtl: 300 };
    dns = new EmbeddedDnsDriver(dnsZoneStore(database.db), authority);
    server = new EmbeddedDnsServer(dnsZoneStore(database.db), { ...authority, port: 0 });
    port = (await server.listen()).udp;
    const secretBox = new AesGcmSecretBox(AesGcmSecretBox.generateKey());
    let stored: string | undefined;
    ca = new LocalCertificateAuthority(async (generate) => (stored ??= await generate()), secretBox);
    drivers = {
      cluster,
      tenantDatabase: undefined as never,
      secretBox,
      dns,
      tls: { mode: 'local-ca', issuer: ca },
    };
  });

  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  /** One tenant through the edge steps, outputs handed on by step name as the engine does. */
  function tenantRun(tenant = newTenant(), stepDrivers: StepDrivers = drivers, options: StepOptions = OPTIONS) {
    const outputs: Record<string, Record<string, unknown>> = {};
    const ctx = (): StepContext => ({ tenant, jobId: randomUUID(), operation: PROVISION_OPERATION, outputs, signal: new AbortController().signal, provenance: PROVENANCE });
    const handlers: Record<string, StepHandler> = {
      [StepName.DEPLOY_INGRESS_CONTROLLER]: deployIngressController(stepDrivers, options),
      [StepName.CREATE_DNS_ZONE]: createDnsZone(stepDrivers, options),
      [StepName.CREATE_TENANT_INGRESS]: createTenantIngress(stepDrivers, options),
      [StepName.DEPLOY_MONITORING]: deployMonitoring(stepDrivers, options),
      [StepName.SETUP_OBSERVABILITY]: setupObservability(stepDrivers, options),
    };
    const handler = (step: string) => handlers[step] as StepHandler;
    return {
      tenant,
      outputs,
      async run(step: string) {
        const result = await handler(step).run(ctx());
        outputs[step] = result.outputs;
        return result.outputs;
      },
      async runAll() {
        for (const step of Object.keys(handlers)) await this.run(step);
      },
      async rollbackAll() {
        for (const step of Object.keys(handlers).reverse()) await handler(step).rollback(ctx());
      },
      rollback: (step: string) => handler(step).rollback(ctx()),
      objects: () => cluster.listAll(tenant.namespace),
      host: `${tenant.slug}.${PARENT}`,
    };
  }

  describe('DEPLOY_INGRESS_CONTROLLER', () => {
    it("installs spec/004's ingress-nginx and records the LoadBalancer address the Service got", async () => {
      const t = tenantRun();
      const outputs = await t.run(StepName.DEPLOY_INGRESS_CONTROLLER);
      const release = await cluster.get({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: t.tenant.namespace, name: 'ingress-nginx' });
      const controller = (release?.spec as { values: { controller: Record<string, unknown> } }).values.controller;
      expect(controller).toMatchObject({
        ingressClassResource: { name: `nginx-${t.tenant.slug}`, controllerValue: `k8s.io/ingress-nginx-${t.tenant.slug}` },
        ingressClass: `nginx-${t.tenant.slug}`,
        replicaCount: 2,
        service: { type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz' } },
        admissionWebhooks: { enabled: false },
      });
      const service = await cluster.get({ apiVersion: 'v1', kind: 'Service', namespace: t.tenant.namespace, name: INGRESS_CONTROLLER_SERVICE });
      const ip = (service?.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]?.ip;
      expect(ip).toMatch(/^10\.240\.0\.\d+$/);
      expect(outputs).toMatchObject({ ingressClass: `nginx-${t.tenant.slug}`, loadBalancerIp: ip, applied: ['HelmRelease/ingress-nginx'] });
      // Again: nothing applied, the same address.
      expect(await t.run(StepName.DEPLOY_INGRESS_CONTROLLER)).toMatchObject({ applied: [], loadBalancerIp: ip });
    });

    it('gets its address on a re-run when the chart\'s Service never came (a crash between the release and the install)', async () => {
      const t = tenantRun();
      await t.run(StepName.DEPLOY_INGRESS_CONTROLLER);
      const service = { apiVersion: 'v1', kind: 'Service', namespace: t.tenant.namespace, name: INGRESS_CONTROLLER_SERVICE };
      expect(await cluster.remove(service)).toBe(true);
      // The release is unchanged, so nothing is applied; the wait on it has the chart's objects installed.
      const again = await t.run(StepName.DEPLOY_INGRESS_CONTROLLER);
      expect(again.applied).toEqual([]);
      expect(again.loadBalancerIp).toMatch(/^10\.240\.0\.\d+$/);
      expect(await cluster.get(service)).toBeDefined();
    });

    it('fails retryably, naming the wait, when no address comes within MATIH_LB_WAIT_S; rollback frees what it made', async () => {
      const starved = new SimulatedCluster(simObjectStore(database.db), { delayMs: 0, pollMs: 20, loadBalancerIps: [] });
      const t = tenantRun(newTenant(), { ...drivers, cluster: starved }, { ...OPTIONS, loadBalancerWaitMs: 300 });
      const error = await rejectionOf(t.run(StepName.DEPLOY_INGRESS_CONTROLLER));
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/no LoadBalancer address within 0 s/);
      expect(error.message).toMatch(/no free address in the simulated load-balancer pool/);
      await t.rollback(StepName.DEPLOY_INGRESS_CONTROLLER);
      // Helm uninstall takes the chart's Service with the release.
      expect(await t.objects()).toEqual([]);
    });
  });

  describe('CREATE_DNS_ZONE', () => {
    it('creates the child zone, its delegation and the A records, and they answer over UDP and TCP', async () => {
      const t = tenantRun();
      const ip = (await t.run(StepName.DEPLOY_INGRESS_CONTROLLER)).loadBalancerIp as string;
      const outputs = await t.run(StepName.CREATE_DNS_ZONE);
      expect(outputs).toMatchObject({ zone: t.host, parentZone: PARENT, nameServers: [`ns1.${PARENT}`], loadBalancerIp: ip });
      expect(outputs.written).toHaveLength(5);

      const udp = udpResolver(port);
      for (const name of [t.host, `api.${t.host}`, `bi.${t.host}`, `anything.${t.host}`]) expect(await udp.resolve4(name), name).toEqual([ip]);
      const tcp = tcpQuery(port);
      for (const name of [t.host, `api.${t.host}`, `x.${t.host}`]) expect(addressesOf(await tcp(name, 'A')), name).toEqual([ip]);
      // The parent zone delegates to the child's name servers.
      const parentRecords = (await dns.observeZone(PARENT)).records;
      expect(parentRecords.find((r) => r.name === t.tenant.slug && r.type === 'NS')?.values).toEqual([`ns1.${PARENT}`]);
      expect(await udp.resolveNs(t.host)).toEqual([`ns1.${PARENT}`]);
    });

    it('writes nothing on a re-run, and puts back a record changed behind its back', async () => {
      const t = tenantRun();
      const ip = (await t.run(StepName.DEPLOY_INGRESS_CONTROLLER)).loadBalancerIp as string;
      await t.run(StepName.CREATE_DNS_ZONE);
      expect((await t.run(StepName.CREATE_DNS_ZONE)).written).toEqual([]);
      await dns.upsertRecordSet(t.host, { name: 'api', type: 'A', ttl: 120, values: ['192.0.2.66'] });
      expect((await t.run(StepName.CREATE_DNS_ZONE)).written).toEqual([`A api.${t.host}`]);
      expect(await udpResolver(port).resolve4(`api.${t.host}`)).toEqual([ip]);
    });

    it('rollback removes the delegation and the zone: the names stop answering', async () => {
      const t = tenantRun();
      await t.run(StepName.DEPLOY_INGRESS_CONTROLLER);
      await t.run(StepName.CREATE_DNS_ZONE);
      await t.rollback(StepName.CREATE_DNS_ZONE);
      await t.rollback(StepName.CREATE_DNS_ZONE);
      expect(await dns.observeZone(t.host)).toEqual({ exists: false, nameServers: [], records: [] });
      expect((await dns.observeZone(PARENT)).records.some((r) => r.name === t.tenant.slug)).toBe(false);
      const gone = await udpResolver(port).resolve4(`api.${t.host}`).then(() => 'answered', (e: { code?: string }) => e.code);
      expect(gone).toBe('ENOTFOUND');
    });

    it('fails permanently without a load balancer address, and, with a provider, without the parent zone', async () => {
      const t = tenantRun();
      expect((await rejectionOf(t.run(StepName.CREATE_DNS_ZONE))).retryable).toBe(false);
      const u = tenantRun(newTenant(), drivers, { ...OPTIONS, baseDomain: 'absent-parent.test', createParentZone: false });
      await u.run(StepName.DEPLOY_INGRESS_CONTROLLER);
      const error = await rejectionOf(u.run(StepName.CREATE_DNS_ZONE));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/parent zone absent-parent\.test does not exist/);
    });
  });

  describe('CREATE_TENANT_INGRESS', () => {
    it('issues a certificate for the apex and the wildcard, trusted by a client that trusts only the CA', async () => {
      const t = tenantRun();
      await t.run(StepName.CREATE_TENANT_INGRESS);
      const pem = decoded(await cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: t.tenant.namespace, name: `${t.tenant.slug}-tls-certificate` }));
      const cert = { cert: pem['tls.crt'] ?? '', key: pem['tls.key'] ?? '', ca: await ca.caCertificatePem() };
      expect(pem['ca.crt']).toBe(cert.ca);
      for (const name of [t.host, `api.${t.host}`, `bi.${t.host}`]) expect(await handshake(cert, name), name).toEqual({ authorized: true });
      // Exactly its names: not another tenant's, nor two levels down.
      expect((await handshake(cert, `other.${PARENT}`)).authorized).toBe(false);
      expect((await handshake(cert, `a.b.${t.host}`)).authorized).toBe(false);
    });

    it("declares spec/004's Ingress: the tenant's class, its hosts, the TLS section", async () => {
      const t = tenantRun();
      await t.run(StepName.CREATE_TENANT_INGRESS);
      const ingress = await cluster.get({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: t.tenant.namespace, name: 'tenant-ingress' });
      expect(ingress?.spec).toEqual({
        ingressClassName: `nginx-${t.tenant.slug}`,
        tls: [{ hosts: [t.host, `*.${t.host}`], secretName: `${t.tenant.slug}-tls-certificate` }],
        rules: [
          { host: t.host, http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'auth-proxy', port: { name: 'http' } } } }] } },
          { host: `api.${t.host}`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'auth-proxy', port: { name: 'http' } } } }] } },
          { host: `bi.${t.host}`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'bi-service', port: { name: 'http' } } } }] } },
        ],
      });
    });

    it('keeps its certificate on a re-run, and renews one that runs out within 30 days', async () => {
      const t = tenantRun();
      await t.run(StepName.CREATE_TENANT_INGRESS);
      const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: t.tenant.namespace, name: `${t.tenant.slug}-tls-certificate` };
      const first = decoded(await cluster.get(secretRef))['tls.crt'];
      expect((await t.run(StepName.CREATE_TENANT_INGRESS)).applied).toEqual([]);
      expect(decoded(await cluster.get(secretRef))['tls.crt']).toBe(first);
      // Seen 70 days later, the 90-day certificate has 20 left: a new one replaces it.
      const later = new Date(Date.now() + 70 * 24 * 3600 * 1000);
      const renewing = createTenantIngress(drivers, OPTIONS, () => later);
      const ctx: StepContext = { tenant: t.tenant, jobId: randomUUID(), operation: PROVISION_OPERATION, outputs: {}, signal: new AbortController().signal, provenance: PROVENANCE };
      expect((await renewing.run(ctx)).outputs.applied).toEqual([`Secret/${t.tenant.slug}-tls-certificate`]);
      const renewed = decoded(await cluster.get(secretRef))['tls.crt'] ?? '';
      expect(renewed).not.toBe(first);
      // A new certificate (the CA dates it by its own clock, which this test does not move).
      expect(new X509Certificate(renewed).serialNumber).not.toBe(new X509Certificate(first ?? '').serialNumber);
    });

    it('with cert-manager, declares the Certificate of spec/004 instead, its Secret labelled as the step\'s', async () => {
      const certManager: TlsProvider = { mode: 'cert-manager' };
      const t = tenantRun(newTenant(), { ...drivers, tls: certManager });
      await t.run(StepName.CREATE_TENANT_INGRESS);
      const certificate = await cluster.get({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', namespace: t.tenant.namespace, name: `${t.tenant.slug}-tls-certificate` });
      expect(certificate?.spec).toMatchObject({
        secretName: `${t.tenant.slug}-tls-certificate`,
        dnsNames: [t.host, `*.${t.host}`],
        issuerRef: { kind: 'ClusterIssuer', name: CLUSTER_ISSUER },
        secretTemplate: { labels: { [LABEL.tenantId]: t.tenant.id, [LABEL.step]: StepName.CREATE_TENANT_INGRESS } },
      });
      expect((await t.objects()).map((o) => o.kind).sort()).toEqual(['Certificate', 'Ingress']);
      await t.rollback(StepName.CREATE_TENANT_INGRESS);
      expect(await t.objects()).toEqual([]);
    });
  });

  describe('DEPLOY_MONITORING', () => {
    it("routes alerts to the tenant's channels: the webhook's Secret comes and goes with the setting, its URL in no output", async () => {
      const url = 'https://hooks.example.com/alerts/T0-s3cr3t-t0ken';
      const tenant: TenantFacts = { ...newTenant(), notifications: { email: true, alertEmail: null, webhookUrl: url } };
      const t = tenantRun(tenant, drivers, { ...OPTIONS, alertSmtp: { smarthost: 'smtp-relay.monitoring.svc:25' } });
      const outputs = await t.run(StepName.DEPLOY_MONITORING);
      expect(outputs).toMatchObject({ alertRules: 6, alertChannels: ['email', 'webhook'], dashboards: ['matih-service-health', 'matih-query-latency', 'matih-resource-use'] });
      expect(outputs.objects).toEqual(expect.arrayContaining(['Secret/tenant-alert-webhook', 'AlertmanagerConfig/tenant-alert-routing', 'ConfigMap/grafana-dashboard-resource-use']));
      expect(JSON.stringify(outputs)).not.toContain('s3cr3t');
      const ref = { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', namespace: tenant.namespace, name: 'tenant-alert-routing' };
      expect((await cluster.get(ref))?.spec).toMatchObject({
        receivers: [{ name: 'tenant', emailConfigs: [{ to: tenant.adminEmail, smarthost: 'smtp-relay.monitoring.svc:25' }], webhookConfigs: [{ urlSecret: { name: 'tenant-alert-webhook', key: 'url' } }] }],
      });
      expect(decoded(await cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: tenant.namespace, name: 'tenant-alert-webhook' }))).toEqual({ url });

      // The tenant drops its webhook and names an on-call address: the next run (a RECONCILE job) prunes the Secret.
      tenant.notifications = { email: true, alertEmail: 'oncall@example.com', webhookUrl: null };
      const again = await t.run(StepName.DEPLOY_MONITORING);
      expect(again).toMatchObject({ pruned: ['Secret/tenant-alert-webhook'], alertChannels: ['email'] });
      expect((await cluster.get(ref))?.spec).toMatchObject({ receivers: [{ name: 'tenant', emailConfigs: [{ to: 'oncall@example.com' }] }] });
      await t.rollback(StepName.DEPLOY_MONITORING);
      expect(await t.objects()).toEqual([]);
    });
  });

  describe('the whole edge', () => {
    it('monitoring and observability objects exist; a re-run applies nothing; rollback leaves nothing, in the cluster or in DNS', async () => {
      const t = tenantRun();
      await t.runAll();
      const kinds: Record<string, number> = {};
      for (const o of await t.objects()) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
      // ConfigMaps: three dashboards (DEPLOY_MONITORING), three telemetry configurations (SETUP_OBSERVABILITY).
      expect(kinds).toEqual({ HelmRelease: 3, Service: 1, Secret: 1, Ingress: 1, Role: 1, RoleBinding: 1, PrometheusRule: 1, AlertmanagerConfig: 1, ConfigMap: 6 });
      for (const step of [StepName.DEPLOY_INGRESS_CONTROLLER, StepName.CREATE_TENANT_INGRESS, StepName.DEPLOY_MONITORING, StepName.SETUP_OBSERVABILITY]) {
        expect((await t.run(step)).applied, step).toEqual([]);
      }
      await t.rollbackAll();
      expect(await t.objects()).toEqual([]);
      expect((await dns.observeZone(t.host)).exists).toBe(false);
      // Idempotent: a second rollback (a crash during the first) is fine.
      await t.rollbackAll();
    });
  });
});
