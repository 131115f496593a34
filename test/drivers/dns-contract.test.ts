import { EmbeddedDnsDriver } from '../../src/drivers/dns/embedded-dns-driver.js';
import { EmbeddedDnsServer } from '../../src/drivers/dns/embedded-dns-server.js';
import { PowerDnsDriver } from '../../src/drivers/dns/powerdns-driver.js';
import { dnsZoneStore } from '../../src/store/dns/dns-zones.js';
import { openTestDatabase } from '../support/databases.js';
import { PDNS_MISSING, startPdnsServer } from '../support/pdns-server.js';
import { dnsDriverContract } from './dns-contract.js';

// The same name servers and TTL for both drivers: the suite expects them in every new zone.
const NAME_SERVERS = ['ns1.matih.test'];
const ZONE_TTL = 300;

dnsDriverContract('EmbeddedDnsDriver, served by EmbeddedDnsServer', async () => {
  const database = await openTestDatabase();
  const store = dnsZoneStore(database.db);
  const options = { nameServers: NAME_SERVERS, soaEmail: 'hostmaster@matih.test', defaultTtl: ZONE_TTL };
  const server = new EmbeddedDnsServer(store, { ...options, port: 0 });
  try {
    const { udp, tcp } = await server.listen();
    return {
      driver: new EmbeddedDnsDriver(store, options),
      nameServers: NAME_SERVERS,
      zoneTtl: ZONE_TTL,
      query: { udpPort: udp, tcpPort: tcp },
      async teardown() {
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
});

dnsDriverContract(
  'PowerDnsDriver on pdns_server (sqlite3 backend)',
  async () => {
    const pdns = await startPdnsServer();
    return {
      driver: new PowerDnsDriver({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, nameServers: NAME_SERVERS, defaultTtl: ZONE_TTL }),
      nameServers: NAME_SERVERS,
      zoneTtl: ZONE_TTL,
      query: { udpPort: pdns.dnsPort, tcpPort: pdns.dnsPort },
      teardown: () => pdns.stop(),
    };
  },
  { skipReason: PDNS_MISSING },
);
