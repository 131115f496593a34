import { type StoredConfig, defaultInfraServer, trimSlash } from './config-store.js';
import { UsageError } from './errors.js';

/** Where and as whom to talk: flags win over the environment, which wins over the stored login. */
export interface Connection {
  server: string;
  infraServer: string;
  token: string | undefined;
}

export interface ConnectionFlags {
  server?: string;
  infraServer?: string;
  token?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8082';

export function resolveConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>, stored: StoredConfig | undefined): Connection {
  const override = flags.server ?? env.MATIH_SERVER;
  const server = checkUrl('--server', override ?? stored?.server ?? DEFAULT_SERVER);
  // A server named on this command line or in the environment does not inherit the stored
  // infrastructure URL, which belongs to the stored server.
  const infra = flags.infraServer ?? env.MATIH_INFRA_SERVER ?? (override === undefined ? stored?.infraServer : undefined);
  return {
    server,
    infraServer: infra === undefined ? defaultInfraServer(server) : checkUrl('--infra-server', infra),
    token: flags.token ?? env.MATIH_TOKEN ?? stored?.credential.value,
  };
}

export function checkUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL such as ${DEFAULT_SERVER}, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http or https URL, not "${value}"`);
  return trimSlash(url.toString());
}
