/**
 * The service's smoke test, as a user meets it: start it on the embedded defaults, wait for
 * /ready, create a tenant with the bootstrap token, see it provisioned to ACTIVE, stop it with
 * SIGTERM; the embedded DNS server must answer for the tenant's zone. Run by `scripts/smoke-node-versions.sh` (Node 20, 22, 24) and, client half only, by
 * `deploy/image/test-image.sh` (the container image).
 *
 *   tsx scripts/smoke-service.ts --node /path/to/node
 *     starts `<node> dist/main.js` (run `npm run build` first) on free loopback ports with a fresh
 *     data directory (so its own embedded PostgreSQL), runs the checks, stops it, and removes the
 *     directory. The service must exit 0 and leave no PostgreSQL running.
 *   tsx scripts/smoke-service.ts --url http://127.0.0.1:8082 --infra-url http://127.0.0.1:8089 \
 *       --token-file /var/lib/matih/bootstrap-token [--watch-pid <pid>] [--dns 127.0.0.1:5353]
 *     the checks only, against a service started by the caller (which also stops it).
 *
 * Prints one line per stage with its time, and the Node version the service reports in its own
 * metrics (`matih_nodejs_version_info`), so a run proves which Node it ran on. Exit 0 or 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../src/store/server/free-port.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const started = Date.now();

function say(line: string): void {
  process.stdout.write(`[smoke ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
}

class SmokeFailure extends Error {}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value; a throw or undefined means "not yet". */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, gone?: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const why = gone?.();
    if (why !== undefined) throw new SmokeFailure(`${what}: ${why}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = ` (last: ${(error as Error).message})`;
    }
    if (Date.now() > deadline) throw new SmokeFailure(`${what}: not within ${timeoutMs / 1000} s${last}`);
    await sleep(250);
  }
}

async function request(url: string, token?: string, body?: unknown): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

interface Target {
  tenantUrl: string;
  infraUrl: string;
  tokenFile: string;
  /** host:port of the embedded DNS server, to ask for the new tenant's records; undefined: not asked. */
  dns: string | undefined;
  /** Why the service cannot answer any more (it exited), or undefined while it may. */
  gone: () => string | undefined;
}

/** The checks: ready, the Node version it runs on, a tenant created and provisioned to ACTIVE. */
async function smoke(target: Target, timeoutS: number): Promise<void> {
  const { tenantUrl, infraUrl, gone } = target;
  await until('GET /ready answering 200 on both ports', timeoutS * 1000, async () => {
    const [tenant, infra] = await Promise.all([request(`${tenantUrl}/ready`), request(`${infraUrl}/ready`)]);
    return tenant.status === 200 && infra.status === 200 ? true : undefined;
  }, gone);
  say(`ready: ${tenantUrl} and ${infraUrl}`);

  const token = await until('the bootstrap token file', 10_000, async () => fs.readFileSync(target.tokenFile, 'utf8').trim() || undefined, gone);
  const metrics = await request(`${tenantUrl}/metrics`, token);
  const version = /matih_nodejs_version_info\{[^}]*version="(v[\d.]+)"/.exec(metrics.text)?.[1];
  if (version === undefined) throw new SmokeFailure(`GET /metrics (${metrics.status}) names no matih_nodejs_version_info`);
  say(`the service runs on Node ${version}`);

  const n = randomBytes(4).toString('hex');
  const body = { name: `Smoke ${n}`, slug: `smoke-${n}`, tier: 'PROFESSIONAL', adminEmail: `admin@smoke-${n}.example.com`, cloudProvider: 'AZURE', region: 'eastus' };
  const created = await request(`${tenantUrl}/api/v1/tenants`, token, body);
  if (created.status !== 201) throw new SmokeFailure(`POST /api/v1/tenants answered ${created.status}: ${created.text}`);
  const id = (JSON.parse(created.text) as { id: string }).id;
  say(`tenant ${body.slug} created (${id}), provisioning`);

  await until('the tenant to be ACTIVE', timeoutS * 1000, async () => {
    const res = await request(`${tenantUrl}/api/v1/tenants/${id}/provisioning/status`, token);
    if (res.status !== 200) throw new Error(`status answered ${res.status}: ${res.text}`);
    const status = JSON.parse(res.text) as { status: string; job?: { status: string } };
    if (status.status === 'FAILED' || status.job?.status === 'FAILED') throw new SmokeFailure(`provisioning failed: ${res.text}`);
    return status.status === 'ACTIVE' && status.job?.status === 'SUCCEEDED' ? true : undefined;
  }, gone).catch((error: unknown) => {
    throw error instanceof SmokeFailure ? error : new SmokeFailure(String(error));
  });
  const tenant = await request(`${tenantUrl}/api/v1/tenants/${id}`, token);
  if (tenant.status !== 200 || (JSON.parse(tenant.text) as { status: string }).status !== 'ACTIVE') {
    throw new SmokeFailure(`GET /api/v1/tenants/${id} answered ${tenant.status}: ${tenant.text}`);
  }
  say('tenant ACTIVE, provisioning job SUCCEEDED');

  if (target.dns !== undefined) {
    // CREATE_DNS_ZONE put the tenant's zone on the embedded DNS server (MATIH_BASE_DOMAIN's default).
    const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 3 });
    resolver.setServers([target.dns]);
    const name = `api.${body.slug}.matih.localhost`;
    const addresses = await resolver.resolve4(name).catch((error: unknown) => {
      throw new SmokeFailure(`the embedded DNS server at ${target.dns} does not answer ${name}: ${(error as Error).message}`);
    });
    say(`DNS ${target.dns}: ${name} A ${addresses.join(', ')}`);
  }
}

/** The environment of this process minus anything that would configure the service by accident. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('MATIH_') || ['DATABASE_URL', 'TENANT_DATABASE_URL', 'KUBECONFIG', 'NODE_OPTIONS'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}

async function startAndSmoke(node: string, timeoutS: number): Promise<void> {
  const dist = path.join(ROOT, 'dist', 'main.js');
  if (!fs.existsSync(dist)) throw new SmokeFailure(`${dist} is missing: run npm run build first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matih-smoke-'));
  const [tenantPort, infraPort, dnsPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const env = {
    ...cleanEnv(),
    MATIH_TENANT_PORT: String(tenantPort),
    MATIH_INFRA_PORT: String(infraPort),
    MATIH_HOST: '127.0.0.1',
    MATIH_DATA_DIR: dataDir,
    MATIH_DNS_PORT: String(dnsPort),
  };
  say(`starting ${node} dist/main.js (data ${dataDir})`);
  const child: ChildProcess = spawn(node, [dist], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exit: string | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      exit = `could not start: ${error.message}`;
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => {
      exit ??= `exited (code ${String(code)}, signal ${String(signal)})`;
      resolve({ code, signal });
    });
  });
  const tail = () => output.split('\n').slice(-40).join('\n');
  try {
    await smoke(
      {
        tenantUrl: `http://127.0.0.1:${tenantPort}`,
        infraUrl: `http://127.0.0.1:${infraPort}`,
        tokenFile: path.join(dataDir, 'bootstrap-token'),
        dns: `127.0.0.1:${dnsPort}`,
        gone: () => exit,
      },
      timeoutS,
    );
    const stopAt = Date.now();
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([exited, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 30_000)))]);
    clearTimeout(timer);
    if (result === undefined) throw new SmokeFailure('no exit within 30 s of SIGTERM');
    if (result.code !== 0) throw new SmokeFailure(`SIGTERM: exited with code ${String(result.code)}, signal ${String(result.signal)}`);
    // The embedded server runs detached (it outlives a kill -9): a clean stop removes its pid file.
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    if (fs.existsSync(pidFile)) throw new SmokeFailure(`the embedded PostgreSQL still runs after the stop (${pidFile})`);
    say(`stopped with SIGTERM in ${((Date.now() - stopAt) / 1000).toFixed(1)} s, exit code 0, embedded PostgreSQL stopped`);
    // What the runtime warned about (deprecations on a newer Node): not a failure, but worth reading.
    const warnings = output.split('\n').filter((line) => /^\(node:\d+\)|Warning:/.test(line) && !line.startsWith('{'));
    for (const line of warnings.slice(0, 10)) say(`runtime warning: ${line}`);
  } catch (error) {
    process.stdout.write(`--- service output (last 40 lines) ---\n${tail()}\n---\n`);
    throw error;
  } finally {
    if (exit === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    stopLeftoverServer(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** After a failure, the detached embedded server of the data directory must not outlive the run. */
function stopLeftoverServer(dataDir: string): void {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    // No pid file or no such process: nothing runs.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      node: { type: 'string' },
      url: { type: 'string' },
      'infra-url': { type: 'string' },
      'token-file': { type: 'string' },
      // With --url: the pid of the process running the service, so that its end fails the run at once.
      'watch-pid': { type: 'string' },
      // With --url: host:port of the service's embedded DNS server, asked for the tenant's records.
      dns: { type: 'string' },
      timeout: { type: 'string', default: '120' },
    },
  });
  const timeoutS = Number(values.timeout);
  try {
    if (values.url !== undefined) {
      if (values['infra-url'] === undefined || values['token-file'] === undefined) throw new SmokeFailure('--url needs --infra-url and --token-file');
      const pid = values['watch-pid'] === undefined ? undefined : Number(values['watch-pid']);
      const gone = () => (pid === undefined || isRunning(pid) ? undefined : `the service's process ${pid} has exited`);
      await smoke({ tenantUrl: values.url, infraUrl: values['infra-url'], tokenFile: values['token-file'], dns: values.dns, gone }, timeoutS);
    } else {
      await startAndSmoke(values.node ?? process.execPath, timeoutS);
    }
    say('PASSED');
    return 0;
  } catch (error) {
    say(`FAILED: ${error instanceof SmokeFailure ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main();
