/**
 * Strict parsing of the addresses A and AAAA records carry. dns2 encodes what it is given without
 * checking ("1.2.3" becomes three octets, "::ffff:1.2.3.4" garbage), so nothing reaches its
 * encoder that did not pass through here.
 */

// Dotted decimal only, no leading zeros: "010.1.1.1" is octal to some parsers and decimal to others.
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/**
 * The eight 16-bit groups of an IPv6 address in any RFC 4291 text form ("::", embedded IPv4 as
 * the last 32 bits), or undefined. Zone indexes ("fe80::1%eth0") are refused: they mean nothing
 * outside one host.
 */
export function parseIPv6(text: string): number[] | undefined {
  if (text.length > 45 || text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  // "::" stands for at least one zero group.
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** RFC 5952 text: lower case, no leading zeros, the first longest run of two or more zero groups as "::". */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** All eight groups, uncompressed: the one form dns2's AAAA encoder reads correctly. */
export function expandedIPv6(groups: readonly number[]): string {
  return groups.map((g) => g.toString(16)).join(':');
}

/** The groups of one side of "::"; `mayEndInIPv4` for the part that ends the address. */
function groupsOf(part: string, mayEndInIPv4: boolean): number[] | undefined {
  if (part === '') return [];
  const pieces = part.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (mayEndInIPv4 && index === pieces.length - 1 && piece.includes('.')) {
      if (!isIPv4(piece)) return undefined;
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      groups.push((a << 8) | b, (c << 8) | d);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
