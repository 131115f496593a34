import { DnsManagementClient, type DnsManagementClientOptionalParams, type RecordSet, type Zone } from '@azure/arm-dns';
import type { TokenCredential } from '@azure/core-auth';
import { type DnsDriver, DriverError, type DnsRecordSet, type DnsRecordType, type DnsZoneObservation } from '../contract.js';
import { APEX, invalid, normalizeRecordName, normalizeZoneName, quote } from './dns-name-rules.js';
import { azureDriverError, clean, httpFailure } from './azure-dns-errors.js';
import { fromAzureRecordSet, hostName, sameRecordSet, toAzureRecordSet } from './azure-dns-records.js';
import { normalizeRecordSet, validateRecordType } from './record-set-rules.js';

export interface AzureDnsDriverOptions {
  /** Who we are to Azure Resource Manager: DefaultAzureCredential, a service principal, a test double. */
  credential: TokenCredential;
  subscriptionId: string;
  /** The resource group holding the parent zone and every tenant's child zone. */
  resourceGroup: string;
  /** The Resource Manager endpoint; unset: the SDK's (https://management.azure.com, the public cloud). */
  endpoint?: string;
  /** Deadline of one call (its requests and the SDK's retries of them); default 60 s. */
  callTimeoutMs?: number;
  /** Deadline of a zone deletion, which Azure runs as a long-running operation; default 300 s. */
  zoneDeleteTimeoutMs?: number;
  /** How often to ask after a zone deletion when Azure gives no Retry-After; default 2 s. */
  pollIntervalMs?: number;
  /** Passed to DnsManagementClient: tests give it the fake's CA (tlsOptions) and quick retries (retryOptions). */
  clientOptions?: DnsManagementClientOptionalParams;
}

const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_ZONE_DELETE_TIMEOUT_MS = 300_000;
const DEFAULT_POLL_INTERVAL_MS = 2_000;
// Azure DNS zones are global resources; Resource Manager refuses any other location.
const ZONE_LOCATION = 'global';
// A GUID, as every Azure subscription id is.
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Azure's rule for resource group names: 1-90 letters, digits, '_', '-', '.', '(', ')'; no trailing '.'.
const RESOURCE_GROUP = /^[\p{L}\p{N}_\-.()]{0,89}[\p{L}\p{N}_\-()]$/u;

type CallOptions = { abortSignal: AbortSignal };

/**
 * The `azure` DnsDriver (DESIGN.md section 5, spec/004 phase 7): zones are public Azure DNS zones
 * in one resource group, managed through @azure/arm-dns. The parent zone and the tenants' child
 * zones are zones of this one driver; the delegation is an ordinary NS record set in the parent.
 * Azure assigns each zone its name servers, which ensureZone returns for that delegation.
 *
 * Input passes the same rules as every DnsDriver (dns-name-rules.ts, record-set-rules.ts) before
 * any request, so a bad name is a permanent DriverError here as it is in the embedded driver.
 *
 * Observe first, then write only the difference: a second ensureZone or an upsert of an equal set
 * reads and writes nothing. Resource Manager allows far fewer writes than reads per subscription
 * and hour, and the engine repeats steps (retries, the reconciler).
 *
 * Errors (azure-dns-errors.ts): 404 on read or delete is "absent"; 408, 429, 5xx, no answer and
 * our own deadline are retryable; any other answer is permanent and carries the service's message.
 */
