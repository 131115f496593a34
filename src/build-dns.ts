import type { Logger } from 'pino';
import type { DnsDriver } from './drivers/contract.js';
import { EmbeddedDnsDriver } from './drivers/dns/embedded-dns-driver.js';
import { EmbeddedDnsServer } from './drivers/dns/embedded-dns-server.js';
import { PowerDnsDriver } from './drivers/dns/powerdns-driver.js';
import { dnsZoneStore } from './store/dns/dns-zones.js';
import type { Db } from './store/open-database.js';
import type { Config } from './config/load-config.js';

/** The DNS provider of MATIH_DNS_DRIVER, and for the embedded one the server that answers its zones. */
export async function buildDns(db: Db, config: Pick<Config, 'edge' | 'baseDomain'>, logger: Logger): Promise<{ dns: DnsDriver; dnsServer: EmbeddedDnsServer | undefined }> {
  const settings = config.edge.dns;
  switch (settings.driver) {
    case 'embedded': {
      const authority = { nameServers: settings.nameServers, soaEmail: `hostmaster@${config.baseDomain}`, defaultTtl: settings.ttl };
      const store = dnsZoneStore(db);
      return {
        dns: new EmbeddedDnsDriver(store, authority),
        dnsServer: new EmbeddedDnsServer(store, { ...authority, host: settings.host, port: settings.port, logger: logger.child({ component: 'dns' }) }),
      };
    }
    case 'powerdns':
      return {
        dns: new PowerDnsDriver({ apiUrl: settings.apiUrl, apiKey: settings.apiKey, serverId: settings.serverId, nameServers: settings.nameServers, defaultTtl: settings.ttl }),
        dnsServer: undefined,
      };
    case 'azure': {
      const [{ AzureDnsDriver }, { azureCredential }] = await Promise.all([
        import('./drivers/dns/azure-dns-driver.js'),
        import('./drivers/dns/azure-credential.js'),
      ]);
      return {
        dns: new AzureDnsDriver({
          credential: azureCredential(settings.identity),
          subscriptionId: settings.subscriptionId,
          resourceGroup: settings.resourceGroup,
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
        }),
        dnsServer: undefined,
      };
    }
  }
}

