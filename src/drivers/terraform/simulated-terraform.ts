import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import {
  DriverError,
  type TerraformChanges,
  type TerraformDriver,
  type TerraformOutputs,
  type TerraformPlan,
  type TerraformRunOptions,
  type TerraformWorkspace,
} from '../contract.js';
import { type TerraformBackend } from './terraform-backend.js';
import { type TerraformJson, type TerraformModuleSet, type TerraformOutputDeclaration, generateConfiguration } from './terraform-configuration.js';
import { simMessages as m } from './simulated-terraform-messages.js';
import type { SimulatedTerraformResource, SimulatedTerraformState, SimulatedTerraformStateStore } from './simulated-terraform-state.js';
import { TerraformStream } from './terraform-stream.js';

/** A resource whose create, update or delete fails, as a cloud API refusing it would. */
export interface SimulatedTerraformFault {
  address: string;
  operation: 'apply' | 'destroy';
  /** The diagnostic's summary; it is classified as Terraform's is (a "state lock" or a 503 is retryable). */
  summary: string;
  detail?: string;
  /** Fail this many times, then succeed; unset: every time. */
  times?: number;
}

export interface SimulatedTerraformOptions {
  modules: TerraformModuleSet;
  state: SimulatedTerraformStateStore;
  /** Time each resource takes (MATIH_SIM_DELAY_MS). */
  delayMs?: number;
  faults?: readonly SimulatedTerraformFault[];
}

interface Action {
  address: string;
  action: 'create' | 'update' | 'delete';
  desired?: { type: string; name: string; values: Record<string, unknown> };
}

interface SavedPlan {
  serial: number;
  actions: Action[];
}

// The simulated runner has no backend of its own; the configuration shows the default one.
const NO_BACKEND: TerraformBackend = { kind: 'local', directory: '.' };

/**
 * SimulatedTerraform: a TEST DOUBLE of the Terraform CLI (DESIGN.md section 5), in the manner of
 * LocalStack. It generates the same configuration as the real driver from the same module set,
 * plans by comparing it with the state it keeps (create, update, delete), applies resource by
 * resource, and reports through the very messages Terraform prints with -json, parsed by the same
 * code. Output values are resolved for plain references (`${type.name.attr}`); anything Terraform
 * would compute is a stable stand-in. Faults make a named resource fail mid-apply.
 */
export class SimulatedTerraform implements TerraformDriver {
  private readonly plans = new Map<string, SavedPlan>();
  private readonly configs = new Map<string, TerraformJson>();
  private readonly faultCounts = new Map<string, number>();

  constructor(private options: SimulatedTerraformOptions) {}

  /** Tests change latency and faults while the service runs. */
  configure(options: Partial<Pick<SimulatedTerraformOptions, 'delayMs' | 'faults'>>): void {
    this.options = { ...this.options, ...options };
    if (options.faults) this.faultCounts.clear();
  }

