/**
 * What Hono carries per request: the request id. The bindings are the runtime adapter's own
 * (what its `getConnInfo` reads), opaque to the core.
 */
export interface AppEnv {
  Variables: {
    requestId: string;
  };
}
