// The part of the Workers runtime's `cloudflare:workers` module that the adapter uses, typed
// here rather than through @cloudflare/workers-types, whose global declarations clash with the
// DOM and Node types the rest of the project is checked against.
declare module 'cloudflare:workers' {
  /** A Durable Object class whose public methods are callable over RPC from a stub. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: unknown;
    protected readonly env: Env;
    constructor(ctx: unknown, env: Env);
  }
}
