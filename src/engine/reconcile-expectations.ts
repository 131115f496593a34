import { isIP } from 'node:net';
import { StepName, planFor } from '../domain/plans.js';
import { InfrastructureStatus } from '../domain/infrastructure.js';
import { JobKind } from '../domain/provisioning.js';
import type { Tier } from '../domain/tiers.js';
import type { DnsRecordSet, DnsZoneObservation, InventoryItem, TenantDatabaseObservation, TenantDatabaseSpec } from '../drivers/contract.js';
import { TENANT_A_RECORDS } from '../steps/handlers/create-dns-zone.js';
import { RENEW_BEFORE_MS } from '../steps/handlers/create-tenant-ingress.js';
import { LABEL } from '../steps/manifests/index.js';

/**
 * What a live tenant should have, read from what its steps recorded (phase outputs), and the pure
 * comparisons with what the drivers observe. The outputs are the inventory: each step names every
 * object it holds, the schemas and role it made, the records it wrote and the certificate's
 * expiry, so the reconciler never has to build manifests (or read secrets) to know what to expect.
 */

/** One way a tenant differs from its declaration; `step` is the step whose re-run repairs it. */
export interface Difference {
  kind: 'object' | 'database' | 'dns' | 'certificate' | 'generation' | 'status';
  step: StepName | null;
  message: string;
}

/** Differences of the actual state; generation and status say the declaration or the last job moved, not the world. */
export function isDrift(d: Difference): boolean {
  return d.kind !== 'generation' && d.kind !== 'status';
}

type Outputs = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

const DAY_MS = 24 * 3600 * 1000;

/** The steps a RECONCILE job of `tier` runs again: only their resources can be repaired by one. */
export function repairableSteps(tier: Tier): ReadonlySet<StepName> {
  return new Set(planFor(tier, JobKind.RECONCILE).steps.map((s) => s.name));
}

/** Per step, the objects it recorded holding ("Kind/name"). */
export function expectedObjects(outputs: Outputs, tier: Tier): Map<StepName, ReadonlySet<string>> {
  const steps = repairableSteps(tier);
  const expected = new Map<StepName, ReadonlySet<string>>();
  for (const [step, out] of Object.entries(outputs)) {
    if (!steps.has(step as StepName) || !Array.isArray(out.objects)) continue;
    expected.set(step as StepName, new Set(out.objects.filter((o): o is string => typeof o === 'string')));
  }
  return expected;
}

/**
 * Objects a step recorded but the cluster lacks; objects carrying a step's labels that it no
 * longer declares (its re-run prunes them); and objects changed after the tenant's last job
 * commit, when the driver tells when an object changed: nobody but a job of the tenant writes
 * its objects, so a later change is someone else's.
 */
export function compareObjects(expected: ReadonlyMap<StepName, ReadonlySet<string>>, actual: readonly InventoryItem[], lastJobCommitAt: Date): Difference[] {
  const differences: Difference[] = [];
  const present = new Set<string>();
  for (const item of actual) {
    const name = `${item.kind}/${item.name}`;
    present.add(name);
    const step = item.labels[LABEL.step] as StepName | undefined;
    const declared = step === undefined ? undefined : expected.get(step);
    if (step === undefined || !declared) continue;
    if (!declared.has(name)) differences.push({ kind: 'object', step, message: `${name} is not declared by ${step}` });
    else if (item.changedAt && item.changedAt.getTime() > lastJobCommitAt.getTime()) {
      differences.push({ kind: 'object', step, message: `${name} changed outside the control plane` });
    }
  }
  for (const [step, names] of expected) {
    for (const name of names) if (!present.has(name)) differences.push({ kind: 'object', step, message: `${name} missing` });
  }
  return differences;
}

/** The tenant's database as SETUP_DATABASE recorded it, with what it recorded as migrated; undefined before the step ran. */
export function expectedDatabase(tenantId: string, outputs: Outputs): { spec: TenantDatabaseSpec; migrationVersion: number | null } | undefined {
  const out = outputs[StepName.SETUP_DATABASE];
  if (!out || !Array.isArray(out.schemas) || typeof out.role !== 'string') return undefined;
  const isolation = out.isolation === 'DATABASE_PER_TENANT' ? 'DATABASE_PER_TENANT' : 'SCHEMA_PER_TENANT';
  const spec: TenantDatabaseSpec = {
    tenantId,
    isolation,
    schemas: out.schemas.filter((s): s is string => typeof s === 'string'),
    role: out.role,
    ...(isolation === 'DATABASE_PER_TENANT' && typeof out.database === 'string' ? { database: out.database } : {}),
  };
  return { spec, migrationVersion: typeof out.migrationVersion === 'number' ? out.migrationVersion : null };
}

