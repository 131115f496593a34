import { StepName } from '../../domain/plans.js';
import { tenantHost } from '../manifests/index.js';
import type { StepDrivers, StepHandler, StepOptions } from '../step.js';
import { type ProvisioningHandlers, type TeardownOutputs, teardownStep } from '../support/teardown-step.js';

export type DeleteDnsZoneOutputs = TeardownOutputs;

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    DELETE_DNS_ZONE: DeleteDnsZoneOutputs;
  }
}

/** spec/002 "Deletion" 6: the tenant's zone and its delegation in the parent zone, by CREATE_DNS_ZONE's rollback. */
export function deleteDnsZone(provisioning: ProvisioningHandlers, drivers: Pick<StepDrivers, 'dns'>, options: StepOptions): StepHandler {
  return teardownStep(StepName.DELETE_DNS_ZONE, provisioning, {
    undo: [StepName.CREATE_DNS_ZONE],
    observe: async (ctx) => {
      const zone = tenantHost(ctx.tenant, options.baseDomain);
      const [child, parent] = await Promise.all([drivers.dns.observeZone(zone), drivers.dns.observeZone(options.baseDomain)]);
      const delegation = parent.records.some((r) => r.name === ctx.tenant.slug && r.type === 'NS') ? [`NS ${ctx.tenant.slug}.${options.baseDomain}`] : [];
      return [...(child.exists ? [`zone ${zone}`, ...child.records.map((r) => `${r.type} ${r.name === '@' ? zone : `${r.name}.${zone}`}`)] : []), ...delegation];
    },
  });
}