export class AzureDnsDriver implements DnsDriver {
  private readonly client: DnsManagementClient;
  private readonly resourceGroup: string;
  private readonly callTimeoutMs: number;
  private readonly zoneDeleteTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(options: AzureDnsDriverOptions) {
    if (!SUBSCRIPTION_ID.test(options.subscriptionId)) throw invalid(`Azure subscription id ${quote(options.subscriptionId)} is not a GUID`);
    if (!RESOURCE_GROUP.test(options.resourceGroup)) throw invalid(`Azure resource group name ${quote(options.resourceGroup)} is not valid`);
    this.resourceGroup = options.resourceGroup;
    this.callTimeoutMs = positive(options.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS, 'callTimeoutMs');
    this.zoneDeleteTimeoutMs = positive(options.zoneDeleteTimeoutMs, DEFAULT_ZONE_DELETE_TIMEOUT_MS, 'zoneDeleteTimeoutMs');
    this.pollIntervalMs = positive(options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, 'pollIntervalMs');
    const endpoint = options.endpoint === undefined ? undefined : managementEndpoint(options.endpoint);
    this.client = new DnsManagementClient(options.credential, options.subscriptionId, {
      userAgentOptions: { userAgentPrefix: 'matih-control-plane' },
      ...options.clientOptions,
      ...(endpoint === undefined ? {} : { endpoint }),
    });
  }

  async observeZone(zone: string): Promise<DnsZoneObservation> {
    const name = normalizeZoneName(zone);
    return this.call(`reading zone ${name}`, async (options) => {
      const found = await absentOn404(this.client.zones.get(this.resourceGroup, name, options));
      const sets = found === undefined ? undefined : await absentOn404(this.listRecordSets(name, options));
      // Gone between the two reads: as absent as it was never there.
      if (found === undefined || sets === undefined) return { exists: false, nameServers: [], records: [] };
      const records = sets.flatMap((set) => fromAzureRecordSet(set) ?? []).sort(byNameThenType);
      const apexNs = records.find((r) => r.name === APEX && r.type === 'NS');
      const nameServers = apexNs ? [...apexNs.values] : (found.nameServers ?? []).map(hostName);
      return { exists: true, nameServers, records };
    });
  }

  async ensureZone(zone: string): Promise<{ nameServers: string[] }> {
    const name = normalizeZoneName(zone);
    return this.call(`creating zone ${name}`, async (options) => {
      const existing = (await absentOn404(this.client.zones.get(this.resourceGroup, name, options))) ?? (await this.createZone(name, options));
      if (existing.zoneType === 'Private') throw invalid(`zone ${name} exists in resource group ${this.resourceGroup} as a private zone; a tenant zone must be public`);
      const nameServers = (existing.nameServers ?? []).map(hostName);
      // Azure assigns them as it creates the zone; without them there is nothing to delegate to.
      if (nameServers.length === 0) throw new DriverError(`Azure DNS: zone ${name} has no name servers yet`, true);
      return { nameServers };
    });
  }

  async upsertRecordSet(zone: string, set: DnsRecordSet): Promise<void> {
    const name = normalizeZoneName(zone);
    const desired = normalizeRecordSet(name, set);
    const { resourceGroup } = this;
    await this.call(`writing ${desired.type} record set ${quote(desired.name)} in zone ${name}`, async (options) => {
      const current = await absentOn404(this.client.recordSets.get(resourceGroup, name, desired.name, desired.type, options));
      if (current !== undefined && sameRecordSet(current, desired)) return;
      try {
        // No If-Match: the contract's upsert makes the set equal to `desired`, whoever wrote it last.
        await this.client.recordSets.createOrUpdate(resourceGroup, name, desired.name, desired.type, toAzureRecordSet(desired), options);
      } catch (error) {
        const failure = httpFailure(error);
        if (failure?.code === 'ParentResourceNotFound') throw invalid(`zone ${name} does not exist (ensureZone first)`);
        // 409 Conflict is how Azure refuses an alias beside other data (RFC 1034 3.6.2); said as
        // every driver says it. Other 409 codes (an operation in progress) stay retryable.
        if (failure?.status === 409 && failure.code === 'Conflict') {
          const message = error instanceof Error ? clean(error.message) : '';
          throw invalid(`${desired.type} record set ${quote(desired.name)} in zone ${name} conflicts with another record set of that name: an alias (CNAME) must be alone at its name (Azure: ${message})`);
        }
        throw error;
      }
    });
  }

