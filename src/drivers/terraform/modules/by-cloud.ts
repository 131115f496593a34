import { DriverError } from '../../contract.js';
import type { TerraformModuleSet } from '../terraform-configuration.js';

/**
 * Picks the module set of the tenant's cloud; `fallback` (if any) for clouds without one. The
 * simulated runner is given the built-in stand-ins as fallback, so an AWS or GCP Enterprise tenant
 * still goes through a simulated plan; the real runner is given none, so such a tenant fails
 * with a permanent, plain reason instead of a half-built cloud.
 */
export function moduleSetByCloud(byCloud: Readonly<Record<string, TerraformModuleSet>>, fallback?: TerraformModuleSet): TerraformModuleSet {
  const all = [...Object.values(byCloud), ...(fallback ? [fallback] : [])];
  return {
    name: `by-cloud(${Object.entries(byCloud).map(([cloud, set]) => `${cloud}:${set.name}`).join(',')}${fallback ? `,*:${fallback.name}` : ''})`,
    requiredProviders: Object.assign({}, ...all.map((s) => s.requiredProviders)) as TerraformModuleSet['requiredProviders'],
    providers: Object.assign({}, ...all.map((s) => s.providers)) as TerraformModuleSet['providers'],
    declare(infrastructure) {
      const set = byCloud[infrastructure.cloudProvider] ?? fallback;
      if (!set) {
        throw new DriverError(`no Terraform modules for ${infrastructure.cloudProvider} dedicated infrastructure (available: ${Object.keys(byCloud).join(', ')})`, false);
      }
      return set.declare(infrastructure);
    },
  };
}
