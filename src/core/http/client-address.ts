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
 * The client's address. `X-Forwarded-For` is read from the right (the entries our own proxies
 * appended) and only as far as the trusted proxies go, so a header spoofed by the client changes
 * nothing.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): string {
  const socket = normalizeAddress(socketAddress ?? 'unknown');
  if (trust.kind === 'none' || forwardedFor === undefined) return socket;
  const chain = forwardedFor
    .split(',')
    .map((a) => normalizeAddress(a.trim()))
    .filter((a) => a !== '');
  // hops[0] is the socket peer, then X-Forwarded-For from right to left.
  const hops = [socket, ...chain.reverse()];
  if (trust.kind === 'hops') return hops[Math.min(trust.hops, hops.length - 1)]!;
  let index = 0;
  while (index < hops.length - 1 && trust.addresses.has(hops[index]!)) index++;
  return hops[index]!;
}
