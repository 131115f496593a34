import { StepName } from '../domain/plans.js';
import { TIER_PROFILES } from '../domain/tiers.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

export const SCHEMA_SUFFIXES = ['ai', 'bi', 'query', 'catalog', 'pipeline', 'ml', 'quality', 'ontology', 'governance'] as const;

/** spec/002 phase 4: the nine schemas (or, for Enterprise, a database of its own). */
export function setupDatabase(drivers: StepDrivers): StepHandler {
  return declarativeStep(StepName.SETUP_DATABASE, drivers, (ctx) => {
    const base = ctx.tenant.slug.replaceAll('-', '_');
    if (TIER_PROFILES[ctx.tenant.tier].databaseIsolation === 'DATABASE_PER_TENANT') {
      return [resource('Database', `matih_${base}`), resource('DatabaseRole', `${base}_owner`)];
    }
    return [...SCHEMA_SUFFIXES.map((s) => resource('DatabaseSchema', `${base}_${s}`)), resource('DatabaseRole', `${base}_app`)];
  });
}
