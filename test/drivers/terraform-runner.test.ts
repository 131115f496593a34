import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError, type TerraformProgress, type TerraformWorkspace } from '../../src/drivers/contract.js';
import { azureDedicatedModules } from '../../src/drivers/terraform/modules/azure-dedicated.js';
import { builtinDedicatedModules } from '../../src/drivers/terraform/modules/builtin-dedicated.js';
import { moduleSetByCloud } from '../../src/drivers/terraform/modules/by-cloud.js';
import { SimulatedTerraform } from '../../src/drivers/terraform/simulated-terraform.js';
import { memoryTerraformStateStore } from '../support/memory-terraform-state.js';
import { backendConfigArgs, backendEnvironment, stateAddress } from '../../src/drivers/terraform/terraform-backend.js';
import { TerraformCli } from '../../src/drivers/terraform/terraform-cli.js';
import { CONFIG_FILE, generateConfiguration, workingDirectory, writeConfiguration } from '../../src/drivers/terraform/terraform-configuration.js';
import { terraformEnvironment } from '../../src/drivers/terraform/terraform-env.js';
import { isTransientText } from '../../src/drivers/terraform/terraform-errors.js';
import { parseTerraformLine } from '../../src/drivers/terraform/terraform-messages.js';
import { terraformOutputs } from '../../src/drivers/terraform/terraform-outputs.js';
import { runProcess } from '../../src/drivers/terraform/terraform-process.js';
import { TerraformStream } from '../../src/drivers/terraform/terraform-stream.js';
import { terraformWorkspace } from '../../src/steps/support/dedicated-infrastructure.js';
import type { TenantFacts } from '../../src/steps/step.js';

/**
 * The Terraform driver without a Terraform binary: the -json stream as Terraform 1.11 prints it
 * (lines captured from a real run), the arguments and environment each command gets, the
 * configuration written for a tenant, and the simulated runner that stands in for the binary.
 */

const TENANT: TenantFacts = {
  id: '0194f3a0-7c1e-7a4b-9d2e-3f4a5b6c7d8e',
  slug: 'acme-corp',
  tier: 'ENTERPRISE',
  region: 'westeurope',
  cloudProvider: 'AZURE',
  adminEmail: 'admin@acme.example.com',
  namespace: 'matih-acme-corp',
};
const WORKSPACE: TerraformWorkspace = terraformWorkspace(TENANT);
const signal = new AbortController().signal;

// Captured from `terraform apply -json` (1.11.4) of a configuration with a failing local-exec provisioner.
const RES = (name: string) =>
  `{"addr":"terraform_data.${name}","module":"","resource":"terraform_data.${name}","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"${name}","resource_key":null}`;
const APPLY_STREAM = [
  '{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","@timestamp":"2026-11-23T13:18:01.030103Z","terraform":"1.11.4","type":"version","ui":"1.2"}',
  `{"@level":"info","@message":"terraform_data.net: Plan to create","@module":"terraform.ui","change":{"resource":${RES('net')},"action":"create"},"type":"planned_change"}`,
  `{"@level":"info","@message":"terraform_data.bad: Plan to create","@module":"terraform.ui","change":{"resource":${RES('bad')},"action":"create"},"type":"planned_change"}`,
  `{"@level":"info","@message":"terraform_data.net: Creating...","@module":"terraform.ui","hook":{"resource":${RES('net')},"action":"create"},"type":"apply_start"}`,
  `{"@level":"info","@message":"terraform_data.net: Creation complete after 0s [id=84ead6a9]","@module":"terraform.ui","hook":{"resource":${RES('net')},"action":"create","id_key":"id","id_value":"84ead6a9","elapsed_seconds":0},"type":"apply_complete"}`,
  `{"@level":"info","@message":"terraform_data.bad: Creating...","@module":"terraform.ui","hook":{"resource":${RES('bad')},"action":"create"},"type":"apply_start"}`,
  `{"@level":"info","@message":"terraform_data.bad: (local-exec): failing","@module":"terraform.ui","hook":{"resource":${RES('bad')},"provisioner":"local-exec","output":"failing"},"type":"provision_progress"}`,
  `{"@level":"info","@message":"terraform_data.bad: Creation errored after 0s","@module":"terraform.ui","hook":{"resource":${RES('bad')},"action":"create","elapsed_seconds":0},"type":"apply_errored"}`,
  '{"@level":"error","@message":"Error: local-exec provisioner error","@module":"terraform.ui","diagnostic":{"severity":"error","summary":"local-exec provisioner error","detail":"Error running command \'exit 3\': exit status 3. Output: failing\\n","address":"terraform_data.bad","range":{"filename":"main.tf.json"}},"type":"diagnostic"}',
];

