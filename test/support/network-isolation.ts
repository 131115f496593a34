import { NETWORK_ISOLATION_VARIABLES, parseNetworkIsolationSettings } from '../../src/config/network-isolation-settings.js';
import { type Env, variableReader } from '../../src/config/variable-reader.js';
import type { NetworkIsolation } from '../../src/domain/network-isolation.js';

/**
 * The network isolation settings as the service would read them from `env` (the documented
 * defaults for what it leaves out), for tests that build CONFIGURE_NETWORKING's policies or a
 * step registry without going through loadConfig. A bad value fails the test at once.
 */
export function networkIsolation(env: Env = {}, tenantDatabaseUrl?: string): NetworkIsolation {
  const problems: string[] = [];
  const isolation = parseNetworkIsolationSettings(variableReader(env, NETWORK_ISOLATION_VARIABLES, problems), tenantDatabaseUrl, problems);
  if (problems.length > 0) throw new Error(`bad network isolation settings: ${problems.join('; ')}`);
  return isolation;
}

/** The defaults, with no tenant database URL (the embedded server's is known only at start). */
export const DEFAULT_NETWORK_ISOLATION = networkIsolation();
