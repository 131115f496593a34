import { ErrorKind, MatihError } from '../../domain/errors.js';
import type { FeatureName, FeatureOverrides } from '../../domain/features.js';
import { StepName } from '../../domain/plans.js';
import type { TenantSettings } from '../../domain/settings.js';
import { type TenantConfig, resolveTenantConfig } from '../../domain/tenant-config.js';
import { DriverError, type KubeObject } from '../../drivers/contract.js';
import { TENANT_CONFIG, tenantConfigManifest } from '../manifests/tenant-config.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

/**
 * Where CONFIGURE reads a tenant's stored configuration. A port: steps may not import the store,
 * so the composition root implements it over the store (store/tenants/tenant-config-source.ts).
 * `load` rejects with a NotFoundError (domain/errors.ts) when the tenant has no settings.
 */
export interface TenantConfigSource {
  load(tenantId: string): Promise<{ settings: TenantSettings; featureOverrides: FeatureOverrides }>;
}

/** No settings values: those stay in the ConfigMap. */
export interface ConfigureOutputs extends ClusterStepOutputs {
  /** The ConfigMap's name. */
  configMap: string;
  /** The document's hash: its version. */
  configHash: string;
  /** The flags as resolved for the tier. */
  features: Record<FeatureName, boolean>;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    CONFIGURE: ConfigureOutputs;
  }
}

/**
 * spec/002 phase 6: the tenant's settings and feature flags, resolved for its tier, delivered to
 * its data plane as the ConfigMap `tenant-config` (manifests/tenant-config.ts). Each run reads the
 * stored configuration again, so a re-run (the reconciler, a retry) after an override changed
 * applies the new document and one without a change applies nothing. Outputs: the document's
 * hash (its version) and the resolved flags; no settings values, which stay in the ConfigMap.
 * Rollback deletes the ConfigMap.
 */
export function configure(drivers: StepDrivers, options: StepOptions, source: TenantConfigSource): StepHandler {
  // What declare resolved, for result: keyed by the run's context, as one handler serves many tenants at once.
  const resolved = new WeakMap<StepContext, { config: TenantConfig; hash: string }>();
  return clusterStep(
    {
      name: StepName.CONFIGURE,
      kinds: [KIND.ConfigMap],
      async declare(ctx) {
        const stored = await loadConfig(source, ctx.tenant.id);
        const config = resolveTenantConfig({ tenant: ctx.tenant, ...stored });
        const { object, hash } = tenantConfigManifest(ctx.tenant, config);
        resolved.set(ctx, { config, hash });
        return [object];
      },
      teardownOrder: (ctx) => [configMapRef(ctx)],
      result(ctx) {
        const done = resolved.get(ctx);
        resolved.delete(ctx);
        return done
          ? { outputs: { configMap: TENANT_CONFIG, configHash: done.hash, features: done.config.features } satisfies ExtraOutputs<ConfigureOutputs> }
          : {};
      },
    },
    drivers,
    options,
  );
}

async function loadConfig(source: TenantConfigSource, tenantId: string) {
  try {
    return await source.load(tenantId);
  } catch (error) {
    // A tenant deleted under a running job stays deleted: retrying cannot help.
    if (error instanceof MatihError && error.kind === ErrorKind.NOT_FOUND) {
      throw new DriverError(`tenant ${tenantId} has no stored configuration (was it deleted?)`, false, { cause: error });
    }
    throw error;
  }
}

/** Enough of the ConfigMap for teardown, which deletes by reference and needs no stored state. */
function configMapRef(ctx: StepContext): KubeObject {
  return { ...KIND.ConfigMap, metadata: { name: TENANT_CONFIG, namespace: ctx.tenant.namespace } };
}
