import { tenantDatabasePlan } from '../../src/domain/tenant-database.js';
import { TIER_PROFILES, type Tier } from '../../src/domain/tiers.js';
import type { TenantDatabaseObservation } from '../../src/drivers/contract.js';
import { listSimResources } from '../../src/store/sim/sim-resources.js';
import { tenantNamePrefixFor } from './databases.js';
import type { TestApp } from './test-app.js';

export interface TenantFootprint {
  /** Objects of the simulated cluster in the tenant's namespace (and the Namespace itself), by kind. */
  objectsByKind: Record<string, number>;
  objectCount: number;
  /** Resources in the tenant's state of the simulated Terraform (Enterprise); an emptied state holds none. */
  terraformResources: number;
  database: TenantDatabaseObservation;
  /** The tenant's child zone at the DNS provider, and its delegation in the parent zone. */
  dns: { zone: boolean; delegation: boolean };
}

/** Everything a tenant has outside the control plane's own tables: what teardown must leave at zero. */
export async function tenantFootprint(t: TestApp, tenant: { id: string; slug: string; tier: string }): Promise<TenantFootprint> {
  const engine = t.engine;
  if (!engine?.cluster) throw new Error('the test app runs the simulated cluster');
  const namespace = `matih-${tenant.slug}`;
  const objects = (await engine.cluster.listAll(namespace)).concat(
    (await engine.cluster.listAll(undefined, 'Namespace')).filter((o) => o.metadata.name === namespace),
  );
  const objectsByKind: Record<string, number> = {};
  for (const o of objects) objectsByKind[o.kind] = (objectsByKind[o.kind] ?? 0) + 1;
  const isolation = TIER_PROFILES[tenant.tier as Tier].databaseIsolation;
  const database = await engine.tenantDatabase.observe(tenantDatabasePlan(tenant.id, tenant.slug, isolation, tenantNamePrefixFor(t.database.url)));
  const parent = 'matih.test';
  const zone = await engine.dns.observeZone(`${tenant.slug}.${parent}`);
  const delegation = (await engine.dns.observeZone(parent)).records.some((r) => r.name === tenant.slug && r.type === 'NS');
  return {
    objectsByKind,
    objectCount: objects.length,
    terraformResources: (await listSimResources(t.database.db, tenant.id))
      .map((r) => (r.spec as { resources?: unknown[] }).resources?.length ?? 0)
      .reduce((a, b) => a + b, 0),
    database,
    dns: { zone: zone.exists, delegation },
  };
}

export const NOTHING_LEFT = {
  objectsByKind: {},
  objectCount: 0,
  terraformResources: 0,
  database: { rolePresent: false, databasePresent: false, schemasPresent: [], migrationVersion: null },
  dns: { zone: false, delegation: false },
};
