import { type Cidr, parseCidr, parseIp } from './cidr.js';

/**
 * Where a tenant may point the platform at: an https URL on the public internet. A tenant's
 * alert webhook is called by the platform's Alertmanager, outside the tenant's namespace and its
 * egress policies, so an address inside the platform (the API server, a cloud's metadata
 * endpoint, a service by its cluster name, a private range) would make it a proxy into places
 * the tenant cannot reach itself. Checked on the URL as written; a public name that resolves to
 * a private address (or rebinds to one) is for the egress policy of the platform's Alertmanager
 * to stop, which no check on a name can do.
 */
export const MAX_URL_LENGTH = 2048;

/** Addresses that are not on the public internet, IPv4 and IPv6 (RFC 6890 and its successors). */
const NON_PUBLIC = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3',
  '::/127', '::ffff:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16', 'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((text) => parseCidr(text) as Cidr);

/** Names that resolve inside a cluster or a host, never to the public internet. */
const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'svc', 'cluster.local', 'home.arpa', 'localdomain', 'lan', 'intranet', 'corp'];

/** Why `value` is not an https URL on the public internet (the end of a sentence), or undefined when it is one. */
export function publicHttpsUrlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an https URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password (put a token in the path)';
  // The WHATWG parser has already turned 2130706433, 0x7f.1 and the like into dotted quads.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const ip = parseIp(host);
  if (ip) return NON_PUBLIC.some((block) => contains(block, ip)) ? 'must not point at a private, loopback, link-local or reserved address' : undefined;
  if (!host.includes('.')) return 'must name a host by its fully qualified public name (a single-label name resolves inside the cluster)';
  if (INTERNAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) return 'must not name a host inside the cluster or a private network';
  return undefined;
}

function contains(block: Cidr, ip: { family: 4 | 6; value: bigint }): boolean {
  if (block.family !== ip.family) return false;
  const shift = BigInt((ip.family === 4 ? 32 : 128) - block.prefix);
  return ip.value >> shift === block.network >> shift;
}
