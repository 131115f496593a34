import type { ConnectionOptions } from 'nats';

/**
 * Connection options from MATIH_NATS_URL: one URL or several, comma-separated, for a cluster.
 *
 * nats.js ignores credentials written in a server URL (it keeps host and port only), so they are
 * taken out here, the way the Go client reads them: `nats://user:pass@host` is a user and
 * password, `nats://token@host` a token. The servers passed on carry no credentials, so nothing
 * nats.js logs or reports can leak them. `tls://` asks for TLS (nats.js otherwise upgrades only
 * when the server offers it).
 */
export function natsConnectionOptions(urls: string): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'tls'> {
  const servers: string[] = [];
  const options: Pick<ConnectionOptions, 'user' | 'pass' | 'token' | 'tls'> = {};
  for (const raw of urls.split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = new URL(raw);
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new Error('NATS URL: the scheme must be nats:// or tls://');
    if (url.protocol === 'tls:') options.tls = {};
    servers.push(url.port ? url.host : `${url.host}:4222`);
    if (url.username && options.user === undefined && options.token === undefined) {
      if (url.password) {
        options.user = decodeURIComponent(url.username);
        options.pass = decodeURIComponent(url.password);
      } else {
        options.token = decodeURIComponent(url.username);
      }
    }
  }
  if (servers.length === 0) throw new Error('NATS URL: no server given');
  return { servers, ...options };
}

/** Host and port only: for messages and logs. */
export function natsServersForDisplay(urls: string): string {
  try {
    const servers = natsConnectionOptions(urls).servers;
    return Array.isArray(servers) ? servers.join(',') : String(servers);
  } catch {
    return 'nats';
  }
}
