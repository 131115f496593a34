import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { StepName } from '../../src/domain/plans.js';
import { DriverError, type TerraformProgress } from '../../src/drivers/contract.js';
import { azureDedicatedModules } from '../../src/drivers/terraform/modules/azure-dedicated.js';
import { builtinDedicatedModules } from '../../src/drivers/terraform/modules/builtin-dedicated.js';
import { moduleSetByCloud } from '../../src/drivers/terraform/modules/by-cloud.js';
import { SimulatedServicePrincipals } from '../../src/drivers/terraform/simulated-service-principals.js';
import { SimulatedTerraform, type SimulatedTerraformFault } from '../../src/drivers/terraform/simulated-terraform.js';
import { simResourceTerraformStateStore } from '../../src/drivers/terraform/simulated-terraform-state.js';
import { migrate } from '../../src/store/migrate.js';
import { terraformLocks } from '../../src/store/migrations/0006-terraform-locks.js';
import type { Db } from '../../src/store/open-database.js';
import { deleteSimResource, getSimResource, listSimResources, upsertSimResource } from '../../src/store/sim/sim-resources.js';
import { terraformStateLockStore } from '../../src/store/terraform/terraform-state-lock-store.js';
import { terraformWorkspace } from '../../src/steps/support/dedicated-infrastructure.js';
import { enterpriseSteps } from '../../src/steps/registry.js';
import type { EnterpriseStepDeps } from '../../src/steps/support/enterprise-step-deps.js';
import type { StepContext, StepHandler, TenantFacts } from '../../src/steps/step.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';
import { PROVISION_OPERATION } from '../support/step-ports.js';

/**
 * The enterprise stages of spec/003 as the engine drives them: the service principal checked,
 * the tenant's state lock taken in the database, and Terraform (the simulated runner, keeping its
 * state in the database as a real backend would) applying the tenant's Azure configuration. What
 * users rely on: what a tenant gets, that a re-run after a crash changes nothing more, that a
 * failure says what Terraform said, and that rollback destroys and lets go of the lock.
 */

const MODULES = moduleSetByCloud({ AZURE: azureDedicatedModules() }, builtinDedicatedModules());
const AZURE_RESOURCES = [
  'azurerm_kubernetes_cluster.tenant', 'azurerm_postgresql_flexible_server.tenant', 'azurerm_private_dns_zone.postgres',
  'azurerm_private_dns_zone_virtual_network_link.postgres', 'azurerm_resource_group.tenant', 'azurerm_storage_account.tenant',
  'azurerm_subnet.aks', 'azurerm_subnet.postgres', 'azurerm_virtual_network.tenant', 'random_password.postgres',
];

interface Tenant {
  facts: TenantFacts;
  jobId: string;
}

/** A tenant with a RUNNING job holding a lease, as the engine has it while running its steps. */
async function enterpriseTenant(db: Db, cloudProvider: 'AZURE' | 'AWS' = 'AZURE'): Promise<Tenant> {
  const id = newId();
  const jobId = newId();
  const slug = `ent-${id.slice(-10)}`;
  await sql`insert into tenants (id, name, slug, tier, status, region, cloud_provider, admin_email)
    values (${id}, ${slug}, ${slug}, 'ENTERPRISE', 'PROVISIONING', ${cloudProvider === 'AZURE' ? 'westeurope' : 'eu-west-1'}, ${cloudProvider}, ${`${slug}@example.com`})`.execute(db);
  await sql`insert into tenant_provisioning_jobs (id, tenant_id, kind, tier, current_state, status, initiated_by, lease_owner, lease_until)
    values (${jobId}, ${id}, 'PROVISION', 'ENTERPRISE', 'VALIDATING_SERVICE_PRINCIPAL', 'RUNNING', 'test', 'worker-1', now() + interval '10 minutes')`.execute(db);
  return {
    jobId,
    facts: {
      id,
      slug,
      tier: 'ENTERPRISE',
      region: cloudProvider === 'AZURE' ? 'westeurope' : 'eu-west-1',
      cloudProvider,
      adminEmail: `${slug}@example.com`,
      namespace: `matih-${slug}`,
    },
  };
}

