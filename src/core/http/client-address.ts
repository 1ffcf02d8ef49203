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
 * The client's address, canonical (`::ffff:10.0.0.1` on a dual-stack socket is `10.0.0.1`).
 * `X-Forwarded-For` is read from the right (the entries our own proxies appended) and only as far
 * as the trusted proxies go, so a header spoofed by the client changes nothing. An entry that is
 * not an IP address is not a client address: the walk stops before it, at the hop that sent it.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): string {
  const socket =
    (socketAddress === undefined ? undefined : canonicalIpAddress(socketAddress)) ?? 'unknown';
  if (trust.kind === 'none' || forwardedFor === undefined) return socket;
  const chain = forwardedFor
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  // From the socket peer leftwards through X-Forwarded-For, while the current hop is trusted.
  let client = socket;
  for (let hop = 1, next = chain.length - 1; next >= 0; hop++, next--) {
    const trusted = trust.kind === 'hops' ? hop <= trust.hops : trust.addresses.has(client);
    if (!trusted) break;
    const address = canonicalIpAddress(chain[next]!);
    if (address === undefined) break;
    client = address;
  }
  return client;
}
