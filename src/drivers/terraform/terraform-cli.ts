import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type TerraformChanges,
  type TerraformDriver,
  type TerraformOutputs,
  type TerraformPlan,
  type TerraformRunOptions,
  type TerraformWorkspace,
} from '../contract.js';
import { type TerraformBackend, backendConfigArgs, backendEnvironment } from './terraform-backend.js';
import { type TerraformModuleSet, generateConfiguration, workingDirectory, writeConfiguration } from './terraform-configuration.js';
import { redactor, terraformEnvironment } from './terraform-env.js';
import { terraformOutputs } from './terraform-outputs.js';
import { runProcess } from './terraform-process.js';
import { TerraformStream } from './terraform-stream.js';

export interface TerraformCliOptions {
  /** `terraform`, `tofu`, or a path to either (MATIH_TERRAFORM_BINARY). */
  binary: string;
  /** Working directories live under it, one per tenant (MATIH_TERRAFORM_DIR, default <MATIH_DATA_DIR>/terraform). */
  rootDir: string;
  modules: TerraformModuleSet;
  backend: TerraformBackend;
  /**
   * Added to Terraform's environment (undefined removes a variable): the provider's credentials
   * (ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID), TF_CLI_CONFIG_FILE...
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** How long Terraform waits for a state lock held by another run before failing (retryably). */
  lockTimeoutSeconds?: number;
  interruptGraceMs?: number;
  /**
   * The host environment Terraform inherits from (only PATH, HOME, proxies, TF_*, ARM_* and the
   * like are taken: terraform-env.ts). Passed in, never read here: configuration reads the
   * environment, once, and picks this part for Terraform.
   */
  baseEnv: Readonly<Record<string, string | undefined>>;
}

const PLAN_FILE = 'tfplan';

/**
 * Terraform through its CLI, one working directory per tenant. Every command's machine-readable
 * stream is parsed into progress events and, on failure, into a DriverError carrying Terraform's
 * own diagnostic. Secrets (provider credentials, backend password) travel in the environment
 * only and are redacted from anything reported.
 */
export class TerraformCli implements TerraformDriver {
  private readonly env: NodeJS.ProcessEnv;
  private readonly redact: (text: string) => string;

  constructor(private readonly options: TerraformCliOptions) {
    const extra = { ...backendEnvironment(options.backend), ...options.env };
    this.env = terraformEnvironment(options.baseEnv, extra);
    const secretNames = /SECRET|PASSWORD|TOKEN|KEY/i;
    this.redact = redactor(Object.entries(extra).filter(([name]) => secretNames.test(name)).map(([, value]) => value));
  }

  /** The arguments each verb runs Terraform with, in order (exposed for tests and logs; no secret in them). */
  argsFor(verb: 'init' | 'plan' | 'apply' | 'output' | 'state-list' | 'destroy', workspace: TerraformWorkspace): string[] {
    const lock = `-lock-timeout=${this.options.lockTimeoutSeconds ?? 60}s`;
    switch (verb) {
      case 'init':
        return ['init', '-input=false', '-no-color', '-reconfigure', ...backendConfigArgs(this.options.backend, workspace.stateKey)];
      case 'plan':
        return ['plan', '-json', '-input=false', '-detailed-exitcode', lock, `-out=${PLAN_FILE}`];
      case 'apply':
        return ['apply', '-json', '-input=false', '-auto-approve', lock, PLAN_FILE];
      case 'output':
        return ['output', '-json', '-no-color'];
      case 'state-list':
        return ['state', 'list', '-no-color'];
      case 'destroy':
        return ['destroy', '-json', '-input=false', '-auto-approve', lock];
    }
  }

  directory(workspace: TerraformWorkspace): string {
    return workingDirectory(this.options.rootDir, workspace.tenantId);
  }

  async init(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<void> {
    const dir = this.directory(workspace);
    await writeConfiguration(dir, generateConfiguration(workspace, this.options.modules, this.options.backend));
    const backend = this.options.backend;
    if (backend.kind === 'local') await mkdir(path.dirname(path.join(backend.directory, workspace.stateKey)), { recursive: true, mode: 0o700 });
    const result = await this.exec(dir, this.argsFor('init', workspace), run.signal);
    // init has no -json on every supported version (terraform < 1.9, tofu): its errors are text.
    if (result.code !== 0) throw new TerraformStream(undefined, this.redact).error('init', errorText(result.stderr || result.stdout));
  }

  async plan(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformPlan> {
    const dir = this.directory(workspace);
    const stream = new TerraformStream(run.onProgress, this.redact);
    const result = await this.exec(dir, this.argsFor('plan', workspace), run.signal, stream);
    // -detailed-exitcode: 0 nothing to do, 2 changes (resources or outputs), 1 failed.
    if (result.code !== 0 && result.code !== 2) throw stream.error('plan', result.stderr);
    return { hasChanges: result.code === 2, changes: stream.changes(), planned: stream.planned };
  }

  async apply(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformChanges> {
    const dir = this.directory(workspace);
    const stream = new TerraformStream(run.onProgress, this.redact);
    try {
      const result = await this.exec(dir, this.argsFor('apply', workspace), run.signal, stream);
      if (result.code !== 0) throw stream.error('apply', result.stderr);
      return stream.changes();
    } finally {
      // The saved plan holds every value in clear, secrets included; it is not kept once used.
      await rm(path.join(dir, PLAN_FILE), { force: true });
    }
  }

  async output(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformOutputs> {
    const result = await this.exec(this.directory(workspace), this.argsFor('output', workspace), run.signal);
    // stdout holds sensitive values in clear: it is parsed, filtered, and never quoted in an error.
    if (result.code !== 0) throw new TerraformStream(undefined, this.redact).error('output', errorText(result.stderr));
    return terraformOutputs(result.stdout);
  }

  async resources(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<string[]> {
    const result = await this.exec(this.directory(workspace), this.argsFor('state-list', workspace), run.signal);
    if (result.code !== 0) {
      // An empty backend has no state to list: that is "no resources", not a failure.
      if (/no state file was found/i.test(result.stderr)) return [];
      throw new TerraformStream(undefined, this.redact).error('state list', errorText(result.stderr));
    }
    return result.stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  }

  async destroy(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformChanges> {
    const dir = this.directory(workspace);
    const stream = new TerraformStream(run.onProgress, this.redact);
    const result = await this.exec(dir, this.argsFor('destroy', workspace), run.signal, stream);
    if (result.code !== 0) throw stream.error('destroy', result.stderr);
    return stream.changes();
  }

  private async exec(cwd: string, args: string[], signal: AbortSignal, stream?: TerraformStream) {
    if (stream) {
      return runProcess({ binary: this.options.binary, args, cwd, env: this.env, signal, interruptGraceMs: this.graceMs(), onLine: (line) => stream.pushLine(line) });
    }
    return runProcess({ binary: this.options.binary, args, cwd, env: this.env, signal, interruptGraceMs: this.graceMs() });
  }

  private graceMs(): number {
    return this.options.interruptGraceMs ?? 30_000;
  }
}

/** The error part of Terraform's text output: from the first "Error:" on, else all of it. */
export function errorText(text: string): string {
  const at = text.indexOf('Error:');
  return at >= 0 ? text.slice(at) : text;
}

