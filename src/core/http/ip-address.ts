/**
 * IP addresses as text, parsed without `node:net` so the core runs on any runtime. A client
 * address becomes a rate-limit key, so only an address (at most 39 characters once canonical) is
 * ever one: any other text in `X-Forwarded-For` is not a client address.
 */

/** Longer than any spelling of an address this accepts (`[v6 with IPv4 tail%zone]:port`). */
const MAX_TEXT = 100;

const IPV4_PART = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    bytes.push(byte);
  }
  return bytes;
}

function groupsOf(side: string): number[] | undefined {
  if (side === '') return [];
  const groups: number[] = [];
  const pieces = side.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (i === pieces.length - 1 && piece.includes('.')) {
      // RFC 4291 §2.2 form 3: the low 32 bits written as IPv4.
      const bytes = parseIpv4(piece);
      if (bytes === undefined) return undefined;
      groups.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(Number.parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2), or undefined. */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!);
  if (head === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = groupsOf(halves[1]!);
  if (tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

const isMappedIpv4 = (groups: readonly number[]) =>
  groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;

const validPort = (port: string) => /^\d{1,5}$/.test(port) && Number(port) <= 65_535;

/**
 * The canonical text of an IP address, or undefined when `text` is not one. Takes the spellings
 * proxies write in `X-Forwarded-For`: IPv4 (`a.b.c.d`, optionally `:port`), IPv6 in any RFC 4291
 * form (optionally `[…]`, `[…]:port`, or a `%zone`, which is dropped). An IPv4-mapped IPv6 address
 * (a dual-stack socket's) is its IPv4 address.
 */
export function canonicalIpAddress(text: string): string | undefined {
  if (text.length > MAX_TEXT) return undefined;
  let host = text;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return undefined;
    const rest = host.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && validPort(rest.slice(1)))) return undefined;
    host = host.slice(1, close);
  } else if (host.indexOf(':') === host.lastIndexOf(':') && host.includes(':')) {
    // One colon: IPv4 with a port (no IPv6 address has a single colon).
    const colon = host.indexOf(':');
    if (!validPort(host.slice(colon + 1))) return undefined;
    host = host.slice(0, colon);
    const bytes = parseIpv4(host);
    return bytes === undefined ? undefined : bytes.join('.');
  }
  if (!host.includes(':')) return parseIpv4(host)?.join('.');
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  const groups = parseIpv6(host);
  if (groups === undefined) return undefined;
  if (isMappedIpv4(groups)) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return formatIpv6(groups);
}

/**
 * What one client is for rate limiting: an IPv4 address, or the /64 network of an IPv6 one (one
 * host is routinely given a whole /64, so per address it would have unlimited addresses), as
 * `2001:db8:1:2::/64`. Any other text (an address the runtime could not tell) is kept as it is.
 */
export function addressGroup(address: string): string {
  if (!address.includes(':')) return address;
  const groups = parseIpv6(address);
  if (groups === undefined) return address;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
