import type { Context } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';

/** The address of the connection's peer, as the runtime's adapter reads it. */
export type PeerAddress = (c: Context) => string | undefined;

/**
 * The peer address through the runtime's `getConnInfo` (Hono's ConnInfo helper: `hono/bun`,
 * `hono/deno`, `hono/cloudflare-workers`, `@hono/node-server/conninfo`, …). Without one the
 * peer is unknown, and every client shares one address. Whether the peer is the client or a
 * proxy that names it is `TOKENSWAP_TRUST_PROXY`'s business (`client-address.ts`).
 */
export function peerAddressVia(getConnInfo: GetConnInfo | undefined): PeerAddress {
  if (getConnInfo === undefined) return () => undefined;
  return (c) => getConnInfo(c).remote.address;
}
