import type { GetConnInfo } from 'hono/conninfo';

/** What in-process tests hand `app.fetch` beside the request: the peer address they play. */
interface ServerBindings {
  readonly remoteAddress?: string | undefined;
}

/**
 * Hono's ConnInfo over the bindings of in-process tests (`{ remoteAddress }`), as each
 * runtime's adapter reads its own (`@hono/node-server/conninfo` on Node).
 */
export const getServerConnInfo: GetConnInfo = (c) => {
  const address = (c.env as ServerBindings | undefined)?.remoteAddress;
  return { remote: address === undefined ? {} : { address } };
};
