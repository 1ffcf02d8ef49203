/**
 * The Cloudflare Workers entry: `main` of `deploy/cloudflare/wrangler.toml`. The default export
 * serves every request; `TokenSwapState` is the Durable Object class the template binds as
 * `TOKENSWAP_STATE`.
 */
import { createWorker } from './worker.ts';

export { TokenSwapState } from './state-object.ts';
export { createWorker, type TokenSwapWorker, type WorkerEnv } from './worker.ts';

export default createWorker();
