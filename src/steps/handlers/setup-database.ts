import { randomBytes } from 'node:crypto';
import { StepName } from '../../domain/plans.js';
import type { Difference } from '../../domain/drift.js';
import type { TenantDatabaseObservation, TenantDatabaseSpec } from '../../drivers/contract.js';
import { DATABASE_SECRET, setupDatabaseManifests } from '../manifests/index.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, KIND, stepOwner } from '../support/cluster-step.js';
import { observeHeld, syncObjects, teardownOwned } from '../support/cluster-sync.js';
import { databaseSpec } from '../support/database-spec.js';
import { observeObjects } from '../support/observe-objects.js';
import { heldTenantSecret } from '../support/secret-data.js';

/** The `tenant-database-credentials` Secret is the step's object; the rest is the database. */
export interface SetupDatabaseOutputs extends ClusterStepOutputs {
  isolation: TenantDatabaseSpec['isolation'];
  schemas: readonly string[];
  /** The tenant's login role. */
  role: string;
  database: string;
  host: string;
  port: number;
  /** The highest tenant migration applied, as observed after the run. */
  migrationVersion: number | null;
  /** Always true: the step fails unless the role could log in. */
  verifiedLogin: true;
  /** The login, sealed (SecretBox), for DEPLOY_SECRETS. */
  credentials: string;
  /** What this run had to (re)create: "role x", "database y", "schema z". */
  created: string[];
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    SETUP_DATABASE: SetupDatabaseOutputs;
  }
}

/**
 * spec/002 phase 4 and spec/004 phase 2: the tenant's nine schemas (or, for Enterprise, a
 * database of its own), a login role limited to them, the tenant migrations and seed data, a
 * login as that role to prove it works, and the `tenant-database-credentials` Secret.
 *
 * The password is generated once: a re-run reads it back from the Secret it wrote, so a crash
 * between the database and the Secret costs nothing but a repeated ALTER ROLE. The login goes to
 * the next step sealed (SecretBox) in this step's outputs, never in plain text.
 *
 * Rollback deletes the Secret, then drops exactly what the driver made (schemas or database,
 * and the role): the driver refuses objects marked as another tenant's.
 */
export function setupDatabase(drivers: StepDrivers, options: StepOptions): StepHandler {
  const name = StepName.SETUP_DATABASE;
  const kinds = [KIND.Secret];
  return {
    name,
    async run(ctx) {
      const spec = databaseSpec(ctx, options);
      const scope = { owner: stepOwner(ctx, name), kinds, namespace: ctx.tenant.namespace };
      // The step's Secret as its list finds it: the password to keep, and what the sync compares with.
      const held = await observeHeld(drivers.cluster, scope);
      const existing = heldTenantSecret(held.objects, ctx.tenant, DATABASE_SECRET);
      const password = existing?.POSTGRES_USER === spec.role && existing.POSTGRES_PASSWORD ? existing.POSTGRES_PASSWORD : randomBytes(24).toString('base64url');
      ctx.signal.throwIfAborted();
      // Observed first so that the outputs say what this run had to (re)create: drift, on a re-run.
      const before = await drivers.tenantDatabase.observe(spec);
      const created = [
        ...(before.rolePresent ? [] : [`role ${spec.role}`]),
        ...(spec.isolation === 'DATABASE_PER_TENANT' && !before.databasePresent && spec.database ? [`database ${spec.database}`] : []),
        ...spec.schemas.filter((schema) => !before.schemasPresent.includes(schema)).map((schema) => `schema ${schema}`),
      ];
      const connection = await drivers.tenantDatabase.ensure(spec, password);
      await drivers.tenantDatabase.verify(connection, spec);
      const observed = await drivers.tenantDatabase.observe(spec);
      const sync = await syncObjects(drivers.cluster, setupDatabaseManifests(ctx.tenant, connection), {
        ...scope,
        signal: ctx.signal,
        readyTimeoutMs: options.readyTimeoutMs,
        held,
      });
      return {
        outputs: {
          isolation: spec.isolation,
          schemas: spec.schemas,
          role: spec.role,
          database: connection.database,
          host: connection.host,
          port: connection.port,
          migrationVersion: observed.migrationVersion,
          verifiedLogin: true,
          credentials: drivers.secretBox.seal(JSON.stringify(connection)),
          objects: sync.objects,
          applied: sync.applied,
          pruned: sync.pruned,
          created,
        } satisfies SetupDatabaseOutputs,
      };
    },
    async observe(observed) {
      const recorded = recordedDatabase(observed.tenantId, observed.outputs[name]);
      // Asked at once, not after the objects: the detector reads the page's databases in one batch
      // of what its tenants ask for in the same turn.
      const [objects, seen] = await Promise.all([observeObjects(name, observed), recorded && observed.database(recorded.spec)]);
      if (!recorded || !seen) return objects;
      return [...objects, ...databaseDifferences(recorded, seen)];
    },
    async rollback(ctx) {
      await teardownOwned(drivers.cluster, [], { owner: stepOwner(ctx, name), kinds, namespace: ctx.tenant.namespace, signal: ctx.signal });
      await drivers.tenantDatabase.drop(databaseSpec(ctx, options));
    },
  };
}

interface RecordedDatabase {
  spec: TenantDatabaseSpec;
  migrationVersion: number | null;
}

/** The tenant's database as the step recorded it, with the migration it recorded; undefined before it ran. */
export function recordedDatabase(tenantId: string, out: Readonly<Record<string, unknown>> | undefined): RecordedDatabase | undefined {
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

/** What a re-run of the step would (re)create: the database, the role, a schema, migrations behind the recorded version. */
export function databaseDifferences(recorded: RecordedDatabase, seen: TenantDatabaseObservation): Difference[] {
  const step = StepName.SETUP_DATABASE;
  const { spec } = recorded;
  const differences: Difference[] = [];
  if (spec.isolation === 'DATABASE_PER_TENANT' && !seen.databasePresent) differences.push({ kind: 'database', step, message: `database ${spec.database ?? '?'} missing` });
  if (!seen.rolePresent) differences.push({ kind: 'database', step, message: `role ${spec.role} missing` });
  for (const schema of spec.schemas) if (!seen.schemasPresent.includes(schema)) differences.push({ kind: 'database', step, message: `schema ${schema} missing` });
  if (recorded.migrationVersion !== null && (seen.migrationVersion ?? 0) < recorded.migrationVersion) {
    differences.push({ kind: 'database', step, message: `tenant migrations at version ${seen.migrationVersion ?? 'none'}, want ${recorded.migrationVersion}` });
  }
  return differences;
}