  async init(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<void> {
    checkAborted(run.signal, 'init');
    this.configs.set(workspace.stateKey, generateConfiguration(workspace, this.options.modules, NO_BACKEND));
  }

  async plan(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformPlan> {
    checkAborted(run.signal, 'plan');
    const config = this.config(workspace);
    const state = (await this.options.state.get(workspace)) ?? emptyState();
    const stream = new TerraformStream(run.onProgress);
    const actions = diff(desiredResources(config), state);
    for (const a of actions) stream.push(m.plannedChange(a.address, a.action));
    const changes = count(actions);
    stream.push(m.changeSummary(changes, 'plan'));
    const outputs = outputDeclarations(config);
    const outputsChanged = !isDeepStrictEqual(
      Object.keys(outputs).sort(),
      Object.keys(state.outputs).sort(),
    );
    stream.push(m.outputs(Object.fromEntries(Object.entries(outputs).map(([n, o]) => [n, { sensitive: o.sensitive === true, action: n in state.outputs ? 'noop' : 'create' }]))));
    this.plans.set(workspace.stateKey, { serial: state.serial, actions });
    return { hasChanges: actions.length > 0 || outputsChanged, changes, planned: stream.planned };
  }

  async apply(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformChanges> {
    const plan = this.plans.get(workspace.stateKey);
    this.plans.delete(workspace.stateKey);
    const stream = new TerraformStream(run.onProgress);
    const state = (await this.options.state.get(workspace)) ?? emptyState();
    if (!plan || plan.serial !== state.serial) {
      stream.push(m.diagnostic('Saved plan is stale', 'The given plan file can no longer be applied because the state was changed by another operation after the plan was created.'));
      throw stream.error('apply');
    }
    await this.perform(workspace, state, plan.actions, 'apply', stream, run.signal);
    state.outputs = resolveOutputs(outputDeclarations(this.config(workspace)), state);
    state.serial++;
    await this.options.state.put(workspace, state);
    const changes = count(plan.actions);
    stream.push(m.changeSummary(changes, 'apply'));
    stream.push(m.outputs(Object.fromEntries(Object.entries(state.outputs).map(([n, o]) => [n, o.sensitive ? { sensitive: true } : { sensitive: false, value: o.value }]))));
    return changes;
  }

  async output(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformOutputs> {
    checkAborted(run.signal, 'output');
    const state = (await this.options.state.get(workspace)) ?? emptyState();
    const values: Record<string, unknown> = {};
    const sensitive: string[] = [];
    for (const [name, o] of Object.entries(state.outputs)) {
      if (o.sensitive) sensitive.push(name);
      else values[name] = o.value;
    }
    return { values, sensitive: sensitive.sort() };
  }

  async resources(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<string[]> {
    checkAborted(run.signal, 'state list');
    const state = await this.options.state.get(workspace);
    return (state?.resources ?? []).map((r) => r.address).sort();
  }

  async destroy(workspace: TerraformWorkspace, run: TerraformRunOptions): Promise<TerraformChanges> {
    const stream = new TerraformStream(run.onProgress);
    const state = (await this.options.state.get(workspace)) ?? emptyState();
    const actions: Action[] = [...state.resources].reverse().map((r) => ({ address: r.address, action: 'delete' }));
    await this.perform(workspace, state, actions, 'destroy', stream, run.signal);
    state.outputs = {};
    state.serial++;
    await this.options.state.put(workspace, state);
    const changes = { add: 0, change: 0, remove: actions.length };
    stream.push(m.changeSummary(changes, 'destroy'));
    return changes;
  }

  /** Applies `actions` one by one, saving the state after each, as Terraform persists partial progress. */
  private async perform(
    workspace: TerraformWorkspace,
    state: SimulatedTerraformState,
    actions: readonly Action[],
    operation: 'apply' | 'destroy',
    stream: TerraformStream,
    signal: AbortSignal,
  ): Promise<void> {
    for (const a of actions) {
      checkAborted(signal, operation);
      stream.push(m.applyStart(a.address, a.action));
      await this.wait(signal, operation);
      const fault = this.fault(a.address, operation);
      if (fault) {
        stream.push(m.applyErrored(a.address, a.action, 0));
        stream.push(m.diagnostic(fault.summary, fault.detail, a.address));
        state.serial++;
        await this.options.state.put(workspace, state);
        throw stream.error(operation);
      }
      const id = a.action === 'delete' ? (state.resources.find((r) => r.address === a.address)?.id ?? '') : simulatedId(workspace.stateKey, a.address);
      if (a.action === 'delete') state.resources = state.resources.filter((r) => r.address !== a.address);
      else if (a.desired) upsert(state, { address: a.address, ...a.desired, id });
      stream.push(m.applyComplete(a.address, a.action, id, 0));
      await this.options.state.put(workspace, state);
    }
  }

  private fault(address: string, operation: 'apply' | 'destroy'): SimulatedTerraformFault | undefined {
    const fault = (this.options.faults ?? []).find((f) => f.address === address && f.operation === operation);
    if (!fault) return undefined;
    const key = `${operation}:${address}`;
    const seen = this.faultCounts.get(key) ?? 0;
    if (fault.times !== undefined && seen >= fault.times) return undefined;
    this.faultCounts.set(key, seen + 1);
    return fault;
  }

  private async wait(signal: AbortSignal, operation: string): Promise<void> {
    const ms = this.options.delayMs ?? 0;
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, { signal });
    } catch {
      checkAborted(signal, operation);
    }
  }

  private config(workspace: TerraformWorkspace): TerraformJson {
    return this.configs.get(workspace.stateKey) ?? generateConfiguration(workspace, this.options.modules, NO_BACKEND);
  }
}

/** As the real runner reports an interrupted command: retryable, the next holder resumes. */
function checkAborted(signal: AbortSignal, command: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  throw new DriverError(`terraform ${command} interrupted: ${reason instanceof Error ? reason.message : 'aborted'}`, true);
}

function emptyState(): SimulatedTerraformState {
  return { serial: 0, resources: [], outputs: {} };
}

function desiredResources(config: TerraformJson): Map<string, { type: string; name: string; values: Record<string, unknown> }> {
  const out = new Map<string, { type: string; name: string; values: Record<string, unknown> }>();
  const resources = (config.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, values] of Object.entries(byName)) out.set(`${type}.${name}`, { type, name, values });
  }
  return out;
}

function diff(desired: Map<string, { type: string; name: string; values: Record<string, unknown> }>, state: SimulatedTerraformState): Action[] {
  const actions: Action[] = [];
  for (const [address, d] of desired) {
    const actual = state.resources.find((r) => r.address === address);
    if (!actual) actions.push({ address, action: 'create', desired: d });
    else if (!isDeepStrictEqual(actual.values, d.values)) actions.push({ address, action: 'update', desired: d });
  }
  for (const r of [...state.resources].reverse()) if (!desired.has(r.address)) actions.push({ address: r.address, action: 'delete' });
  return actions;
}

function count(actions: readonly Action[]): TerraformChanges {
  return {
    add: actions.filter((a) => a.action === 'create').length,
    change: actions.filter((a) => a.action === 'update').length,
    remove: actions.filter((a) => a.action === 'delete').length,
  };
}

function upsert(state: SimulatedTerraformState, resource: SimulatedTerraformResource): void {
  const at = state.resources.findIndex((r) => r.address === resource.address);
  if (at >= 0) state.resources[at] = { ...resource, id: state.resources[at]!.id };
  else state.resources.push(resource);
}

function outputDeclarations(config: TerraformJson): Record<string, TerraformOutputDeclaration> {
  return (config.output ?? {}) as Record<string, TerraformOutputDeclaration>;
}

function simulatedId(stateKey: string, address: string): string {
  return `sim-${createHash('sha256').update(`${stateKey}\n${address}`).digest('hex').slice(0, 16)}`;
}

const REFERENCE = /^\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+)\}$/;

