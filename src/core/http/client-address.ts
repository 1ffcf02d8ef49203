import { canonicalIpAddress } from './ip-address.ts';

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
  const addresses = new Set<string>();
  for (const text of value.split(',')) {
    if (text.trim() === '') continue;
    const address = canonicalIpAddress(text.trim());
    if (address === undefined) {
      throw new Error(`must be a hop count or comma-separated IP addresses, got "${text.trim()}"`);
    }
    addresses.add(address);
  }
  return { kind: 'addresses', addresses };
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
  return trustedHops(hopsOf(socketAddress, forwardedFor), trust);
}

function trustedHops(hops: readonly string[], trust: TrustProxy): number {
  if (trust.kind === 'none') return 0;
  if (trust.kind === 'hops') return Math.max(Math.min(trust.hops, hops.length - 1), 1);
  let count = 0;
  while (count < hops.length && trust.addresses.has(hops[count]!)) count++;
  return count;
}

/**
 * The socket's peer, then `X-Forwarded-For` from right to left, canonical; the walk stops before
 * an entry that is not an IP address, as `clientAddress`'s does.
 */
function hopsOf(socketAddress: string | undefined, forwardedFor: string | undefined): string[] {
  const hops = [
    (socketAddress === undefined ? undefined : canonicalIpAddress(socketAddress)) ?? 'unknown',
  ];
  if (forwardedFor === undefined) return hops;
  const chain = forwardedFor.split(',');
  for (let next = chain.length - 1; next >= 0; next--) {
    const entry = chain[next]!.trim();
    if (entry === '') continue;
    const address = canonicalIpAddress(entry);
    if (address === undefined) break;
    hops.push(address);
  }
  return hops;
}

/**
 * The client's address, canonical (`::ffff:10.0.0.1` on a dual-stack socket is `10.0.0.1`): the
 * hop just beyond the trusted proxies. An entry that is not an IP address is not a client
 * address: the walk stops before it, at the hop that sent it.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): string {
  const hops = hopsOf(socketAddress, forwardedFor);
  return hops[Math.min(trustedHops(hops, trust), hops.length - 1)]!;
}
