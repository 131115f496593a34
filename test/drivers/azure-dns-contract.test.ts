import type { TokenCredential } from '@azure/core-auth';
import { AzureDnsDriver } from '../../src/drivers/dns/azure-dns-driver.js';
import { FakeAzureDns } from '../support/fake-azure-dns.js';
import { dnsDriverContract } from './dns-contract.js';

const SUBSCRIPTION = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const GROUP = 'rg-matih-dns';
// What the fake (like Azure) gives every zone with sameNameServers: four servers, apex NS TTL two days.
const NAME_SERVERS = ['ns1-01.azure-dns.com', 'ns2-01.azure-dns.net', 'ns3-01.azure-dns.org', 'ns4-01.azure-dns.info'];
const APEX_NS_TTL = 172_800;

const credential: TokenCredential = { getToken: async () => ({ token: 'contract-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

// The zones live in the fake, not on a DNS server the suite can query: its over-DNS tests report themselves skipped.
dnsDriverContract('AzureDnsDriver over the Azure DNS management API (HTTPS fake)', async () => {
  const fake = await FakeAzureDns.start({ subscriptionId: SUBSCRIPTION, resourceGroups: [GROUP], token: 'contract-test-token', sameNameServers: true });
  return {
    driver: new AzureDnsDriver({ credential, subscriptionId: SUBSCRIPTION, resourceGroup: GROUP, pollIntervalMs: 10, clientOptions: fake.clientOptions() }),
    nameServers: NAME_SERVERS,
    zoneTtl: APEX_NS_TTL,
    teardown: () => fake.close(),
  };
});