function resolveOutputs(declared: Record<string, TerraformOutputDeclaration>, state: SimulatedTerraformState): SimulatedTerraformState['outputs'] {
  const outputs: SimulatedTerraformState['outputs'] = {};
  for (const [name, o] of Object.entries(declared)) {
    outputs[name] = o.sensitive === true ? { sensitive: true } : { sensitive: false, value: resolve(o.value, state) };
  }
  return outputs;
}

/**
 * An output's value: a plain reference to a resource attribute is looked up in what was applied
 * (`id`, a configured argument, terraform_data's `output` mirroring its `input`); what only the
 * cloud would know (an FQDN, a computed id) becomes a stable stand-in.
 */
function resolve(value: unknown, state: SimulatedTerraformState): unknown {
  if (typeof value !== 'string' || !value.includes('${')) return value;
  const match = REFERENCE.exec(value);
  const standIn = `sim-computed-${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
  if (!match) return standIn;
  const [, type, name, path] = match as unknown as [string, string, string, string];
  const resource = state.resources.find((r) => r.address === `${type}.${name}`);
  if (!resource) return standIn;
  if (path === 'id') return resource.id;
  const segments = path.split('.');
  if (type === 'terraform_data' && segments[0] === 'output') segments[0] = 'input';
  let at: unknown = resource.values;
  for (const segment of segments) {
    if (typeof at !== 'object' || at === null || !(segment in at)) return standIn;
    at = (at as Record<string, unknown>)[segment];
  }
  return typeof at === 'string' && at.includes('${') ? resolve(at, state) : at;
}