function collect(lines: readonly string[], redact?: (text: string) => string): { stream: TerraformStream; events: TerraformProgress[] } {
  const events: TerraformProgress[] = [];
  const stream = new TerraformStream((e) => events.push(e), redact);
  for (const line of lines) stream.pushLine(line);
  return { stream, events };
}

describe('the -json stream', () => {
  it('parses Terraform messages and passes over anything else', () => {
    expect(parseTerraformLine(APPLY_STREAM[1]!)).toMatchObject({ type: 'planned_change', change: { action: 'create', resource: { addr: 'terraform_data.net' } } });
    for (const line of ['', 'Initializing the backend...', '{not json', '[1,2]', '{"type":"x"}']) expect(parseTerraformLine(line)).toBeUndefined();
  });

  it('becomes progress events per resource, without the banner or provisioner output', () => {
    const { events, stream } = collect(APPLY_STREAM);
    expect(events.map((e) => [e.type, e.address, e.action])).toEqual([
      ['planned_change', 'terraform_data.net', 'create'],
      ['planned_change', 'terraform_data.bad', 'create'],
      ['apply_start', 'terraform_data.net', 'create'],
      ['apply_complete', 'terraform_data.net', 'create'],
      ['apply_start', 'terraform_data.bad', 'create'],
      ['apply_errored', 'terraform_data.bad', 'create'],
      ['diagnostic', 'terraform_data.bad', undefined],
    ]);
    expect(events.find((e) => e.type === 'diagnostic')).toMatchObject({ level: 'error', message: 'Error: local-exec provisioner error' });
    expect(stream.planned).toEqual([
      { address: 'terraform_data.net', action: 'create' },
      { address: 'terraform_data.bad', action: 'create' },
    ]);
    expect(stream.errored).toEqual(['terraform_data.bad']);
  });

  it('turns an error diagnostic into a permanent DriverError naming the summary, detail and resource', () => {
    const error = collect(APPLY_STREAM).stream.error('apply');
    expect(error).toBeInstanceOf(DriverError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("terraform apply failed: local-exec provisioner error: Error running command 'exit 3': exit status 3. Output: failing (terraform_data.bad)");
  });

  it('reads the change summary', () => {
    const { stream, events } = collect([
      '{"@level":"info","@message":"Apply complete! Resources: 2 added, 1 changed, 0 destroyed.","changes":{"add":2,"change":1,"import":0,"remove":0,"operation":"apply"},"type":"change_summary"}',
    ]);
    expect(stream.changes()).toEqual({ add: 2, change: 1, remove: 0 });
    expect(events[0]).toMatchObject({ type: 'change_summary', changes: { add: 2, change: 1, remove: 0, operation: 'apply' } });
  });

  it.each([
    ['Error acquiring the state lock', 'Error message: HTTP remote state already locked: ID=9f1c', true],
    ['Failed to save state', 'HTTP error: 503', true],
    ['Error: creating Kubernetes Cluster', 'dial tcp 20.50.1.1:443: i/o timeout', true],
    ['Saved plan is stale', 'The given plan file can no longer be applied', true],
    ['creating Resource Group', 'unexpected status 403 (403 Forbidden) with error: AuthorizationFailed', false],
    ['HTTP remote state endpoint requires auth', '', false],
    ['Invalid reference', 'A reference to a resource type must be followed by at least one attribute access', false],
    ['creating Storage Account', 'StorageAccountAlreadyTaken: The storage account named x is already taken.', false],
  ])('classifies "%s" (%s) as retryable=%s', (summary, detail, retryable) => {
    expect(isTransientText(`${summary} ${detail}`)).toBe(retryable);
    const line = JSON.stringify({ '@level': 'error', '@message': `Error: ${summary}`, type: 'diagnostic', diagnostic: { severity: 'error', summary, detail } });
    expect(collect([line]).stream.error('plan').retryable).toBe(retryable);
  });

  it('is permanent when one of several errors is permanent', () => {
    const d = (summary: string) => JSON.stringify({ '@level': 'error', '@message': summary, type: 'diagnostic', diagnostic: { severity: 'error', summary } });
    const error = collect([d('Error acquiring the state lock'), d('Unsupported argument')]).stream.error('plan');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Unsupported argument');
  });

  it('falls back to the end of stderr when there is no diagnostic, and redacts known secrets everywhere', () => {
    const redact = (text: string) => text.replaceAll('hunter2-secret', '[REDACTED]');
    const { stream, events } = collect(
      [JSON.stringify({ '@level': 'warn', '@message': 'Warning: token hunter2-secret', type: 'log' })],
      redact,
    );
    expect(events[0]!.message).toBe('Warning: token [REDACTED]');
    const error = stream.error('init', 'Error: Failed to get existing workspaces: password hunter2-secret refused: connection refused');
    expect(error.message).not.toContain('hunter2-secret');
    expect(error.retryable).toBe(true);
  });
});

describe('command lines and environment', () => {
  const http = { kind: 'http' as const, address: 'https://state.example.com/v1/states', username: 'matih', password: 's3cret-backend-pass' };

  it('addresses the tenant state under tenants/{tenantId}.tfstate, lock and unlock on the same URL', () => {
    expect(WORKSPACE.stateKey).toBe(`tenants/${TENANT.id}.tfstate`);
    expect(backendConfigArgs(http, WORKSPACE.stateKey)).toEqual([
      `-backend-config=address=https://state.example.com/v1/states/tenants/${TENANT.id}.tfstate`,
      `-backend-config=lock_address=https://state.example.com/v1/states/tenants/${TENANT.id}.tfstate`,
      `-backend-config=unlock_address=https://state.example.com/v1/states/tenants/${TENANT.id}.tfstate`,
    ]);
    expect(stateAddress('https://gitlab.example.com/api/v4/projects/7/terraform/state/{key}', 'tenants/a.tfstate')).toBe(
      'https://gitlab.example.com/api/v4/projects/7/terraform/state/tenants/a.tfstate',
    );
    const gitlab = { kind: 'http' as const, address: 'https://g/state/{key}', lockAddress: 'https://g/state/{key}/lock', lockMethod: 'POST', unlockMethod: 'DELETE' };
    expect(backendConfigArgs(gitlab, 'tenants/a.tfstate')).toEqual([
      '-backend-config=address=https://g/state/tenants/a.tfstate',
      '-backend-config=lock_address=https://g/state/tenants/a.tfstate/lock',
      '-backend-config=unlock_address=https://g/state/tenants/a.tfstate/lock',
      '-backend-config=lock_method=POST',
      '-backend-config=unlock_method=DELETE',
    ]);
    expect(() => backendConfigArgs(http, 'tenants/../../etc')).toThrow(DriverError);
  });

  it('gives the backend credentials in the environment, never in an argument', () => {
    const cli = new TerraformCli({ binary: 'terraform', rootDir: '/var/lib/matih/terraform', modules: builtinDedicatedModules(), backend: http, baseEnv: {} });
    const all = (['init', 'plan', 'apply', 'output', 'state-list', 'destroy'] as const).flatMap((verb) => cli.argsFor(verb, WORKSPACE));
    expect(all.join(' ')).not.toContain('s3cret-backend-pass');
    expect(all.join(' ')).not.toContain('matih');
    expect(backendEnvironment(http)).toEqual({ TF_HTTP_USERNAME: 'matih', TF_HTTP_PASSWORD: 's3cret-backend-pass' });
  });

  it('runs each verb with the machine-readable, non-interactive flags', () => {
    const cli = new TerraformCli({ binary: 'tofu', rootDir: '/r', modules: builtinDedicatedModules(), backend: { kind: 'local', directory: '/r/state' }, lockTimeoutSeconds: 90, baseEnv: {} });
    expect(cli.argsFor('init', WORKSPACE)).toEqual(['init', '-input=false', '-no-color', '-reconfigure', `-backend-config=path=/r/state/tenants/${TENANT.id}.tfstate`]);
    expect(cli.argsFor('plan', WORKSPACE)).toEqual(['plan', '-json', '-input=false', '-detailed-exitcode', '-lock-timeout=90s', '-out=tfplan']);
    expect(cli.argsFor('apply', WORKSPACE)).toEqual(['apply', '-json', '-input=false', '-auto-approve', '-lock-timeout=90s', 'tfplan']);
    expect(cli.argsFor('output', WORKSPACE)).toEqual(['output', '-json', '-no-color']);
    expect(cli.argsFor('destroy', WORKSPACE)).toEqual(['destroy', '-json', '-input=false', '-auto-approve', '-lock-timeout=90s']);
    expect(cli.directory(WORKSPACE)).toBe(`/r/${TENANT.id}`);
  });

  it("passes Terraform what it needs of the environment and none of the control plane's secrets", () => {
    const env = terraformEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/matih',
        DATABASE_URL: 'postgres://u:p@db/x',
        MATIH_SECRET_KEY: 'k',
        TF_LOG: 'TRACE',
        TF_PLUGIN_CACHE_DIR: '/cache',
        TF_CLI_CONFIG_FILE: '/etc/tfrc',
        ARM_USE_MSI: 'true',
        HTTPS_PROXY: 'http://proxy:3128',
      },
      { TF_PLUGIN_CACHE_DIR: undefined, ARM_CLIENT_SECRET: 'sp-secret' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/matih',
      TF_CLI_CONFIG_FILE: '/etc/tfrc',
      ARM_USE_MSI: 'true',
      HTTPS_PROXY: 'http://proxy:3128',
      ARM_CLIENT_SECRET: 'sp-secret',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
    });
  });
});

