/**
 * IPv4 and IPv6 addresses and CIDR blocks as a NetworkPolicy's ipBlock names them: parsed
 * strictly (what the API server would refuse is refused here first, with the reason), and
 * compared, so that the internet allow can except exactly the private ranges inside it.
 */

export type IpFamily = 4 | 6;

export interface Cidr {
  family: IpFamily;
  /** The network address as a number (128 bits for IPv6). */
  network: bigint;
  prefix: number;
  /** As given, lower case: what goes into the ipBlock. */
  text: string;
}

const BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: Go's parser (the API server's) refuses them, as ambiguous octal.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text;
  let quadWords: number[] = [];
  // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const quad = parseIpv4(last);
    if (quad === undefined) return undefined;
    quadWords = [Number(quad >> 16n), Number(quad & 0xffffn)];
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const words = (half: string) => (half === '' ? [] : half.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = words(halves[0] ?? '');
  const tail = halves.length === 2 ? words(halves[1] ?? '') : [];
  if ([...head, ...tail].some(Number.isNaN)) return undefined;
  const given = head.length + tail.length + quadWords.length;
  // Without "::" all eight groups are given; with it, it stands for at least one.
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - given).fill(0), ...tail, ...quadWords];
  return all.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

/** An address (no prefix), or undefined when it is not one. */
export function parseIp(text: string): { family: IpFamily; value: bigint } | undefined {
  const t = text.trim().toLowerCase();
  if (t.includes(':')) {
    const value = parseIpv6(t);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(t);
  return value === undefined ? undefined : { family: 4, value };
}

/** Why `text` is not a CIDR block an ipBlock takes, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
  const [address = '', prefixText, ...rest] = text.trim().toLowerCase().split('/');
  if (prefixText === undefined || rest.length > 0) return 'is not a CIDR block such as 10.20.0.0/16 or fd00::/8';
  const ip = parseIp(address);
  if (!ip) return `is not a CIDR block: "${address}" is not an IPv4 or IPv6 address`;
  const bits = BITS[ip.family];
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) return `is not a CIDR block: the prefix must be 0 to ${bits}`;
  const hostBits = BigInt(bits - Number(prefixText));
  // The API server warns about host bits and a reader may take 10.1.2.3/8 for one address: refuse.
  if (ip.value & ((1n << hostBits) - 1n)) return 'has bits set past its prefix: give the network address of the block';
  return undefined;
}

export function parseCidr(text: string): Cidr | undefined {
  if (cidrProblem(text) !== undefined) return undefined;
  const t = text.trim().toLowerCase();
  const [address = '', prefix = ''] = t.split('/');
  const ip = parseIp(address);
  return ip ? { family: ip.family, network: ip.value, prefix: Number(prefix), text: t } : undefined;
}

/** The block of exactly one address: `/32` or `/128`. */
export function hostCidr(address: string): string | undefined {
  const ip = parseIp(address);
  return ip ? `${address.trim().toLowerCase()}/${BITS[ip.family]}` : undefined;
}

/**
 * `inner` lies inside `outer` and is smaller: what an ipBlock's `except` must be (the API
 * server refuses an except outside its cidr).
 */
export function strictlyContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix <= outer.prefix) return false;
  const shift = BigInt(BITS[outer.family] - outer.prefix);
  return inner.network >> shift === outer.network >> shift;
}
