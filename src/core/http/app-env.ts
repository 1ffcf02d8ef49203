import type { ConnectionInfo } from './rate-limit.ts';

/** What Hono carries per request: the adapter's connection info, and the request id. */
export interface AppEnv {
  Bindings: ConnectionInfo;
  Variables: {
    requestId: string;
  };
}
