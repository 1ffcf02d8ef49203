// The part of the Workers runtime's `cloudflare:workers` module that the adapter uses, typed
// here rather than through @cloudflare/workers-types, whose global declarations clash with the
// DOM and Node types the rest of the project is checked against.
declare module 'cloudflare:workers' {
  /** A SQLite-backed object's synchronous key-value storage (`ctx.storage.kv`). */
  export interface SyncKvStorage {
    get<T = unknown>(key: string): T | undefined;
    put<T>(key: string, value: T): void;
    delete(key: string): boolean;
    list<T = unknown>(): Iterable<[string, T]>;
  }

  export interface DurableObjectStorage {
    readonly kv: SyncKvStorage;
    getAlarm(): Promise<number | null>;
    setAlarm(scheduledTime: number): Promise<void>;
  }

  export interface DurableObjectState {
    readonly storage: DurableObjectStorage;
  }

  /** A Durable Object class whose public methods are callable over RPC from a stub. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
