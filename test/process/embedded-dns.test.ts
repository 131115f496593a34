import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { udpResolver } from '../support/dns-clients.js';
import { type ServiceProcess, ServiceProcesses, freePort, httpJson } from '../support/service-process.js';
import { tenantBody } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Acceptance (issue 5): with the embedded defaults a Professional tenant ends with a DNS zone
 * that resolves over UDP and TCP. The service runs as users start it (a child process, every
 * default kept) except for the DNS port: the default 5353 would be fought over by parallel test
 * files, so the test picks a free one and passes MATIH_DNS_PORT, exactly as a user would.
 */

const HAS_DIG = await promisify(execFile)('sh', ['-c', 'command -v dig']).then(() => true, () => false);
const DIG_REASON = HAS_DIG ? '' : ' (skipped: dig is not installed; apt-get install dnsutils)';
/** The default MATIH_BASE_DOMAIN. */
const BASE_DOMAIN = 'matih.localhost';
const PROVISIONING_MS = 90_000;

interface Created {
  id: string;
  slug: string;
}
interface Status {
  status: string;
  errorMessage: string | null;
  job: { status: string };
}
interface SimObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

async function dig(port: number, name: string, ...options: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port), name, 'A', '+short', '+time=2', '+tries=1', ...options]);
  return stdout.trim();
}

interface Setup {
  label: string;
  /** DATABASE_URL for the child; the embedded database when undefined. */
  databaseUrl?: () => Promise<string>;
}

// The DNS server reads its zones from whichever database runs: the embedded one or DATABASE_URL's.
const setups: Setup[] = [{ label: 'its embedded database' }, { label: 'a PostgreSQL server (DATABASE_URL)', databaseUrl: createServerDatabase }];

describe.each(setups)('the embedded DNS server of the service on $label', ({ databaseUrl: makeDatabase }) => {
  const processes = new ServiceProcesses();
  let service: ServiceProcess;
  let databaseUrl: string | undefined;
  let dnsPort = 0;
  let token = '';
  let tenant: Created;
  let address = '';

  beforeAll(async () => {
    databaseUrl = await makeDatabase?.();
    // A port chosen free can be taken before the child binds it: choose again, a few times.
    for (let attempt = 1; ; attempt++) {
      dnsPort = await freePort();
      try {
        service = await processes.start({ env: { MATIH_DNS_PORT: String(dnsPort), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) } });
        break;
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
      }
    }
    token = (await fs.readFile(path.join(service.dataDir, 'bootstrap-token'), 'utf8')).trim();

    const created = await httpJson<Created>(`${service.tenantUrl}/api/v1/tenants`, { method: 'POST', token, body: tenantBody({ tier: 'PROFESSIONAL' }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    tenant = created.body;
    const final = await waitFor(
      async () => {
        const res = await httpJson<Status>(`${service.tenantUrl}/api/v1/tenants/${tenant.id}/provisioning/status`, { token });
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(res.body.job.status) ? res.body : undefined;
      },
      PROVISIONING_MS,
      `the provisioning of ${tenant.slug} to end`,
    );
    expect(final, `provisioning ended: ${final.errorMessage ?? ''}\n${service.stdout().slice(-4000)}`).toMatchObject({ status: 'ACTIVE', job: { status: 'SUCCEEDED' } });

    // The address the simulated cloud gave the tenant's ingress-nginx LoadBalancer (DEPLOY_INGRESS_CONTROLLER).
    const services = await httpJson<{ items: SimObject[] }>(`${service.tenantUrl}/api/v1/sim/objects?namespace=matih-${tenant.slug}&kind=Service`, { token });
    expect(services.status).toBe(200);
    const controller = services.body.items.find((o) => o.metadata.name === 'ingress-nginx-controller');
    expect(controller?.spec?.type).toBe('LoadBalancer');
    address = controller?.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
    expect(address).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
  }, PROVISIONING_MS + 60_000);

  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    await processes.cleanup();
    if (databaseUrl) await dropServerDatabase(databaseUrl);
  });

  it('answers the tenant names with the load balancer address to node\'s resolver over UDP', async () => {
    const resolver = udpResolver(dnsPort);
    const zone = `${tenant.slug}.${BASE_DOMAIN}`;
    for (const name of [`api.${zone}`, `bi.${zone}`, zone, `anything.${zone}`]) {
      expect(await resolver.resolve4(name), name).toEqual([address]);
    }
    // A name of no tenant is not answered with some other tenant's address.
    await expect(resolver.resolve4(`api.no-such-tenant.${BASE_DOMAIN}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it.skipIf(!HAS_DIG)(`answers dig over UDP${DIG_REASON}`, async () => {
    expect(await dig(dnsPort, `api.${tenant.slug}.${BASE_DOMAIN}`)).toBe(address);
  });

  it.skipIf(!HAS_DIG)(`answers dig over TCP (+tcp)${DIG_REASON}`, async () => {
    expect(await dig(dnsPort, `api.${tenant.slug}.${BASE_DOMAIN}`, '+tcp')).toBe(address);
  });

  it('logs that its DNS server listens on the configured port, UDP and TCP', () => {
    const listening = service
      .stdout()
      .split('\n')
      .filter((line) => line.includes('embedded DNS server listening'))
      .map((line) => JSON.parse(line) as { dns?: unknown });
    expect(listening.map((line) => line.dns)).toEqual([{ host: '127.0.0.1', udp: dnsPort, tcp: dnsPort }]);
  });

  it('never writes the tenant certificate\'s private key to its log', () => {
    const log = `${service.stdout()}\n${service.stderr()}`;
    // The log is there to be searched: it holds the start and the tenant's provisioning.
    expect(log).toContain('MATIH control plane ready');
    expect(log).toContain(tenant.id);
    expect(log).not.toContain('PRIVATE KEY');
  });
});
