import type { PublicOrigin } from '../http/public-origin.ts';

/**
 * The public URL of the endpoint a request came to, without query or fragment: what a DPoP
 * proof's `htu` must name (RFC 9449 §4.3 check 9). Its origin is the one the server publishes
 * (`TOKENSWAP_PUBLIC_URL`, else the request's own as a trusted proxy forwarded it), so a proof
 * made for the URL in discovery matches behind a proxy that rewrites the scheme or host.
 */
export function endpointPublicUrl(
  request: Request,
  peerAddress: string | undefined,
  origin: PublicOrigin,
): string {
  return `${origin(request, peerAddress)}${new URL(request.url).pathname}`;
}
