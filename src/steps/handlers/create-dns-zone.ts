import { isIP } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { StepName } from '../../domain/plans.js';
import { DriverError, type DnsDriver, type DnsRecordSet } from '../../drivers/contract.js';
import { tenantHost } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions } from '../step.js';
import { outputOf } from '../support/step-outputs.js';

/** The names spec/004 phase 7 points at the tenant's load balancer. */
export const TENANT_A_RECORDS = ['@', '*', 'api', 'bi'] as const;

/** Records are named "TYPE fqdn" (`A api.acme.matih.localhost`, `NS acme.matih.localhost`). */
export interface CreateDnsZoneOutputs {
  /** `{slug}.{baseDomain}`. */
  zone: string;
  parentZone: string;
  /** The child zone's, as its delegation lists them. */
  nameServers: string[];
  /** The address the A (or AAAA) records point at, as DEPLOY_INGRESS_CONTROLLER recorded it. */
  loadBalancerIp: string;
  /** Every record set the step holds: the delegation, then the tenant's names. */
  records: string[];
  /** The record sets this run wrote (absent or different before). */
  written: string[];
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    CREATE_DNS_ZONE: CreateDnsZoneOutputs;
  }
}

/**
 * spec/004 phase 7: the child zone `{slug}.{baseDomain}`, its delegation (an NS record set named
 * `{slug}` in the parent zone listing the child's name servers), and A records `@`, `*`, `api`
 * and `bi` to the address DEPLOY_INGRESS_CONTROLLER recorded. Each record set is compared with
 * what the provider holds and written only when it differs, so a re-run writes nothing and a
 * record changed behind our back is put right. Rollback removes the delegation first (no lame
 * delegation is ever left) and then the child zone with everything in it.
 */
export function createDnsZone(drivers: Pick<StepDrivers, 'dns'>, options: StepOptions): StepHandler {
  const { dns } = drivers;
  const parentOf = () => options.baseDomain;
  return {
    name: StepName.CREATE_DNS_ZONE,
    async run(ctx) {
      const parent = parentOf();
      const zone = tenantHost(ctx.tenant, parent);
      const address = loadBalancerIp(ctx);
      await ensureParent(dns, parent, options.createParentZone);
      ctx.signal.throwIfAborted();
      const { nameServers } = await dns.ensureZone(zone);
      if (nameServers.length === 0) throw new DriverError(`zone ${zone} has no name servers yet; trying again`, true);
      const type = isIP(address) === 6 ? 'AAAA' : 'A';
      const wanted: { zone: string; set: DnsRecordSet }[] = [
        { zone: parent, set: { name: ctx.tenant.slug, type: 'NS', ttl: options.dnsTtl, values: [...nameServers] } },
        ...TENANT_A_RECORDS.map((name) => ({ zone, set: { name, type, ttl: options.dnsTtl, values: [address] } satisfies DnsRecordSet })),
      ];
      const held = new Map([parent, zone].map((z) => [z, [] as DnsRecordSet[]]));
      for (const z of held.keys()) held.set(z, (await dns.observeZone(z)).records);
      const written: string[] = [];
      for (const { zone: z, set } of wanted) {
        ctx.signal.throwIfAborted();
        const current = held.get(z)?.find((r) => r.name === set.name && r.type === set.type);
        if (current && sameRecordSet(current, set)) continue;
        await dns.upsertRecordSet(z, set);
        written.push(`${set.type} ${set.name === '@' ? z : `${set.name}.${z}`}`);
      }
      return {
        outputs: {
          zone,
          parentZone: parent,
          nameServers,
          loadBalancerIp: address,
          records: wanted.map(({ zone: z, set }) => `${set.type} ${set.name === '@' ? z : `${set.name}.${z}`}`),
          written,
        } satisfies CreateDnsZoneOutputs,
      };
    },
    async rollback(ctx) {
      const parent = parentOf();
      await dns.deleteRecordSet(parent, ctx.tenant.slug, 'NS');
      await dns.deleteZone(tenantHost(ctx.tenant, parent));
    },
  };
}

function loadBalancerIp(ctx: StepContext): string {
  const address = outputOf(ctx, StepName.DEPLOY_INGRESS_CONTROLLER)?.loadBalancerIp;
  if (typeof address !== 'string' || address === '') {
    throw new DriverError(`${StepName.DEPLOY_INGRESS_CONTROLLER} recorded no load balancer address; run it again`, false);
  }
  // A cloud that names its load balancers (a host name) needs CNAMEs, which cannot sit at the
  // apex of the child zone; none of the clouds this platform targets does that for a Service.
  if (isIP(address) === 0) throw new DriverError(`the load balancer has the host name ${address}, not an address; A records need an address`, false);
  return address;
}

async function ensureParent(dns: DnsDriver, parent: string, create: boolean): Promise<void> {
  if (create) {
    await dns.ensureZone(parent);
    return;
  }
  if (!(await dns.observeZone(parent)).exists) {
    throw new DriverError(`the parent zone ${parent} does not exist at the DNS provider; create it (MATIH_BASE_DOMAIN names it)`, false);
  }
}

/** Providers may return values in any order and name servers with or without case differences. */
function sameRecordSet(a: DnsRecordSet, b: DnsRecordSet): boolean {
  const norm = (values: readonly string[]) => values.map((v) => v.toLowerCase()).sort();
  return a.ttl === b.ttl && isDeepStrictEqual(norm(a.values), norm(b.values));
}
