import type { GetConnInfo } from 'hono/conninfo';

/** What `startNodeServer` hands its handler beside the request. */
interface ServerBindings {
  readonly remoteAddress?: string | undefined;
}

/**
 * Hono's ConnInfo over what `startNodeServer` passes on: the socket's peer address, read there
 * from `@hono/node-server`'s bindings (`incoming.socket`), the same field its
 * `@hono/node-server/conninfo` reads.
 */
export const getServerConnInfo: GetConnInfo = (c) => {
  const address = (c.env as ServerBindings | undefined)?.remoteAddress;
  return { remote: address === undefined ? {} : { address } };
};
