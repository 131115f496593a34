/**
 * The simulated cluster's pool of load-balancer addresses. The default is 10.240.0.1 to
 * 10.240.0.254: private space (RFC 1918) that no test machine is likely to route, so an address
 * the sim hands out can never reach anything real.
 */
export const DEFAULT_LOAD_BALANCER_IPS: readonly string[] = Array.from({ length: 254 }, (_, i) => `10.240.0.${i + 1}`);

/** The first address of the pool that no load balancer holds; undefined when the pool is used up. */
export function nextFreeIp(pool: readonly string[], inUse: Iterable<string>): string | undefined {
  const taken = new Set(inUse);
  return pool.find((ip) => !taken.has(ip));
}
