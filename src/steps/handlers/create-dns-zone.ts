import { isIP } from 'node:net';
import { StepName } from '../../domain/plans.js';
import { DriverError, type DnsDriver, type DnsRecordSet, type DnsZoneObservation } from '../../drivers/contract.js';
import { tenantHost } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TenantObservation } from '../step.js';
import { outputOf } from '../support/step-outputs.js';

/** The names spec/004 phase 7 points at the tenant's load balancer. */
const TENANT_A_RECORDS = ['@', '*', 'api', 'bi'] as const;

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
        if (recordSetDifference(held.get(z) ?? [], z, set) === undefined) continue;
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
    async observe(observed) {
      const recorded = recordedZone(observed.slug, observed.outputs);
      if (!recorded) return [];
      const step = StepName.CREATE_DNS_ZONE;
      const type = isIP(recorded.address) === 6 ? 'AAAA' : 'A';
      const delegation: DnsRecordSet = { name: recorded.delegation, type: 'NS', ttl: options.dnsTtl, values: recorded.nameServers };
      const delegationIn = (parent: DnsZoneObservation) =>
        parent.exists ? recordSetDifference(parent.records, recorded.parentZone, delegation) : `DNS zone ${recorded.parentZone} missing`;
      const [zone, parent] = await Promise.all([observed.zone(recorded.zone), observed.parentZone(recorded.parentZone)]);
      const messages: (string | undefined)[] = zone.exists
        ? TENANT_A_RECORDS.map((name) => recordSetDifference(zone.records, recorded.zone, { name, type, ttl: options.dnsTtl, values: [recorded.address] }))
        : [`DNS zone ${recorded.zone} missing`];
      // The parent zone is shared and may have been read before this tenant's delegation was
      // written: a missing or different delegation counts only once a fresh read confirms it.
      const missing = delegationIn(parent);
      messages.push(missing === undefined ? undefined : delegationIn(await observed.parentZone(recorded.parentZone, true)));
      return messages.filter((m): m is string => m !== undefined).map((message) => ({ kind: 'dns' as const, step, message }));
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

/**
 * How the record set `want` differs from what the zone holds, in words, or undefined when it does
 * not. Providers may return values in any order, and name servers in any case.
 */
function recordSetDifference(held: readonly DnsRecordSet[], zone: string, want: DnsRecordSet): string | undefined {
  const label = `${want.type} ${want.name === '@' ? zone : `${want.name}.${zone}`}`;
  const found = setsByName(held).get(`${want.type} ${want.name}`);
  if (!found) return `${label} missing`;
  const norm = (values: readonly string[]) => values.map((v) => v.toLowerCase()).sort().join(', ');
  if (norm(found.values) !== norm(want.values)) return `${label} is ${norm(found.values) || 'empty'}, want ${norm(want.values)}`;
  if (found.ttl !== want.ttl) return `${label} has TTL ${found.ttl}, want ${want.ttl}`;
  return undefined;
}

/**
 * The zone's sets by type and name, the first of each, made once per observed zone: a sweep
 * compares every tenant's delegation with the one parent zone, which holds them all.
 */
const indexes = new WeakMap<readonly DnsRecordSet[], Map<string, DnsRecordSet>>();
function setsByName(held: readonly DnsRecordSet[]): Map<string, DnsRecordSet> {
  let index = indexes.get(held);
  if (!index) {
    index = new Map();
    for (const set of held) if (!index.has(`${set.type} ${set.name}`)) index.set(`${set.type} ${set.name}`, set);
    indexes.set(held, index);
  }
  return index;
}

interface RecordedZone {
  zone: string;
  parentZone: string;
  /** The delegation's label in the parent zone: the slug. */
  delegation: string;
  nameServers: string[];
  address: string;
}

/** The zone as the step recorded it, pointing at the address DEPLOY_INGRESS_CONTROLLER last recorded. */
function recordedZone(slug: string, outputs: TenantObservation['outputs']): RecordedZone | undefined {
  const out = outputs[StepName.CREATE_DNS_ZONE];
  const ingress = outputs[StepName.DEPLOY_INGRESS_CONTROLLER];
  const address = typeof ingress?.loadBalancerIp === 'string' ? ingress.loadBalancerIp : out?.loadBalancerIp;
  if (!out || typeof out.zone !== 'string' || typeof out.parentZone !== 'string' || typeof address !== 'string') return undefined;
  const nameServers = Array.isArray(out.nameServers) ? out.nameServers.filter((n): n is string => typeof n === 'string') : [];
  return { zone: out.zone, parentZone: out.parentZone, delegation: slug, nameServers, address };
}