describe('the configuration of a tenant', () => {
  const backend = { kind: 'http' as const, address: 'https://state.example.com', password: 'never-in-config' };

  it('declares the AKS cluster, network, storage and PostgreSQL of spec/003 on Azure, under an empty http backend block', () => {
    const config = generateConfiguration(WORKSPACE, azureDedicatedModules(), backend);
    const resource = config.resource as Record<string, Record<string, Record<string, unknown>>>;
    expect(config.terraform).toEqual({
      backend: { http: {} },
      required_providers: { azurerm: { source: 'hashicorp/azurerm', version: '~> 4.0' }, random: { source: 'hashicorp/random', version: '~> 3.6' } },
    });
    expect(Object.keys(resource).sort()).toEqual([
      'azurerm_kubernetes_cluster', 'azurerm_postgresql_flexible_server', 'azurerm_private_dns_zone',
      'azurerm_private_dns_zone_virtual_network_link', 'azurerm_resource_group', 'azurerm_storage_account', 'azurerm_subnet',
      'azurerm_virtual_network', 'random_password',
    ]);
    expect(resource.azurerm_resource_group!.tenant).toMatchObject({ name: 'rg-matih-acme-corp', location: 'westeurope', tags: { 'matih-tenant-id': TENANT.id } });
    expect(resource.azurerm_kubernetes_cluster!.tenant).toMatchObject({
      name: 'matih-acme-corp-aks',
      default_node_pool: { vnet_subnet_id: '${azurerm_subnet.aks.id}' },
      identity: { type: 'SystemAssigned' },
    });
    const storageName = String(resource.azurerm_storage_account!.tenant!.name);
    expect(storageName).toMatch(/^[a-z0-9]{3,24}$/);
    expect(resource.azurerm_postgresql_flexible_server!.tenant).toMatchObject({
      name: 'psql-matih-acme-corp',
      public_network_access_enabled: false,
      administrator_password: '${random_password.postgres.result}',
    });
    const outputs = config.output as Record<string, { sensitive?: boolean }>;
    expect(Object.entries(outputs).filter(([, o]) => o.sensitive).map(([n]) => n).sort()).toEqual(['kube_config', 'postgres_admin_password']);
    expect(JSON.stringify(config)).not.toContain('never-in-config');
  });

  it('keeps storage account names unique per tenant and within Azure limits for the longest slugs', () => {
    const long = { ...TENANT, slug: 'a'.repeat(40) };
    const one = terraformWorkspace({ ...long, id: '0194f3a0-0000-7000-8000-000000000001' }).infrastructure.names.storageAccount;
    const two = terraformWorkspace({ ...long, id: '0194f3a0-0000-7000-8000-000000000002' }).infrastructure.names.storageAccount;
    expect(one).toMatch(/^[a-z0-9]{3,24}$/);
    expect(one).not.toBe(two);
  });

  it('refuses, permanently, to build Azure infrastructure for a tenant on another cloud', () => {
    const aws = terraformWorkspace({ ...TENANT, cloudProvider: 'AWS', region: 'eu-west-1' });
    expect(() => generateConfiguration(aws, azureDedicatedModules(), backend)).toThrow(/AZURE \(AKS\) only/);
    expect(() => generateConfiguration(aws, moduleSetByCloud({ AZURE: azureDedicatedModules() }), backend)).toThrow(/no Terraform modules for AWS/);
    const fallback = generateConfiguration(aws, moduleSetByCloud({ AZURE: azureDedicatedModules() }, builtinDedicatedModules()), backend);
    expect(Object.keys(fallback.resource as object)).toEqual(['terraform_data']);
  });

  describe('on disk', () => {
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'matih-tf-config-'));
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('is main.tf.json in the tenant directory, rewritten only when it changes', async () => {
      const dir = workingDirectory(root, TENANT.id);
      const config = generateConfiguration(WORKSPACE, builtinDedicatedModules(), backend);
      expect(await writeConfiguration(dir, config)).toBe(true);
      expect(await writeConfiguration(dir, config)).toBe(false);
      const written = JSON.parse(await readFile(path.join(root, TENANT.id, CONFIG_FILE), 'utf8')) as Record<string, unknown>;
      expect(written).toEqual(config);
    });

    it('never lets a tenant id leave the root', () => {
      for (const id of ['../etc', 'a/b', '', '.hidden']) expect(() => workingDirectory(root, id)).toThrow(DriverError);
    });
  });
});

