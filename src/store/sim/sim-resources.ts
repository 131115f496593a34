import type { Db } from '../open-database.js';

/** Persistence of the simulated Terraform (its states, one row per state key), in the table the retired simulated cloud used. */
export interface SimResourceRow {
  tenantId: string;
  step: string;
  kind: string;
  name: string;
  spec: Record<string, unknown>;
  applyCount: number;
}

export async function getSimResource(db: Db, tenantId: string, kind: string, name: string): Promise<SimResourceRow | undefined> {
  return db
    .selectFrom('simResources')
    .select(['tenantId', 'step', 'kind', 'name', 'spec', 'applyCount'])
    .where('tenantId', '=', tenantId)
    .where('kind', '=', kind)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Counts every apply, so tests can prove a step applied its resources exactly once. */
export async function upsertSimResource(
  db: Db,
  r: { tenantId: string; step: string; kind: string; name: string; spec: Readonly<Record<string, unknown>> },
): Promise<void> {
  await db
    .insertInto('simResources')
    .values({ tenantId: r.tenantId, step: r.step, kind: r.kind, name: r.name, spec: JSON.stringify(r.spec) })
    .onConflict((oc) =>
      oc.columns(['tenantId', 'kind', 'name']).doUpdateSet((eb) => ({
        spec: eb.ref('excluded.spec'),
        step: eb.ref('excluded.step'),
        applyCount: eb('simResources.applyCount', '+', 1),
        updatedAt: new Date(),
      })),
    )
    .execute();
}

export async function deleteSimResource(db: Db, tenantId: string, kind: string, name: string): Promise<void> {
  await db.deleteFrom('simResources').where('tenantId', '=', tenantId).where('kind', '=', kind).where('name', '=', name).execute();
}

export async function listSimResources(db: Db, tenantId: string, step?: string): Promise<SimResourceRow[]> {
  let q = db.selectFrom('simResources').select(['tenantId', 'step', 'kind', 'name', 'spec', 'applyCount']).where('tenantId', '=', tenantId);
  if (step) q = q.where('step', '=', step);
  return q.orderBy('createdAt').orderBy('kind').orderBy('name').execute();
}
