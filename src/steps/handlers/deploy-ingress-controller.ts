import { StepName } from '../../domain/plans.js';
import { DriverError } from '../../drivers/contract.js';
import { deployIngressControllerManifests, ingressClassName, ingressControllerServiceRef, loadBalancerAddress } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';

export interface DeployIngressControllerOutputs extends ClusterStepOutputs {
  /** `nginx-{slug}`: the tenant's Ingresses name it. */
  ingressClass: string;
  /** The controller's LoadBalancer Service. */
  service: string;
  /** Its address, which CREATE_DNS_ZONE points the tenant's names at. */
  loadBalancerIp: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DEPLOY_INGRESS_CONTROLLER: DeployIngressControllerOutputs;
  }
}

/**
 * spec/004 phase 6: the tenant's own ingress-nginx, then its LoadBalancer address. The release
 * is synced like any other (ready when Flux installed it); the address is the cloud's to give,
 * so the step waits for it on the controller Service at most `loadBalancerWaitMs` (spec/004:
 * 600 s) and then fails retryably, as spec/004 has it. The address is the step's output, which
 * CREATE_DNS_ZONE points the tenant's names at. Rollback uninstalls the release; the Service and
 * its address go with it.
 */
export function deployIngressController(drivers: StepDrivers, options: StepOptions): StepHandler {
  const manifests = (ctx: StepContext) => deployIngressControllerManifests(ctx.tenant);
  const release = clusterStep(
    { name: StepName.DEPLOY_INGRESS_CONTROLLER, kinds: [KIND.HelmRelease], declare: manifests, teardownOrder: manifests },
    drivers,
    options,
  );
  return {
    name: release.name,
    rollback: (ctx) => release.rollback(ctx),
    async run(ctx) {
      const synced = await release.run(ctx);
      const service = ingressControllerServiceRef(ctx.tenant);
      // Read first: on a re-run, or a cloud that is quick, the address is there and that is all.
      const now = await drivers.cluster.get(service);
      try {
        await drivers.cluster.awaitReady([service], { timeoutMs: options.loadBalancerWaitMs, signal: ctx.signal, known: now ? [now] : [] });
      } catch (error) {
        if (ctx.signal.aborted || !(error instanceof DriverError)) throw error;
        throw new DriverError(`no LoadBalancer address within ${Math.round(options.loadBalancerWaitMs / 1000)} s: ${error.message}`, error.retryable);
      }
      const address = loadBalancerAddress(now) ?? loadBalancerAddress(await drivers.cluster.get(service));
      if (address === undefined) throw new DriverError(`Service ${service.namespace}/${service.name} lost its LoadBalancer address; trying again`, true);
      const extra: ExtraOutputs<DeployIngressControllerOutputs> = { ingressClass: ingressClassName(ctx.tenant), service: service.name, loadBalancerIp: address };
      return { ...synced, outputs: { ...synced.outputs, ...extra } };
    },
  };
}
