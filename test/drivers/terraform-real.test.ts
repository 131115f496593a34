import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError, type TerraformProgress } from '../../src/drivers/contract.js';
import { builtinDedicatedModules } from '../../src/drivers/terraform/modules/builtin-dedicated.js';
import { TerraformCli } from '../../src/drivers/terraform/terraform-cli.js';
import { terraformWorkspace } from '../../src/steps/support/dedicated-infrastructure.js';
import { TerraformStateServer } from '../support/terraform-state-server.js';

/**
 * The Terraform driver running the real binary (terraform, else tofu) on a tenant configuration
 * made of built-in `terraform_data` resources, against an HTTP state backend this test serves on
 * loopback. Nothing is downloaded: an empty CLI configuration, no plugin cache, and a proxy that
 * goes nowhere for anything but loopback, so a stray network call fails instead of passing.
 */

function findBinary(): string | undefined {
  for (const candidate of [process.env.MATIH_TERRAFORM_BINARY, 'terraform', 'tofu']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['version'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const BINARY = findBinary();
const TITLE = BINARY
  ? `the real ${path.basename(BINARY)} binary`
  : 'the real terraform binary (SKIPPED: neither terraform nor tofu is installed on this machine)';

const TENANT = {
  id: '0194f3a0-7c1e-7a4b-9d2e-000000000abc',
  slug: 'globex',
  tier: 'ENTERPRISE' as const,
  region: 'westeurope',
  cloudProvider: 'AZURE' as const,
  adminEmail: 'admin@globex.example.com',
  namespace: 'matih-globex',
};
const WORKSPACE = terraformWorkspace(TENANT);
const STATE_PATH = `/tenants/${TENANT.id}.tfstate`;

describe.skipIf(!BINARY)(TITLE, () => {
  let dir: string;
  let server: TerraformStateServer;
  let cli: TerraformCli;
  const events: TerraformProgress[] = [];
  const run = { signal: new AbortController().signal, onProgress: (e: TerraformProgress) => events.push(e) };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'matih-tf-real-'));
    const cliConfig = path.join(dir, 'empty.tfrc');
    await writeFile(cliConfig, '');
    server = new TerraformStateServer();
    await server.start();
    cli = new TerraformCli({
      binary: BINARY!,
      rootDir: path.join(dir, 'work'),
      modules: builtinDedicatedModules(),
      backend: { kind: 'http', address: server.url, username: 'matih', password: 'state-pass-123' },
      lockTimeoutSeconds: 1,
      baseEnv: process.env,
      env: {
        TF_CLI_CONFIG_FILE: cliConfig,
        TF_PLUGIN_CACHE_DIR: undefined,
        TF_DATA_DIR: undefined,
        HTTP_PROXY: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1',
        http_proxy: undefined,
        https_proxy: undefined,
        no_proxy: undefined,
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies the tenant configuration into its state under tenants/{tenantId}.tfstate, under the backend lock', async () => {
    await cli.init(WORKSPACE, run);
    const plan = await cli.plan(WORKSPACE, run);
    expect(plan.hasChanges).toBe(true);
    expect(plan.changes).toEqual({ add: 4, change: 0, remove: 0 });
    expect(plan.planned.map((p) => p.address).sort()).toEqual(['terraform_data.cluster', 'terraform_data.database', 'terraform_data.network', 'terraform_data.storage']);

    server.requests.length = 0;
    expect(await cli.apply(WORKSPACE, run)).toEqual({ add: 4, change: 0, remove: 0 });
    const applyRequests = server.requests.map((r) => `${r.method} ${r.path}`);
    expect(applyRequests[0]).toBe(`LOCK ${STATE_PATH}`);
    expect(applyRequests).toContain(`POST ${STATE_PATH}`);
    expect(applyRequests.at(-1)).toBe(`UNLOCK ${STATE_PATH}`);
    expect(server.locks.size).toBe(0);
    // Credentials reached the backend from the environment, and were written nowhere on disk.
    expect(server.requests.every((r) => r.auth === 'matih:state-pass-123')).toBe(true);
    const workDir = path.join(dir, 'work', TENANT.id);
    const backendRecord = await readFile(path.join(workDir, '.terraform', 'terraform.tfstate'), 'utf8');
    expect(backendRecord).toContain(`${server.url}${STATE_PATH}`);
    expect(backendRecord + (await readFile(path.join(workDir, 'main.tf.json'), 'utf8'))).not.toContain('state-pass-123');
    // The saved plan (every value in clear) is gone once applied.
    await expect(readFile(path.join(workDir, 'tfplan'))).rejects.toThrow(/ENOENT/);

    expect([...server.states.keys()]).toEqual([STATE_PATH]);
    const state = server.state(WORKSPACE.stateKey)!;
    expect(state.resources.map((r) => `${r.type}.${r.name}`).sort()).toEqual(['terraform_data.cluster', 'terraform_data.database', 'terraform_data.network', 'terraform_data.storage']);
    expect(events.filter((e) => e.type === 'apply_complete')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'change_summary').at(-1)?.changes).toEqual({ add: 4, change: 0, remove: 0, operation: 'apply' });
  });

  it('reads the outputs, withholding the sensitive one', async () => {
    const outputs = await cli.output(WORKSPACE, run);
    expect(outputs.values).toMatchObject({
      cluster_name: 'matih-globex-aks',
      resource_group: 'rg-matih-globex',
      postgres_fqdn: 'psql-matih-globex.postgres.local',
      storage_account_name: WORKSPACE.infrastructure.names.storageAccount,
    });
    expect(typeof outputs.values.cluster_id).toBe('string');
    expect(outputs.sensitive).toEqual(['postgres_admin_password']);
    expect(Object.keys(outputs.values)).not.toContain('postgres_admin_password');
    expect(await cli.resources(WORKSPACE, run)).toHaveLength(4);
  });

  it('plans nothing the second time, also from a fresh init', async () => {
    await cli.init(WORKSPACE, run);
    const plan = await cli.plan(WORKSPACE, run);
    expect(plan).toEqual({ hasChanges: false, changes: { add: 0, change: 0, remove: 0 }, planned: [] });
  });

  it('fails retryably while another run holds the state lock', async () => {
    server.locks.set(STATE_PATH, { ID: 'other-run', Who: 'someone@elsewhere', Operation: 'OperationTypeApply' });
    try {
      const error = await cli.plan(WORKSPACE, run).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DriverError);
      expect((error as DriverError).retryable).toBe(true);
      expect((error as DriverError).message).toMatch(/state lock/i);
    } finally {
      server.locks.clear();
    }
  });

  it('destroys everything, leaving an empty state behind', async () => {
    server.requests.length = 0;
    expect(await cli.destroy(WORKSPACE, run)).toMatchObject({ remove: 4 });
    const methods = server.requests.map((r) => r.method);
    expect(methods[0]).toBe('LOCK');
    expect(methods.at(-1)).toBe('UNLOCK');
    expect(server.state(WORKSPACE.stateKey)?.resources).toEqual([]);
    expect(await cli.resources(WORKSPACE, run)).toEqual([]);
    expect(await cli.destroy(WORKSPACE, run)).toMatchObject({ remove: 0 });
  });
});
