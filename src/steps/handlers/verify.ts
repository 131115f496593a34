import { setTimeout as delay } from 'node:timers/promises';
import { StepName } from '../../domain/plans.js';
import { type ClusterDriver, DriverError, type ProbeResult } from '../../drivers/contract.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { LABEL } from '../manifests/index.js';
import { KIND } from '../support/cluster-step.js';
import { deployedServicesFor } from '../support/services.js';

/** The port name every service chart gives its HTTP port; the proxy resolves it to the number. */
export const SERVICE_HTTP_PORT = 'http';

export interface VerifyOutputs {
  /** The services that answered healthy: every deployed one, or none when the check was skipped. */
  healthy: string[];
  /** Why nothing was checked (a suspended tenant). */
  skipped?: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    VERIFY: VerifyOutputs;
  }
}

/**
 * spec/002 phase 7: every deployed service healthy. First the releases must be Ready (spec/004:
 * pods running and passing readiness probes), then each service's /health must answer 2xx
 * through the API server's service proxy within its own timeout (spec/002: 30 s). Services are
 * checked at once, each asked again until healthy or out of time; any left unhealthy fail the
 * step with a retryable error naming them and what they answered. Read-only: nothing to roll back.
 */
export function verify(drivers: StepDrivers, options: StepOptions): StepHandler {
  return {
    name: StepName.VERIFY,
    async run(ctx) {
      // A suspended tenant has no pods to ask: its reconcile keeps it at zero and checks nothing more.
      if (ctx.tenant.suspended) {
        return { outputs: { healthy: [], skipped: 'the tenant is suspended: its services run no replicas' } satisfies VerifyOutputs };
      }
      const services = deployedServicesFor(ctx.tenant.tier);
      const namespace = ctx.tenant.namespace;
      // One list of the tenant's releases rather than a read of each: those already ready cost nothing more.
      const known = await drivers.cluster.list(KIND.HelmRelease, { [LABEL.tenantId]: ctx.tenant.id }, namespace);
      await drivers.cluster.awaitReady(
        services.map((name) => ({ ...KIND.HelmRelease, namespace, name })),
        { timeoutMs: options.readyTimeoutMs, signal: ctx.signal, known },
      );
      const results = await Promise.all(
        services.map(async (name) => ({ name, result: await probeUntilHealthy(drivers.cluster, { namespace, name, port: SERVICE_HTTP_PORT }, options, ctx.signal) })),
      );
      const failed = results.filter((r) => !r.result.healthy);
      if (failed.length > 0) {
        const detail = failed.map((f) => `${f.name} (${f.result.status}${f.result.detail ? ` ${f.result.detail}` : ''})`).join(', ');
        throw new DriverError(`services failed their health check within ${options.verifyTimeoutMs / 1000} s: ${detail}`, true);
      }
      return { outputs: { healthy: [...services] } satisfies VerifyOutputs };
    },
    async rollback() {},
  };
}

async function probeUntilHealthy(
  cluster: ClusterDriver,
  endpoint: { namespace: string; name: string; port: string },
  options: Pick<StepOptions, 'verifyTimeoutMs' | 'verifyIntervalMs'>,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const deadline = Date.now() + options.verifyTimeoutMs;
  for (;;) {
    const result = await cluster.probe(endpoint, '/health', signal);
    if (result.healthy || Date.now() + options.verifyIntervalMs > deadline) return result;
    await delay(options.verifyIntervalMs, undefined, { signal });
  }
}
