import { invalidRequest } from '../errors.ts';
import { type TrustProxy, trustedProxyCount } from './client-address.ts';

/**
 * The origin (`scheme://host[:port]`) the URLs the server publishes start with, per request;
 * `peerAddress` is the address of the connection's peer.
 */
export type PublicOrigin = (request: Request, peerAddress: string | undefined) => string;

/** A DNS name or IPv4 address, or an IPv6 address in brackets, then an optional port. */
const PLAIN_HOST = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::([1-9]\d{0,4}))?$/i;

function badHost(): Error {
  return invalidRequest(
    'The Host header (or a trusted proxy’s forwarded host) must be host[:port]',
  );
}

/**
 * The entry of a list that our outermost trusted proxy wrote: proxies append on the right, so
 * entries left of the last `trusted` ones came from the client. A proxy that replaces the header
 * leaves one entry. Split on every comma, quotes or not: a quote the client left open must not
 * swallow the entries our proxies appended after it.
 */
function trustedEntry(header: string | null, trusted: number): string | undefined {
  if (header === null) return undefined;
  const entries = header.split(',');
  return entries[Math.max(0, entries.length - trusted)]?.trim() || undefined;
}

/** `proto` and `host` of one RFC 7239 `Forwarded` element (`for=…;proto=https;host="a.b"`). */
function forwardedPairs(element: string | undefined): { proto?: string; host?: string } {
  const pairs: { proto?: string; host?: string } = {};
  for (const pair of element?.split(';') ?? []) {
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals).trim().toLowerCase();
    const value = pair
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (equals > 0 && (name === 'proto' || name === 'host')) pairs[name] = value;
  }
  return pairs;
}

/**
 * Where published URLs point. With `TOKENSWAP_PUBLIC_URL`, there and nowhere else. Without it,
 * the request's own: its Host, and the protocol and host a proxy trusted by
 * `TOKENSWAP_TRUST_PROXY` forwarded (RFC 7239 `Forwarded`, else `X-Forwarded-Proto` and
 * `X-Forwarded-Host`); from anyone else those headers are the client's word and ignored. A host
 * that is not a plain host[:port] is refused rather than published.
 */
export function publicOrigin(publicUrl: string | undefined, trust: TrustProxy): PublicOrigin {
  if (publicUrl !== undefined) return () => publicUrl;
  return (request, peerAddress) => {
    const url = new URL(request.url);
    const headers = request.headers;
    let proto = url.protocol.slice(0, -1);
    let host = headers.get('host') ?? url.host;
    const trusted = trustedProxyCount(
      peerAddress,
      headers.get('x-forwarded-for') ?? undefined,
      trust,
    );
    if (trusted > 0) {
      const forwarded = forwardedPairs(trustedEntry(headers.get('forwarded'), trusted));
      proto = forwarded.proto ?? trustedEntry(headers.get('x-forwarded-proto'), trusted) ?? proto;
      host = forwarded.host ?? trustedEntry(headers.get('x-forwarded-host'), trusted) ?? host;
      proto = proto.toLowerCase();
      if (proto !== 'http' && proto !== 'https') {
        throw invalidRequest('A trusted proxy forwarded a protocol other than http or https');
      }
    }
    const port = PLAIN_HOST.exec(host)?.[1];
    if (!PLAIN_HOST.test(host) || (port !== undefined && Number(port) > 65_535)) throw badHost();
    try {
      return new URL(`${proto}://${host}`).origin;
    } catch {
      throw badHost();
    }
  };
}