export function compareDatabase(expected: NonNullable<ReturnType<typeof expectedDatabase>>, seen: TenantDatabaseObservation): Difference[] {
  const step = StepName.SETUP_DATABASE;
  const { spec } = expected;
  const differences: Difference[] = [];
  if (spec.isolation === 'DATABASE_PER_TENANT' && !seen.databasePresent) differences.push({ kind: 'database', step, message: `database ${spec.database ?? '?'} missing` });
  if (!seen.rolePresent) differences.push({ kind: 'database', step, message: `role ${spec.role} missing` });
  for (const schema of spec.schemas) if (!seen.schemasPresent.includes(schema)) differences.push({ kind: 'database', step, message: `schema ${schema} missing` });
  if (expected.migrationVersion !== null && (seen.migrationVersion ?? 0) < expected.migrationVersion) {
    differences.push({ kind: 'database', step, message: `tenant migrations at version ${seen.migrationVersion ?? 'none'}, want ${expected.migrationVersion}` });
  }
  return differences;
}

export interface ExpectedZone {
  zone: string;
  parentZone: string;
  /** The delegation's label in the parent zone: the slug. */
  delegation: string;
  nameServers: string[];
  address: string;
}

/** The tenant zone as CREATE_DNS_ZONE recorded it, pointing at the address DEPLOY_INGRESS_CONTROLLER last recorded. */
export function expectedZone(slug: string, outputs: Outputs): ExpectedZone | undefined {
  const out = outputs[StepName.CREATE_DNS_ZONE];
  const ingress = outputs[StepName.DEPLOY_INGRESS_CONTROLLER];
  const address = typeof ingress?.loadBalancerIp === 'string' ? ingress.loadBalancerIp : out?.loadBalancerIp;
  if (!out || typeof out.zone !== 'string' || typeof out.parentZone !== 'string' || typeof address !== 'string') return undefined;
  const nameServers = Array.isArray(out.nameServers) ? out.nameServers.filter((n): n is string => typeof n === 'string') : [];
  return { zone: out.zone, parentZone: out.parentZone, delegation: slug, nameServers, address };
}

/** The A (or AAAA) records of the tenant zone; `ttl` when the deployment's is known. */
export function compareZone(expected: ExpectedZone, zone: DnsZoneObservation, ttl?: number): Difference[] {
  const step = StepName.CREATE_DNS_ZONE;
  if (!zone.exists) return [{ kind: 'dns', step, message: `DNS zone ${expected.zone} missing` }];
  const type = isIP(expected.address) === 6 ? 'AAAA' : 'A';
  const differences: Difference[] = [];
  for (const name of TENANT_A_RECORDS) {
    const message = compareRecordSet(zone.records, expected.zone, { name, type, ttl: ttl ?? -1, values: [expected.address] }, ttl !== undefined);
    if (message) differences.push({ kind: 'dns', step, message });
  }
  return differences;
}

/** The delegation of the tenant zone in the parent zone (NS records naming the child's name servers). */
export function compareDelegation(expected: ExpectedZone, parent: DnsZoneObservation, ttl?: number): Difference[] {
  const message = parent.exists
    ? compareRecordSet(parent.records, expected.parentZone, { name: expected.delegation, type: 'NS', ttl: ttl ?? -1, values: expected.nameServers }, ttl !== undefined)
    : `DNS zone ${expected.parentZone} missing`;
  return message ? [{ kind: 'dns', step: StepName.CREATE_DNS_ZONE, message }] : [];
}

function compareRecordSet(held: readonly DnsRecordSet[], zone: string, want: DnsRecordSet, checkTtl: boolean): string | undefined {
  const label = `${want.type} ${want.name === '@' ? zone : `${want.name}.${zone}`}`;
  const found = held.find((r) => r.name === want.name && r.type === want.type);
  if (!found) return `${label} missing`;
  // Providers may return values in any order, and name servers in any case (as the step compares them).
  const norm = (values: readonly string[]) => values.map((v) => v.toLowerCase()).sort().join(', ');
  if (norm(found.values) !== norm(want.values)) return `${label} is ${norm(found.values) || 'empty'}, want ${norm(want.values)}`;
  if (checkTtl && found.ttl !== want.ttl) return `${label} has TTL ${found.ttl}, want ${want.ttl}`;
  return undefined;
}

/** A certificate the step would renew on its next run (the local CA's; cert-manager renews its own). */
export function compareCertificate(outputs: Outputs, now: Date): Difference[] {
  const notAfter = outputs[StepName.CREATE_TENANT_INGRESS]?.notAfter;
  if (typeof notAfter !== 'string') return [];
  const left = new Date(notAfter).getTime() - now.getTime();
  if (Number.isNaN(left) || left >= RENEW_BEFORE_MS) return [];
  const message = left > 0 ? `certificate expires in ${Math.floor(left / DAY_MS)} days` : `certificate expired on ${notAfter}`;
  return [{ kind: 'certificate', step: StepName.CREATE_TENANT_INGRESS, message }];
}

/** A declaration newer than the last job that converged, or a last job that failed: either needs a run. */
export function compareDeclaration(c: { generation: number; observedGeneration: number; infrastructureStatus: string | null }): Difference[] {
  const differences: Difference[] = [];
  if (c.generation > c.observedGeneration) differences.push({ kind: 'generation', step: null, message: `generation ${c.generation}, observed ${c.observedGeneration}` });
  if (c.infrastructureStatus === InfrastructureStatus.FAILED) differences.push({ kind: 'status', step: null, message: 'infrastructure FAILED after its last job' });
  return differences;
}
