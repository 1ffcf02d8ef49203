import { getConnInfo, handle } from 'hono/vercel';
import type { Env } from '../../config/env-reader.ts';
import { functionApp } from '../function-handler.ts';
import type { WebServiceOptions } from '../web-service.ts';

/**
 * A Vercel function (`(request: Request) => Response`, the Node.js runtime) over `hono/vercel`,
 * configured by `env` (the names of `tokenswap serve`). The client's address is the `x-real-ip` header
 * Vercel's edge sets. State is per instance unless
 * `TOKENSWAP_REDIS_URL` names a Redis every instance reaches.
 *
 * ```ts
 * // api/index.ts
 * const handler = createVercelHandler(process.env);
 * export { handler as GET, handler as POST, handler as HEAD, handler as OPTIONS };
 * ```
 */
export function createVercelHandler(env: Env, options: WebServiceOptions = {}) {
  return handle(functionApp(env, getConnInfo, options));
}