  async deleteRecordSet(zone: string, name: string, type: DnsRecordType): Promise<void> {
    const zoneName = normalizeZoneName(zone);
    const recordName = normalizeRecordName(name, zoneName);
    const recordType = validateRecordType(type);
    // Azure refuses it too; refused here first so every driver answers alike.
    if (recordName === APEX && recordType === 'NS') throw invalid(`the apex NS record set of zone ${zoneName} cannot be deleted (replace it, or delete the zone)`);
    await this.call(`deleting ${recordType} record set ${quote(recordName)} in zone ${zoneName}`, async (options) => {
      // 204 is Azure's answer for a set that is not there; 404 for a zone that is not there.
      await absentOn404(this.client.recordSets.delete(this.resourceGroup, zoneName, recordName, recordType, options));
    });
  }

  async deleteZone(zone: string): Promise<void> {
    const name = normalizeZoneName(zone);
    await this.call(
      `deleting zone ${name}`,
      async (options) => {
        await absentOn404(
          (async () => {
            const poller = await this.client.zones.beginDelete(this.resourceGroup, name, { ...options, updateIntervalInMs: this.pollIntervalMs });
            await untilDone(poller, options.abortSignal);
          })(),
        );
      },
      this.zoneDeleteTimeoutMs,
    );
  }

  /** PUT with If-None-Match: a zone created meanwhile (another replica, an operator) is kept, not overwritten. */
  private async createZone(name: string, options: CallOptions): Promise<Zone> {
    try {
      return await this.client.zones.createOrUpdate(this.resourceGroup, name, { location: ZONE_LOCATION, zoneType: 'Public' }, { ...options, ifNoneMatch: '*' });
    } catch (error) {
      if (httpFailure(error)?.status !== 412) throw error;
      const winner = await absentOn404(this.client.zones.get(this.resourceGroup, name, options));
      // Created and deleted again in between: the caller's next try creates it.
      if (winner === undefined) throw new DriverError(`Azure DNS: zone ${name} was deleted while being created`, true);
      return winner;
    }
  }

  private async listRecordSets(zone: string, options: CallOptions): Promise<RecordSet[]> {
    const sets: RecordSet[] = [];
    for await (const set of this.client.recordSets.listByDnsZone(this.resourceGroup, zone, options)) sets.push(set);
    return sets;
  }

  /** Runs one call to Azure under its deadline and turns whatever it throws into a DriverError. */
  private async call<T>(action: string, run: (options: CallOptions) => Promise<T>, timeoutMs = this.callTimeoutMs): Promise<T> {
    const abortSignal = AbortSignal.timeout(timeoutMs);
    try {
      return await run({ abortSignal });
    } catch (error) {
      if (error instanceof DriverError) throw error;
      throw azureDriverError(action, error, abortSignal.aborted ? timeoutMs : undefined);
    }
  }
}

/** What `request` resolves to, or undefined when Azure answers 404 (resource, parent or resource group not found). */
async function absentOn404<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (httpFailure(error)?.status === 404) return undefined;
    throw error;
  }
}

interface Poller {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  stopPolling(): void;
}

/**
 * Waits for a long-running operation, but no longer than `signal` allows. The poller's own wait
 * between polls (Azure's Retry-After) does not watch the signal, so the deadline is raced here
 * and the poller stopped when it passes.
 */
async function untilDone(poller: Poller, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      poller.stopPolling();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([poller.pollUntilDone({ abortSignal: signal }), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// By code point, not locale: the order of an observation must not depend on the host's locale.
function byNameThenType(a: DnsRecordSet, b: DnsRecordSet): number {
  const [x, y] = a.name === b.name ? [a.type, b.type] : [a.name, b.name];
  return x < y ? -1 : x > y ? 1 : 0;
}

function managementEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid(`Azure management endpoint ${quote(endpoint)} is not a URL`);
  }
  // The SDK sends bearer tokens over HTTPS only; refused here with a clearer message.
  if (url.protocol !== 'https:') throw invalid(`Azure management endpoint ${quote(endpoint)} must be an https URL`);
  return url.toString().replace(/\/+$/, '');
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw invalid(`${what} must be a positive number of milliseconds`);
  return value;
}