describe('outputs', () => {
  it('keeps the non-sensitive values and withholds the sensitive ones (and any not marked either way)', () => {
    const stdout = JSON.stringify({
      cluster_name: { sensitive: false, type: 'string', value: 'matih-acme-aks' },
      kube_config: { sensitive: true, type: 'string', value: 'apiVersion: v1\nusers: [token: abc]' },
      odd: { type: 'string', value: 'unmarked' },
    });
    const outputs = terraformOutputs(stdout);
    expect(outputs).toEqual({ values: { cluster_name: 'matih-acme-aks' }, sensitive: ['kube_config', 'odd'] });
    expect(JSON.stringify(outputs)).not.toContain('token: abc');
  });

  it('does not quote unparseable output (it may hold secrets)', () => {
    expect(() => terraformOutputs('password=hunter2 {')).toThrow(/not JSON$/);
  });
});

describe('the CLI driver against a stand-in binary', () => {
  let dir: string;
  let binary: string;
  let record: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'matih-tf-fake-'));
    binary = path.join(dir, 'fake-terraform');
    record = path.join(dir, 'calls.log');
    // Prints what a real terraform prints for each verb; exit codes as -detailed-exitcode documents them.
    await writeFile(
      binary,
      `#!/bin/sh
echo "$* | pw=\${TF_HTTP_PASSWORD:-none} | auto=\${TF_IN_AUTOMATION:-}" >> "${record}"
case "$1" in
  init) echo "Terraform has been successfully initialized!"; exit 0 ;;
  plan) printf '%s\\n' '${APPLY_STREAM[1]}'; printf '%s\\n' '{"@level":"info","@message":"Plan: 1 to add, 0 to change, 0 to destroy.","changes":{"add":1,"change":0,"import":0,"remove":0,"operation":"plan"},"type":"change_summary"}'; exit 2 ;;
  apply) printf '%s\\n' '${APPLY_STREAM[3]}'; printf '%s\\n' '${APPLY_STREAM[4]}'; printf '%s\\n' '{"@level":"info","@message":"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.","changes":{"add":1,"change":0,"import":0,"remove":0,"operation":"apply"},"type":"change_summary"}'; exit 0 ;;
  output) printf '%s\\n' '{"name":{"sensitive":false,"type":"string","value":"n1"},"secret":{"sensitive":true,"type":"string","value":"do-not-keep"}}'; exit 0 ;;
  state) echo "terraform_data.net"; exit 0 ;;
  destroy) printf '%s\\n' '${APPLY_STREAM[8]?.replace(/'/g, "'\\''")}'; exit 1 ;;
  sleep) trap 'kill $! 2>/dev/null; echo interrupted >&2; exit 130' INT; sleep 30 & wait ;;
esac
`,
    );
    await chmod(binary, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs init, plan, apply, output and state list, reading exit codes and streams as Terraform writes them', async () => {
    const cli = new TerraformCli({
      binary,
      rootDir: path.join(dir, 'work'),
      modules: builtinDedicatedModules(),
      backend: { kind: 'http', address: 'http://127.0.0.1:1/state', password: 'pw-123456' },
      baseEnv: process.env,
    });
    const events: TerraformProgress[] = [];
    const run = { signal, onProgress: (e: TerraformProgress) => events.push(e) };
    await cli.init(WORKSPACE, run);
    const plan = await cli.plan(WORKSPACE, run);
    expect(plan).toEqual({ hasChanges: true, changes: { add: 1, change: 0, remove: 0 }, planned: [{ address: 'terraform_data.net', action: 'create' }] });
    expect(await cli.apply(WORKSPACE, run)).toEqual({ add: 1, change: 0, remove: 0 });
    expect(await cli.output(WORKSPACE, run)).toEqual({ values: { name: 'n1' }, sensitive: ['secret'] });
    expect(await cli.resources(WORKSPACE, run)).toEqual(['terraform_data.net']);
    expect(events.map((e) => e.type)).toEqual(['planned_change', 'change_summary', 'apply_start', 'apply_complete', 'change_summary']);

    const calls = (await readFile(record, 'utf8')).trim().split('\n');
    expect(calls.map((c) => c.split(' ')[0])).toEqual(['init', 'plan', 'apply', 'output', 'state']);
    expect(calls.every((c) => c.endsWith('| pw=pw-123456 | auto=1'))).toBe(true);
    expect(calls[0]).toContain(`-backend-config=address=http://127.0.0.1:1/state/tenants/${TENANT.id}.tfstate`);
    expect(await readFile(path.join(dir, 'work', TENANT.id, CONFIG_FILE), 'utf8')).toContain('terraform_data');
  });

  it('reports a failed command with its diagnostic', async () => {
    const cli = new TerraformCli({ binary, rootDir: path.join(dir, 'work'), modules: builtinDedicatedModules(), backend: { kind: 'local', directory: path.join(dir, 'state') }, baseEnv: process.env });
    const error = await cli.destroy(WORKSPACE, { signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toMatch(/^terraform destroy failed: local-exec provisioner error: .*\(terraform_data\.bad\)$/);
  });

  it('says a missing binary is missing, permanently', async () => {
    const error = await runProcess({ binary: path.join(dir, 'no-such-terraform'), args: ['version'], cwd: dir, env: {}, signal, interruptGraceMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(false);
    expect((error as DriverError).message).toContain('was not found');
  });

  it('interrupts Terraform with SIGINT when the job lets go, as a retryable failure', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runProcess({ binary, args: ['sleep'], cwd: dir, env: { PATH: process.env.PATH }, signal: controller.signal, interruptGraceMs: 5000 });
    setTimeout(() => controller.abort(new Error('lease lost')), 200);
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(true);
    expect((error as DriverError).message).toBe('terraform sleep interrupted: lease lost');
    // SIGINT ended it: the SIGKILL grace period (5 s) was not needed.
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('the simulated runner', () => {
  function simulated() {
    const state = memoryTerraformStateStore();
    return { state, terraform: new SimulatedTerraform({ modules: builtinDedicatedModules(), state }) };
  }

  it('plans, applies and reads outputs like the binary, then plans nothing', async () => {
    const { terraform, state } = simulated();
    const events: TerraformProgress[] = [];
    const run = { signal, onProgress: (e: TerraformProgress) => events.push(e) };
    await terraform.init(WORKSPACE, run);
    const plan = await terraform.plan(WORKSPACE, run);
    expect(plan.hasChanges).toBe(true);
    expect(plan.changes).toEqual({ add: 4, change: 0, remove: 0 });
    expect(await terraform.apply(WORKSPACE, run)).toEqual({ add: 4, change: 0, remove: 0 });
    expect(events.filter((e) => e.type === 'apply_complete').map((e) => e.address)).toEqual([
      'terraform_data.network', 'terraform_data.cluster', 'terraform_data.storage', 'terraform_data.database',
    ]);
    expect(events.find((e) => e.type === 'apply_complete')!.message).toMatch(/^terraform_data\.network: Creation complete after 0s \[id=sim-[0-9a-f]+\]$/);
    const outputs = await terraform.output(WORKSPACE, run);
    expect(outputs.values).toMatchObject({ cluster_name: 'matih-acme-corp-aks', postgres_fqdn: 'psql-matih-acme-corp.postgres.local', resource_group: 'rg-matih-acme-corp' });
    expect(outputs.sensitive).toEqual(['postgres_admin_password']);
    expect(state.keys()).toEqual([WORKSPACE.stateKey]);
    expect(await terraform.plan(WORKSPACE, run)).toEqual({ hasChanges: false, changes: { add: 0, change: 0, remove: 0 }, planned: [] });
  });

  it('fails mid-apply with the diagnostic, keeps what it made, and finishes on the next attempt', async () => {
    const { terraform } = simulated();
    terraform.configure({ faults: [{ address: 'terraform_data.storage', operation: 'apply', summary: 'creating Storage Account', detail: 'StorageAccountAlreadyTaken', times: 1 }] });
    const run = { signal };
    await terraform.init(WORKSPACE, run);
    await terraform.plan(WORKSPACE, run);
    const error = await terraform.apply(WORKSPACE, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(false);
    expect((error as DriverError).message).toBe('terraform apply failed: creating Storage Account: StorageAccountAlreadyTaken (terraform_data.storage)');
    expect(await terraform.resources(WORKSPACE, run)).toEqual(['terraform_data.cluster', 'terraform_data.network']);
    expect((await terraform.plan(WORKSPACE, run)).changes).toEqual({ add: 2, change: 0, remove: 0 });
    expect(await terraform.apply(WORKSPACE, run)).toEqual({ add: 2, change: 0, remove: 0 });
  });

  it('refuses to apply a plan the state has moved past', async () => {
    const { terraform } = simulated();
    const run = { signal };
    await terraform.init(WORKSPACE, run);
    await terraform.plan(WORKSPACE, run);
    await terraform.destroy(WORKSPACE, run);
    const error = await terraform.apply(WORKSPACE, run).catch((e: unknown) => e);
    expect((error as DriverError).message).toContain('Saved plan is stale');
    expect((error as DriverError).retryable).toBe(true);
  });

  it('destroys in reverse order and leaves an empty state', async () => {
    const { terraform } = simulated();
    const events: TerraformProgress[] = [];
    const run = { signal, onProgress: (e: TerraformProgress) => events.push(e) };
    await terraform.init(WORKSPACE, run);
    await terraform.plan(WORKSPACE, run);
    await terraform.apply(WORKSPACE, run);
    events.length = 0;
    expect(await terraform.destroy(WORKSPACE, run)).toEqual({ add: 0, change: 0, remove: 4 });
    expect(events.filter((e) => e.type === 'apply_complete').map((e) => e.address)).toEqual([
      'terraform_data.database', 'terraform_data.storage', 'terraform_data.cluster', 'terraform_data.network',
    ]);
    expect(await terraform.resources(WORKSPACE, run)).toEqual([]);
    expect(await terraform.output(WORKSPACE, run)).toEqual({ values: {}, sensitive: [] });
    expect(await terraform.destroy(WORKSPACE, run)).toEqual({ add: 0, change: 0, remove: 0 });
  });
});
