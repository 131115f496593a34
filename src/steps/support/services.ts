import type { Tier } from '../../domain/tiers.js';

/** The fourteen data-plane services of spec/002, split as spec/004 deploys them. */
export const CORE_SERVICES = ['query-engine', 'ai-service', 'catalog-service'] as const;

/** In spec/004's dependency order, then the rest of spec/002's fourteen. */
export const DATA_SERVICES = [
  'pipeline-service', 'semantic-layer', 'bi-service', 'data-quality-service', 'ml-service', 'render-service',
  'data-plane-agent', 'ontology-service', 'governance-service', 'ops-agent-service', 'auth-proxy',
] as const;

/** Free gets "a subset" (DESIGN.md section 2): basic analytics, limited AI, no ML. */
const FREE_DATA_SERVICES: ReadonlySet<string> = new Set([
  'pipeline-service', 'semantic-layer', 'bi-service', 'render-service', 'data-plane-agent', 'auth-proxy',
]);

export function dataServicesFor(tier: Tier): readonly string[] {
  return tier === 'FREE' ? DATA_SERVICES.filter((s) => FREE_DATA_SERVICES.has(s)) : DATA_SERVICES;
}

export function deployedServicesFor(tier: Tier): readonly string[] {
  return [...CORE_SERVICES, ...dataServicesFor(tier)];
}
