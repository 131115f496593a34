import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliOptions, type CliResult, buildCli, jsonOf, matihctl, startMatihctl } from '../support/matihctl.js';
import { type ServiceProcess, ServiceProcesses, freePort } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'matihctl-test-bootstrap-token-0123456789';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface Doc {
  [key: string]: unknown;
}
interface Page<T = Doc> {
  items: T[];
  nextCursor: string | number | null;
}
interface StatusDoc {
  job: { status: string; kind: string };
  steps: unknown[];
  nextRetryAt: string | null;
}

/** The lines `status --watch` prints per transition when stdout is not a terminal: time, steps done, trigger. */
function transitionTriggers(stdout: string): string[] {
  return [...stdout.matchAll(/^\d\d:\d\d:\d\d\s+\d+\/\d+\s+(\S+)/gm)].map((m) => m[1]!);
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${String(result.code)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
}

describe('matihctl, the built binary, against the real service (embedded database)', { timeout: 180_000 }, () => {
  const procs = new ServiceProcesses();
  let service: ServiceProcess;
  let serviceEnv: Record<string, string>;
  let dir: string;
  let config: string;
  let server: string;
  let infraServer: string;
  const ids: Record<string, string> = {};
  let betaKey = '';

  const cli = (args: readonly string[], options: Partial<CliOptions> = {}) => matihctl(args, { config, ...options });
  const json = async <T = Doc>(args: readonly string[], options: Partial<CliOptions> = {}): Promise<T> => {
    const result = await cli([...args, '--output', 'json'], options);
    expectExit(result, 0);
    return jsonOf<T>(result);
  };
  const watchToEnd = async (slug: string, code = 0): Promise<CliResult> => {
    const result = await cli(['tenants', 'status', slug, '--watch']);
    expectExit(result, code);
    return result;
  };

  beforeAll(async () => {
    dir = await procs.tempDir('matihctl-');
    config = path.join(dir, 'conf', 'config.json');
    // Fixed ports, so the service can be restarted where the CLI's WebSocket will look for it.
    const tenantPort = await freePort();
    let infraPort = await freePort();
    while (infraPort === tenantPort) infraPort = await freePort();
    server = `http://127.0.0.1:${tenantPort}`;
    infraServer = `http://127.0.0.1:${infraPort}`;
    serviceEnv = {
      MATIH_BOOTSTRAP_TOKEN: TOKEN,
      MATIH_TENANT_PORT: String(tenantPort),
      MATIH_INFRA_PORT: String(infraPort),
      // Provisioning takes a few seconds, so --watch sees it move.
      MATIH_SIM_DELAY_MS: '250',
      MATIH_POLL_MS: '100',
      MATIH_LEASE_S: '3',
      MATIH_LOG_LEVEL: 'warn',
      // Enterprise tenants (only they run this step) wait an hour for a retry: a job that is
      // reliably still running, to cancel, retry and follow across a restart.
      MATIH_SIM_FAULTS: 'PROVISION_INFRASTRUCTURE=retryable:1000',
      MATIH_RETRY_BACKOFF: '3600',
    };
    const [, started] = await Promise.all([buildCli(), startService()]);
    service = started;
  }, 180_000);

  /** procs.start() waits on the ports it chose; these are ours, so wait on them here. */
  async function startService(dataDir?: string): Promise<ServiceProcess> {
    const started = await procs.spawn({ ...(dataDir ? { dataDir } : {}), env: serviceEnv });
    await waitFor(
      async () => {
        if (!started.running()) throw new Error(`the service exited: ${started.stderr()}`);
        const ready = await Promise.all([server, infraServer].map((url) => fetch(`${url}/ready`).then((r) => r.ok, () => false)));
        return ready.every(Boolean) ? true : undefined;
      },
      60_000,
      'the service to be ready',
    );
    return started;
  }

  afterAll(async () => {
    await procs.cleanup();
  });

  it('documents every command and the exit codes; bad command lines exit 2 and send nothing', async () => {
    const [help, tenants, infra] = await Promise.all([cli(['--help']), cli(['tenants', '--help']), cli(['infra', '--help'])]);
    expectExit(help, 0);
    for (const word of ['login', 'tenants', 'infra', 'audit', '--output', 'Exit codes:', '4  authentication', '7  server unreachable']) expect(help.stdout).toContain(word);
    for (const command of ['create', 'list', 'get', 'status', 'retry', 'cancel', 'suspend', 'reactivate', 'update', 'delete']) expect(tenants.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const command of ['provision', 'get', 'update', 'deprovision', 'transitions']) expect(infra.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));

    const bad = [
      ['tenants', 'list', '--bogus'],
      ['--output', 'yaml', 'tenants', 'list'],
      ['tenants', 'create', '--name', 'x'],
      ['tenants', 'list', '--limit', 'many'],
      ['tenants', 'get'],
      ['tenants'],
      ['frobnicate'],
    ];
    const results = await Promise.all(bad.map((args) => cli(args)));
    for (const result of results) expectExit(result, 2);
    expect(results[0]!.stderr).toContain("unknown option '--bogus'");
  });

  it('logs in only with a credential the server accepts, and stores it privately', async () => {
    const none = await cli(['tenants', 'list']);
    expectExit(none, 4);
    expect(none.stderr).toContain('error not_logged_in');

    const wrong = await cli(['login', '--server', server, '--token', 'not-the-token']);
    expectExit(wrong, 4);
    expect(wrong.stderr).toContain('error unauthenticated');
    await expect(fs.stat(config)).rejects.toThrow();

    const closed = await cli(['login', '--server', `http://127.0.0.1:${await freePort()}`, '--token', TOKEN]);
    expectExit(closed, 7);
    expect(closed.stderr).toContain('error unreachable');

    const ok = await cli(['login', '--server', server, '--infra-server', infraServer, '--token', TOKEN]);
    expectExit(ok, 0);
    expect(ok.stdout).toContain(`Logged in to ${server} as bootstrap (platform_admin)`);
    expect((await fs.stat(config)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(config))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await fs.readFile(config, 'utf8'))).toEqual({ server, infraServer, credential: { kind: 'token', value: TOKEN } });

    // Without --infra-server the infrastructure API is the same host on port 8089.
    const other = path.join(dir, 'other.json');
    const who = await json<Doc>(['login', '--server', server, '--token', TOKEN], { config: other });
    expect(who).toMatchObject({ actor: 'bootstrap', role: 'platform_admin' });
    expect(JSON.parse(await fs.readFile(other, 'utf8'))).toMatchObject({ infraServer: 'http://127.0.0.1:8089' });
  });

  it('creates tenants: the table shows the key once with a warning, JSON is the API document; 3 and 6 name the fields', async () => {
    const acme = await cli(['tenants', 'create', '--name', 'Acme Corporation', '--slug', 'acme', '--tier', 'professional', '--admin-email', 'admin@acme.example']);
    expectExit(acme, 0);
    expect(acme.stdout).toMatch(/^slug\s+acme$/m);
    expect(acme.stdout).toMatch(/^admin API key\s+mtk_\S+$/m);
    expect(acme.stderr).toContain('shown once');
    ids.acme = /^id\s+(\S+)$/m.exec(acme.stdout)![1]!;

    const beta = await cli(['tenants', 'create', '--name', 'Beta', '--slug', 'beta', '--tier', 'FREE', '--admin-email', 'admin@beta.example', '--output', 'json']);
    expectExit(beta, 0);
    const created = jsonOf<{ id: string; slug: string; tier: string; initialApiKey: { key: string }; provisioningJobId: string }>(beta);
    expect(created).toMatchObject({ slug: 'beta', tier: 'FREE' });
    expect(created.initialApiKey.key).toMatch(/^mtk_/);
    ids.beta = created.id;
    betaKey = created.initialApiKey.key;

    const invalid = await cli(['tenants', 'create', '--name', '', '--slug=-Bad', '--tier', 'gold', '--admin-email', 'x']);
    expectExit(invalid, 3);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toContain('error validation_failed');
    for (const field of ['name', 'slug', 'tier', 'adminEmail']) expect(invalid.stderr).toMatch(new RegExp(`^  ${field}: \\S`, 'm'));

    const taken = await cli(['tenants', 'create', '--name', 'Acme again', '--slug', 'acme', '--tier', 'free', '--admin-email', 'other@acme.example']);
    expectExit(taken, 6);
    expect(taken.stderr).toContain('error already_exists');
    expect(taken.stderr).toMatch(/^ {2}slug: /m);
  });

  it('status --watch follows provisioning line by line off a terminal and exits 0 when it succeeds', async () => {
    const created = await json<{ id: string }>(['tenants', 'create', '--name', 'Gamma', '--slug', 'gamma', '--tier', 'professional', '--admin-email', 'admin@gamma.example']);
    ids.gamma = created.id;
    const watch = await watchToEnd('gamma');
    const lines = watch.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tenant gamma: PROVISION job \S+ (PENDING|RUNNING), \d+%/);
    expect(lines.at(-1)).toMatch(/^PROVISION job succeeded in \S+; tenant gamma is ACTIVE$/);
    const triggers = transitionTriggers(watch.stdout);
    expect(triggers).toContain('step.completed');
    expect(triggers.at(-1)).toBe('job.succeeded');
    // Steps done only go up, and nothing is redrawn in a pipe.
    const done = [...watch.stdout.matchAll(/^\S+\s+(\d+)\/19\s/gm)].map((m) => Number(m[1]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(19);
    expect(watch.stdout).not.toContain('\x1b[');

    const table = await cli(['tenants', 'status', 'gamma']);
    expectExit(table, 0);
    expect(table.stdout).toMatch(/^\+ DEPLOYING_SERVICES\s+#+\s+11\/11$/m);
    expect(table.stdout).toMatch(/^ {2}overall\s+#+\s+100%\s+done in/m);
    const status = await json<StatusDoc>(['tenants', 'status', 'gamma']);
    expect(status.job).toMatchObject({ kind: 'PROVISION', status: 'SUCCEEDED' });
    expect(status.steps).toHaveLength(19);
    // --watch -o json on a finished job: the final status document, exit 0.
    expect((await json<StatusDoc>(['tenants', 'status', 'gamma', '--watch'])).job.status).toBe('SUCCEEDED');
  });

  it('gets and lists tenants as tables and JSON; 5 for an unknown tenant, 4 for a wrong token', async () => {
    await watchToEnd('acme');
    const get = await cli(['tenants', 'get', 'acme']);
    expectExit(get, 0);
    expect(get.stdout).toMatch(/^status\s+ACTIVE$/m);
    expect(await json(['tenants', 'get', ids.beta!])).toMatchObject({ id: ids.beta, slug: 'beta' });

    const [unknownSlug, unknownId, unknownWatch, wrongFlag, wrongEnv] = await Promise.all([
      cli(['tenants', 'get', 'nosuch']),
      cli(['tenants', 'get', UNKNOWN_ID]),
      cli(['tenants', 'status', UNKNOWN_ID, '--watch']),
      cli(['tenants', 'get', 'acme', '--token', 'wrong-token']),
      cli(['tenants', 'list'], { env: { MATIH_TOKEN: 'wrong-token' } }),
    ]);
    for (const result of [unknownSlug, unknownId, unknownWatch]) expectExit(result, 5);
    expect(unknownSlug.stderr).toContain('error not_found');
    for (const result of [wrongFlag, wrongEnv]) expectExit(result, 4);
    expect(wrongFlag.stderr).toContain('error unauthenticated');

    const list = await cli(['tenants', 'list']);
    expectExit(list, 0);
    expect(list.stdout).toMatch(/^ID\s+SLUG\s+NAME\s+TIER\s+STATUS\s+REGION\s+CREATED$/m);
    for (const slug of ['acme', 'beta', 'gamma']) expect(list.stdout).toMatch(new RegExp(`\\s${slug}\\s`));
    const all = await json<Page>(['tenants', 'list']);
    expect(all.items).toHaveLength(3);
    expect(all.nextCursor).toBeNull();
    const first = await json<Page>(['tenants', 'list', '--limit', '1']);
    expect(first.items).toHaveLength(1);
    expect(typeof first.nextCursor).toBe('string');
    const paged = await json<Page>(['tenants', 'list', '--limit', '1', '--all']);
    expect(paged.items.map((t) => t.slug)).toEqual(all.items.map((t) => t.slug));
    expect(paged.nextCursor).toBeNull();
    expect((await json<Page>(['tenants', 'list', '--search', 'gam'])).items.map((t) => t.slug)).toEqual(['gamma']);
    expect((await json<Page>(['tenants', 'list', '--tier', 'free'])).items.map((t) => t.slug)).toEqual(['beta']);
    const badStatus = await cli(['tenants', 'list', '--status', 'sleeping']);
    expectExit(badStatus, 3);
    expect(badStatus.stderr).toMatch(/^ {2}status: must be one of/m);
  });

  it("logs in with a tenant admin's API key: sees its own tenant only, may not suspend it (4)", async () => {
    const admin = path.join(dir, 'beta-admin.json');
    const login = await cli(['login', '--server', server, '--api-key', betaKey], { config: admin });
    expectExit(login, 0);
    expect(login.stdout).toContain(`(Admin, tenant ${ids.beta})`);
    expect(JSON.parse(await fs.readFile(admin, 'utf8'))).toMatchObject({ credential: { kind: 'apiKey', value: betaKey } });
    expect((await json<Page>(['tenants', 'list'], { config: admin })).items.map((t) => t.id)).toEqual([ids.beta]);
    const refused = await cli(['tenants', 'suspend', ids.beta!], { config: admin });
    expectExit(refused, 4);
    expect(refused.stderr).toContain('error forbidden');
  });

  it('suspends, reactivates and updates, each job followed to its end', async () => {
    const suspend = await cli(['tenants', 'suspend', 'acme', '--reason', 'matihctl test']);
    expectExit(suspend, 0);
    expect(suspend.stdout).toMatch(/^status\s+SUSPENDED$/m);
    expect((await watchToEnd('acme')).stdout).toMatch(/^SUSPEND job succeeded in \S+; tenant acme is SUSPENDED$/m);

    const reactivate = await json<{ status: string; jobId: string }>(['tenants', 'reactivate', 'acme']);
    expect(reactivate.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await watchToEnd('acme')).stdout).toMatch(/job succeeded in \S+; tenant acme is ACTIVE$/m);

    expectExit(await cli(['tenants', 'update', 'acme']), 2);
    expectExit(await cli(['tenants', 'update', 'acme', '--storage-gb', '0']), 2);
    const tooBig = await cli(['tenants', 'update', 'acme', '--storage-gb', '5000']);
    expectExit(tooBig, 3);
    expect(tooBig.stderr).toMatch(/^ {2}configuration\.storageGb: must be an integer from 1 to 2048/m);
    // HA does not fit a Professional tenant's quota: the API says which field.
    const ha = await cli(['tenants', 'update', 'acme', '--storage-gb', '300', '--enable-ha']);
    expectExit(ha, 3);
    expect(ha.stderr).toMatch(/^ {2}configuration\.enableHa: does not fit the PROFESSIONAL quota/m);
    const update = await json<{ jobId: string; generation: number; tenant: { slug: string } }>(['tenants', 'update', 'acme', '--storage-gb', '300']);
    expect(update.tenant.slug).toBe('acme');
    expect(update.jobId).toMatch(/^[0-9a-f-]{36}$/);
    await watchToEnd('acme');
    expect(await json(['infra', 'get', 'acme'])).toMatchObject({ configuration: { storageGb: 300, enableHa: false } });
  });

  it('cancels and retries a job; a cancelled job ends --watch with exit 1; 409s exit 6', async () => {
    const ent = await json<{ id: string }>(['tenants', 'create', '--name', 'Ent', '--slug', 'ent', '--tier', 'enterprise', '--admin-email', 'admin@ent.example']);
    ids.ent = ent.id;
    await waitFor(async () => ((await json<StatusDoc>(['tenants', 'status', 'ent'])).nextRetryAt ? true : undefined), 30_000, 'a retry to be scheduled');
    const waiting = await cli(['tenants', 'status', 'ent']);
    expect(waiting.stdout).toMatch(/^ {2}last error: /m);
    expect(waiting.stdout).toMatch(/^ {2}retry 1\/3 at /m);
    const notFailed = await cli(['tenants', 'retry', 'ent']);
    expectExit(notFailed, 6);
    expect(notFailed.stderr).toContain('error job_not_failed');

    const cancel = await cli(['tenants', 'cancel', 'ent']);
    expectExit(cancel, 0);
    expect(cancel.stdout).toMatch(/^status\s+CANCEL_REQUESTED$/m);
    const watch = await watchToEnd('ent', 1);
    expect(transitionTriggers(watch.stdout)).toContain('job.cancelled');
    expect(watch.stderr).toContain('error job_cancelled');
    expectExit(await cli(['tenants', 'cancel', 'ent']), 6);

    const retry = await cli(['tenants', 'retry', 'ent']);
    expectExit(retry, 0);
    expect(retry.stdout).toMatch(/^status\s+PENDING$/m);
    expect(retry.stdout).toMatch(/^from step\s+[A-Z_]+$/m);
  });

  it('deletes after the slug is typed again (or --yes) and follows the deletion to DELETED', async () => {
    const declined = await cli(['tenants', 'delete', 'gamma'], { input: 'gamm\n' });
    expectExit(declined, 1);
    expect(declined.stderr).toContain('error aborted');
    const noAnswer = await cli(['tenants', 'delete', 'gamma']);
    expectExit(noAnswer, 2);
    expect(noAnswer.stderr).toContain('--yes');
    expect(await json(['tenants', 'get', 'gamma'])).toMatchObject({ status: 'ACTIVE' });

    const deletion = await cli(['tenants', 'delete', 'gamma', '--yes']);
    expectExit(deletion, 0);
    expect(deletion.stdout).toMatch(/^status\s+DELETING$/m);
    // Followed by id: once the record is a tombstone, the slug no longer finds it.
    expect((await watchToEnd(ids.gamma!)).stdout).toMatch(/^DELETE job succeeded in \S+; tenant \S+ is DELETED$/m);
    // The tombstone keeps no slug (issue 15 item 10): found by its id, not by the slug it had.
    expect(await json(['tenants', 'get', ids.gamma!])).toMatchObject({ id: ids.gamma, status: 'DELETED', slug: `deleted-${ids.gamma}` });
    expectExit(await cli(['tenants', 'get', 'gamma']), 5);

    const typed = await json<{ status: string; jobId: string }>(['tenants', 'delete', 'beta'], { input: 'beta\n' });
    expect(typed.status).toBe('DELETING');
    await watchToEnd(ids.beta!);
    // A deleted tenant's operations are conflicts.
    expectExit(await cli(['tenants', 'suspend', ids.beta!]), 6);
  });

  it('drives the infrastructure API: get, update, transitions, deprovision and provision', async () => {
    const get = await cli(['infra', 'get', 'acme']);
    expectExit(get, 0);
    expect(get.stdout).toMatch(/^status\s+ACTIVE$/m);
    expect(get.stdout).toMatch(/^namespace\s+matih-acme$/m);
    expectExit(await cli(['infra', 'update', 'acme']), 2);
    const update = await json<{ jobId: string; desiredState: { configuration: { enableHa: boolean; storageGb: number } } }>(['infra', 'update', 'acme', '--no-enable-ha', '--storage-gb', '250']);
    expect(update.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(update.desiredState.configuration).toMatchObject({ enableHa: false, storageGb: 250 });
    await watchToEnd('acme');

    const transitions = await cli(['infra', 'transitions', 'acme']);
    expectExit(transitions, 0);
    expect(transitions.stdout).toMatch(/^SEQ\s+TIME\s+FROM\s+TO\s+TRIGGER\s+JOB$/m);
    const two = await json<Page<{ seq: number }>>(['infra', 'transitions', 'acme', '--limit', '2']);
    expect(two.items).toHaveLength(2);
    expect(two.nextCursor).toBe(two.items[1]!.seq);
    const every = await json<Page<{ seq: number }>>(['infra', 'transitions', 'acme', '--limit', '2', '--all']);
    expect(every.nextCursor).toBeNull();
    expect(every.items.length).toBeGreaterThan(2);
    expect(every.items.map((t) => t.seq)).toEqual([...every.items.map((t) => t.seq)].sort((a, b) => a - b));

    const deprovision = await cli(['infra', 'deprovision', 'acme'], { input: 'acme\n' });
    expectExit(deprovision, 0);
    await watchToEnd('acme');
    expect(await json(['infra', 'get', 'acme'])).toMatchObject({ status: 'DEPROVISIONED' });
    const provision = await json<{ jobId: string }>(['infra', 'provision', 'acme', '--tier', 'professional', '--region', 'eastus', '--cloud-provider', 'AZURE', '--storage-gb', '100']);
    expect(provision.jobId).toMatch(/^[0-9a-f-]{36}$/);
    await watchToEnd('acme');
    expect(await json(['infra', 'get', 'acme'])).toMatchObject({ status: 'ACTIVE', configuration: { storageGb: 100 } });

    const region = await cli(['infra', 'provision', 'acme', '--tier', 'professional', '--region', 'nowhere', '--cloud-provider', 'AZURE']);
    expectExit(region, 3);
    expect(region.stderr).toMatch(/^ {2}region: /m);
    expectExit(await cli(['infra', 'get', UNKNOWN_ID]), 5);
    expectExit(await cli(['infra', 'get', 'acme', '--infra-server', `http://127.0.0.1:${await freePort()}`]), 7);
  });

  it('reads the audit log as a table and JSON, filtered and paged; a bad filter exits 3', async () => {
    const [audit, badKind, badLimit] = await Promise.all([cli(['audit', 'acme']), cli(['audit', 'acme', '--kind', 'bogus']), cli(['audit', 'acme', '--limit', '0'])]);
    expectExit(audit, 0);
    expect(audit.stdout).toMatch(/^SEQ\s+TIME\s+KIND\s+TRIGGER\s+FROM\s+TO\s+STEP\s+ACTOR$/m);
    expectExit(badKind, 3);
    expect(badKind.stderr).toMatch(/^ {2}kind: unknown kind "bogus"/m);
    expectExit(badLimit, 2);
    const jobs = await json<Page<{ kind: string }>>(['audit', 'acme', '--kind', 'job', '--all']);
    expect(jobs.items.length).toBeGreaterThan(2);
    expect(new Set(jobs.items.map((e) => e.kind))).toEqual(new Set(['JOB']));
    expect(jobs.nextCursor).toBeNull();
    const succeeded = await json<Page<{ trigger: string }>>(['audit', 'acme', '--trigger', 'job.succeeded', '--limit', '500']);
    expect(succeeded.items.length).toBeGreaterThan(2);
    expect(new Set(succeeded.items.map((e) => e.trigger))).toEqual(new Set(['job.succeeded']));
    const three = await json<Page<{ seq: number }>>(['audit', 'acme', '--limit', '3']);
    expect(three.items.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(three.nextCursor).toBe(3);
    expect((await json<Page>(['audit', 'acme', '--from', '2000-01-01T00:00:00Z', '--to', '2000-01-02T00:00:00Z'])).items).toEqual([]);
  });

  it('keeps following across a service restart: reconnects with ?since and misses or repeats nothing', async () => {
    // After the retry above, the enterprise job waits an hour for its next attempt again.
    await waitFor(async () => ((await json<StatusDoc>(['tenants', 'status', 'ent'])).nextRetryAt ? true : undefined), 30_000, 'the retried job to wait again');
    const before = await json<Page<{ seq: number }>>(['audit', 'ent', '--all', '--limit', '500']);
    const since = before.items.at(-1)!.seq;

    const watch = startMatihctl(['tenants', 'status', 'ent', '--watch'], { config });
    await waitFor(async () => (watch.stdout().startsWith('tenant ent: PROVISION job') ? true : undefined), 20_000, 'the watch to connect');
    await service.kill();
    await waitFor(async () => (watch.stderr().includes('reconnecting') ? true : undefined), 20_000, 'the watch to notice');
    service = await startService(service.dataDir);
    expectExit(await cli(['tenants', 'cancel', 'ent']), 0);
    const result = await watch.done;
    expectExit(result, 1);
    expect(result.stderr).toContain('error job_cancelled');

    const after = await json<Page<{ seq: number; trigger: string }>>(['audit', 'ent', '--after', String(since), '--all', '--limit', '500']);
    expect(after.items.map((e) => e.trigger)).toContain('job.cancelled');
    expect(transitionTriggers(result.stdout)).toEqual(after.items.map((e) => e.trigger));
  }, 240_000);
});
