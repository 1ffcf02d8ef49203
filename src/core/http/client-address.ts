/**
 * Which proxies may tell us the client's address through `X-Forwarded-For`: none (the socket's
 * address is the client), a hop count, or a list of proxy addresses.
 */
export type TrustProxy =
  | { readonly kind: 'none' }
  | { readonly kind: 'hops'; readonly hops: number }
  | { readonly kind: 'addresses'; readonly addresses: ReadonlySet<string> };

/** `TOKENSWAP_TRUST_PROXY`: unset/`false` → none, a number → hops, else comma-separated addresses. */
export function parseTrustProxy(text: string | undefined): TrustProxy {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'false' || value === '0') return { kind: 'none' };
  if (/^\d+$/.test(value)) return { kind: 'hops', hops: Number(value) };
  const addresses = value
    .split(',')
    .map((a) => normalizeAddress(a.trim()))
    .filter((a) => a !== '');
  for (const address of addresses) {
    if (!/^[0-9a-f:.]+$/i.test(address)) {
      throw new Error(`must be a hop count or comma-separated IP addresses, got "${address}"`);
    }
  }
  return { kind: 'addresses', addresses: new Set(addresses) };
}

/** `::ffff:10.0.0.1` (an IPv4 address on a dual-stack socket) → `10.0.0.1`. */
function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/**
 * How many of the hops nearest to us are proxies we trust: 0 when the socket's peer is the
 * client (or not trusted). `X-Forwarded-For` is read from the right (the entries our own proxies
 * appended) and only as far as the trusted proxies go, so a header spoofed by the client changes
 * nothing. A trusted peer counts even when it sent no `X-Forwarded-For`.
 */
export function trustedProxyCount(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): number {
  if (trust.kind === 'none') return 0;
  const hops = hopsOf(socketAddress, forwardedFor);
  if (trust.kind === 'hops') return Math.max(Math.min(trust.hops, hops.length - 1), 1);
  let count = 0;
  while (count < hops.length && trust.addresses.has(hops[count]!)) count++;
  return count;
}

/** The socket's peer, then `X-Forwarded-For` from right to left. */
function hopsOf(socketAddress: string | undefined, forwardedFor: string | undefined): string[] {
  const socket = normalizeAddress(socketAddress ?? 'unknown');
  if (forwardedFor === undefined) return [socket];
  const chain = forwardedFor
    .split(',')
    .map((a) => normalizeAddress(a.trim()))
    .filter((a) => a !== '');
  return [socket, ...chain.reverse()];
}

/** The client's address: the hop just beyond the trusted proxies (see `trustedProxyCount`). */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): string {
  const hops = hopsOf(socketAddress, forwardedFor);
  if (trust.kind === 'none') return hops[0]!;
  return hops[Math.min(trustedProxyCount(socketAddress, forwardedFor, trust), hops.length - 1)]!;
}