function contextFor(t: Tenant, outputs: StepContext['outputs'] = {}, signal = new AbortController().signal): StepContext {
  return { tenant: t.facts, jobId: t.jobId, operation: PROVISION_OPERATION, outputs, signal, provenance: { provisionedAt: '2025-01-15T10:00:00.000Z', provisionedBy: 'test' } };
}

async function rejectionOf(work: Promise<unknown>): Promise<DriverError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

describe('enterprise steps', () => {
  let database: TestDatabase;
  let db: Db;
  let principals: SimulatedServicePrincipals;
  let terraform: SimulatedTerraform;
  let deps: EnterpriseStepDeps;
  let progress: { event: TerraformProgress; tenantId: string; step: string }[];
  let steps: Record<'validate' | 'lock' | 'provision', StepHandler>;

  /** A fresh runner over the same database: what a replica taking over after a crash has. */
  function newRunner(faults: SimulatedTerraformFault[] = [], delayMs = 0): SimulatedTerraform {
    const state = simResourceTerraformStateStore({
      get: (tenantId, kind, name) => getSimResource(db, tenantId, kind, name),
      upsert: (r) => upsertSimResource(db, r),
      remove: (tenantId, kind, name) => deleteSimResource(db, tenantId, kind, name),
      list: (tenantId, step) => listSimResources(db, tenantId, step),
    });
    return new SimulatedTerraform({ modules: MODULES, state, faults, delayMs });
  }

  function build(lockLeaseMs = 60_000): void {
    deps = { servicePrincipals: principals, stateLocks: terraformStateLockStore(db), terraform };
    const [validate, lock, provision] = enterpriseSteps(deps, {
      lockLeaseMs,
      onProgress: (event, source) => progress.push({ event, tenantId: source.tenantId, step: source.step }),
    });
    steps = { validate: validate!, lock: lock!, provision: provision! };
  }

  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
    // Until the integrator lists 0006 in MIGRATIONS; a no-op once it is there.
    await migrate(db, [terraformLocks]);
  });
  afterAll(async () => {
    await database?.close();
  });

  function reset(faults: SimulatedTerraformFault[] = [], options: { delayMs?: number; lockLeaseMs?: number } = {}): void {
    principals = new SimulatedServicePrincipals({ subscriptionId: '11111111-2222-4333-8444-555555555555' });
    terraform = newRunner(faults, options.delayMs);
    progress = [];
    build(options.lockLeaseMs);
  }

  /** Runs the three steps in plan order, handing outputs on as the engine does. */
  async function runAll(t: Tenant) {
    const outputs: Record<string, Record<string, unknown>> = {};
    const validated = await steps.validate.run(contextFor(t, outputs));
    outputs[StepName.VALIDATE_SERVICE_PRINCIPAL] = validated.outputs;
    const locked = await steps.lock.run(contextFor(t, outputs));
    outputs[StepName.ACQUIRE_TERRAFORM_LOCK] = locked.outputs;
    const provisioned = await steps.provision.run(contextFor(t, outputs));
    return { validated, locked, provisioned, outputs };
  }

  it('builds the dedicated Azure infrastructure under the tenant lock and reports it', async () => {
    reset();
    const t = await enterpriseTenant(db);
    const stateKey = `tenants/${t.facts.id}.tfstate`;
    const { validated, locked, provisioned } = await runAll(t);

    expect(validated.outputs).toEqual({ validated: true, subscriptionId: '11111111-2222-4333-8444-555555555555' });
    expect(locked.outputs).toEqual({ stateKey, holderJobId: t.jobId });
    expect(await deps.stateLocks.holder(stateKey)).toMatchObject({ holderJobId: t.jobId });

    expect(provisioned.outputs).toMatchObject({
      stateKey,
      cluster: `matih-${t.facts.slug}-aks`,
      changes: { add: 10, change: 0, remove: 0 },
      resourceCount: 10,
      resources: AZURE_RESOURCES,
      sensitiveOutputs: ['kube_config', 'postgres_admin_password'],
    });
    const outputs = provisioned.outputs.terraformOutputs as Record<string, unknown>;
    expect(outputs).toMatchObject({ cluster_name: `matih-${t.facts.slug}-aks`, resource_group: `rg-matih-${t.facts.slug}`, postgres_admin_login: 'matihadmin' });
    expect(Object.keys(outputs)).not.toContain('kube_config');
    expect(Object.keys(outputs)).not.toContain('postgres_admin_password');
    expect(provisioned.placement).toEqual({ deploymentType: 'DEDICATED', azureAksClusterName: `matih-${t.facts.slug}-aks` });

    const applied = progress.filter((p) => p.event.type === 'apply_complete');
    expect(applied).toHaveLength(10);
    expect(applied.every((p) => p.tenantId === t.facts.id && p.step === StepName.PROVISION_INFRASTRUCTURE)).toBe(true);
  });

  it('changes nothing when run again, also by a fresh runner after a crash', async () => {
    reset();
    const t = await enterpriseTenant(db);
    const first = await runAll(t);
    terraform = newRunner();
    progress = [];
    build();
    const again = await runAll(t);
    expect(again.provisioned.outputs).toMatchObject({ changes: { add: 0, change: 0, remove: 0 }, resourceCount: 10 });
    expect(again.provisioned.outputs.terraformOutputs).toEqual(first.provisioned.outputs.terraformOutputs);
    expect(progress.filter((p) => p.event.type.startsWith('apply_'))).toEqual([]);
    expect(progress.find((p) => p.event.type === 'change_summary')?.event.message).toBe('Plan: 0 to add, 0 to change, 0 to destroy.');
  });

  it('reports a failure mid-apply with the diagnostic, and finishes the rest on the next attempt', async () => {
    reset([
      {
        address: 'azurerm_kubernetes_cluster.tenant',
        operation: 'apply',
        summary: 'creating Kubernetes Cluster',
        detail: 'unexpected status 503 (503 Service Unavailable) with error: ServiceUnavailable',
        times: 1,
      },
    ]);
    const t = await enterpriseTenant(db);
    const ctx = contextFor(t);
    await steps.validate.run(ctx);
    await steps.lock.run(ctx);
    const error = await rejectionOf(steps.provision.run(ctx));
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'terraform apply failed: creating Kubernetes Cluster: unexpected status 503 (503 Service Unavailable) with error: ServiceUnavailable (azurerm_kubernetes_cluster.tenant)',
    );
    expect(progress.find((p) => p.event.type === 'apply_errored')?.event.address).toBe('azurerm_kubernetes_cluster.tenant');

    const retried = await steps.provision.run(ctx);
    const done = (retried.outputs.changes as { add: number }).add;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(10);
    expect(retried.outputs.resourceCount).toBe(10);
  });

  it('fails permanently on a permanent error, and rollback destroys what was made and releases the lock', async () => {
    reset([{ address: 'azurerm_storage_account.tenant', operation: 'apply', summary: 'creating Storage Account', detail: 'StorageAccountAlreadyTaken: The storage account name is already taken.' }]);
    const t = await enterpriseTenant(db);
    const ctx = contextFor(t);
    const stateKey = `tenants/${t.facts.id}.tfstate`;
    await steps.validate.run(ctx);
    await steps.lock.run(ctx);
    const error = await rejectionOf(steps.provision.run(ctx));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('StorageAccountAlreadyTaken');
    const workspaceRun = { signal: ctx.signal };
    const ws = terraformWorkspace(t.facts);
    expect((await terraform.resources(ws, workspaceRun)).length).toBeGreaterThan(0);

    // The engine undoes newest first: PROVISION_INFRASTRUCTURE, then the lock.
    await steps.provision.rollback(ctx);
    expect(await terraform.resources(ws, workspaceRun)).toEqual([]);
    expect(await deps.stateLocks.holder(stateKey)).toMatchObject({ holderJobId: t.jobId });
    await steps.lock.rollback(ctx);
    expect(await deps.stateLocks.holder(stateKey)).toBeUndefined();
    // Undoing twice is harmless.
    await steps.provision.rollback(ctx);
    await steps.lock.rollback(ctx);
  });

  it('rolls a completed provisioning back: everything destroyed, lock released', async () => {
    reset();
    const t = await enterpriseTenant(db);
    const ctx = contextFor(t);
    await runAll(t);
    progress = [];
    await steps.provision.rollback(ctx);
    await steps.lock.rollback(ctx);
    expect(progress.filter((p) => p.event.type === 'apply_complete' && p.event.action === 'delete')).toHaveLength(10);
    expect(progress.find((p) => p.event.type === 'change_summary')?.event.changes).toEqual({ add: 0, change: 0, remove: 10, operation: 'destroy' });
    expect(await deps.stateLocks.holder(`tenants/${t.facts.id}.tfstate`)).toBeUndefined();
  });

  it('waits (retryably) while another running job holds the state, and touches nothing', async () => {
    reset();
    const t = await enterpriseTenant(db);
    const other = await enterpriseTenant(db);
    const stateKey = `tenants/${t.facts.id}.tfstate`;
    await deps.stateLocks.acquire(stateKey, other.jobId, 60_000);
    const ctx = contextFor(t);
    const locked = await rejectionOf(steps.lock.run(ctx));
    expect(locked.retryable).toBe(true);
    expect(locked.message).toContain(`locked by job ${other.jobId}`);
    const provisioning = await rejectionOf(steps.provision.run(ctx));
    expect(provisioning.retryable).toBe(true);
    expect(progress).toEqual([]);
    // Once the other job ends, the lock is free without anyone releasing it.
    await sql`update tenant_provisioning_jobs set status = 'SUCCEEDED', lease_owner = null, lease_until = null where id = ${other.jobId}`.execute(db);
    expect(await steps.lock.run(ctx)).toMatchObject({ outputs: { stateKey, holderJobId: t.jobId, tookOverFrom: other.jobId } });
  });

  it('interrupts Terraform when the lock is taken over mid-apply (this job stalled and lost its lease)', async () => {
    reset([], { delayMs: 400, lockLeaseMs: 3_000 });
    const t = await enterpriseTenant(db);
    const intruder = await enterpriseTenant(db);
    const ctx = contextFor(t);
    await steps.lock.run(ctx);
    const running = rejectionOf(steps.provision.run(ctx));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sql`update tenant_provisioning_jobs set lease_until = now() - interval '1 second' where id = ${t.jobId}`.execute(db);
    expect(await deps.stateLocks.acquire(`tenants/${t.facts.id}.tfstate`, intruder.jobId, 60_000)).toMatchObject({ acquired: true });
    const error = await running;
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/interrupted: lost the Terraform state lock .* to job /);
    // It stopped between resources rather than running all ten beside the new holder.
    expect(progress.filter((p) => p.event.type === 'apply_complete').length).toBeLessThan(10);
  });

  it('stops Terraform when the job is aborted (lease lost, shutting down)', async () => {
    reset([], { delayMs: 200 });
    const t = await enterpriseTenant(db);
    const controller = new AbortController();
    const ctx = contextFor(t, {}, controller.signal);
    await steps.lock.run(ctx);
    const running = rejectionOf(steps.provision.run(ctx));
    setTimeout(() => controller.abort(new Error('lease lost')), 300);
    const error = await running;
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('terraform apply interrupted: lease lost');
  });

  it('fails permanently when the service principal is rejected, retryably when it cannot be checked', async () => {
    reset();
    const t = await enterpriseTenant(db);
    principals.configure({ rejectReason: 'AADSTS7000222: The provided client secret keys are expired.' });
    const rejected = await rejectionOf(steps.validate.run(contextFor(t)));
    expect(rejected.retryable).toBe(false);
    expect(rejected.message).toBe('service principal invalid: AADSTS7000222: The provided client secret keys are expired.');
    principals.configure({ rejectReason: undefined, unavailableTimes: 1 });
    expect((await rejectionOf(steps.validate.run(contextFor(t)))).retryable).toBe(true);
    expect((await steps.validate.run(contextFor(t))).outputs).toMatchObject({ validated: true });
  });

  it('gives a tenant on another cloud the stand-in modules of the simulation, without an AKS name', async () => {
    reset();
    const t = await enterpriseTenant(db, 'AWS');
    const { provisioned } = await runAll(t);
    expect(provisioned.outputs).toMatchObject({ changes: { add: 4, change: 0, remove: 0 }, resourceCount: 4 });
    expect(provisioned.placement).toEqual({ deploymentType: 'DEDICATED' });
  });
});
