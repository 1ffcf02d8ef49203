import type { TLSSocket } from 'node:tls';
import type { Client, Dispatcher } from 'undici';
import type { UpstreamPoolConfig } from '../config/config.ts';
import { UpstreamBusyError } from '../core/upstream/upstream-client.ts';

/** What the pool needs of undici: its public `Client` and `buildConnector`. */
export interface UndiciParts {
  readonly Client: typeof Client;
  readonly buildConnector: typeof import('undici').buildConnector;
}

export interface OriginPoolOptions {
  readonly origin: string;
  readonly settings: UpstreamPoolConfig;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** Extra certificate authorities (PEM) to trust, beyond Node's. */
  readonly ca?: string | undefined;
  /** A monotonic clock in milliseconds. */
  readonly now: () => number;
}

/** One call waiting for, or using, a slot on a connection. */
export interface PooledCall extends Dispatcher.DispatchHandler {
  readonly dispatchOptions: Dispatcher.DispatchOptions;
  /** On the pool's clock: past it the call is not worth sending. */
  readonly deadline: number;
  /** The signal of the client the call is made for: aborted, the call is not sent. */
  readonly clientSignal: AbortSignal | undefined;
  /** False once the call has been answered or given up (a timeout), before or after sending. */
  readonly pending: boolean;
  /** Refused before it was sent. */
  refuse(error: Error): void;
  /** Where it runs, kept by the pool; the call hands itself to `freed` when it ends. */
  slot: Slot | undefined;
}

/** A call's place on a connection; `freed(call)` when the call ends, answered or not. */
export interface Slot {
  readonly connection: unknown;
  readonly sentAt: number;
  readonly freed: (call: PooledCall) => void;
}

interface Connection {
  readonly client: Client;
  /** Calls on it now. */
  running: number;
  /** Calls it may carry at once: 1 until ALPN said HTTP/2. */
  capacity: number;
  http2: boolean;
  idleSince: number;
}

/** Weight of the newest call in the moving average of call times. */
const LATENCY_WEIGHT = 0.1;

/**
 * The connections to one upstream origin, grown and shrunk with the load.
 * - HTTP/2 when the upstream offers it by ALPN: one connection carries
 *   `streamsPerConnection` calls at once; otherwise HTTP/1.1, one call per connection.
 * - Calls wait in one FIFO queue here, never inside undici, so the pool knows how long the
 *   queue is. While calls wait, it opens connections toward `maxConnections`, at most
 *   `connectsPerSecond` (no herd of TLS handshakes when a burst comes).
 * - Admission: a call that the queue cannot serve before its deadline, going by the average
 *   call time, is refused at once with `UpstreamBusyError`, as is a call whose time runs out
 *   while it waits (or is left shorter than a call takes when its turn comes), or whose client
 *   hung up before it reached a connection. None of these was sent: they are this server's
 *   capacity, not the upstream failing.
 * - A connection without a call for `idleMs` is closed.
 */
export class OriginPool {
  readonly #undici: UndiciParts;
  readonly #options: OriginPoolOptions;
  readonly #connector: ReturnType<UndiciParts['buildConnector']>;
  readonly #connections: Connection[] = [];
  #queue: PooledCall[] = [];
  #head = 0;
  #lastOpenedAt = Number.NEGATIVE_INFINITY;
  #growTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #idleTimer: ReturnType<typeof setInterval>;
  /** Moving average of the time from sending a call to its answer (ms); 0 before the first. */
  #latencyMs = 0;
  /** Whether a connection has said yet if the upstream speaks HTTP/2. */
  #negotiated = false;
  #closing = false;
  #drained: (() => void) | undefined;

  constructor(undici: UndiciParts, options: OriginPoolOptions) {
    this.#undici = undici;
    this.#options = options;
    // One connector for every connection of the origin: its TLS session cache lets a new
    // connection resume a session instead of a full handshake.
    this.#connector = undici.buildConnector({
      allowH2: options.settings.http2,
      timeout: options.connectTimeoutMs,
      ...(options.ca !== undefined && { ca: options.ca }),
    });
    this.#idleTimer = setInterval(
      () => this.#closeIdle(),
      Math.min(options.settings.idleMs, 5_000),
    );
    this.#idleTimer.unref();
  }

  /** Connections open (or opening) now. */
  get size(): number {
    return this.#connections.length;
  }

  /** Calls waiting for a slot now. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  submit(call: PooledCall): void {
    if (call.clientSignal?.aborted) {
      call.refuse(new UpstreamBusyError('client_gone', 0));
      return;
    }
    if (this.waiting === 0) {
      const connection = this.#free();
      if (connection !== undefined) {
        this.#send(connection, call);
        return;
      }
    }
    const now = this.#options.now();
    const wait = this.#expectedWaitMs(this.waiting + 1, call.deadline - now);
    if (now + wait + this.#latencyMs > call.deadline) {
      call.refuse(new UpstreamBusyError('overloaded', wait));
      return;
    }
    this.#queue.push(call);
    this.#grow();
  }

  /** Lets the waiting calls and those in flight finish, then closes every connection. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#idleTimer);
    if (this.waiting > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    clearTimeout(this.#growTimer);
    // Kept in the list until closed: a destroy() meanwhile must still find them.
    await Promise.all(this.#connections.map((c) => c.client.close()));
    this.#connections.length = 0;
  }

  /** Cuts off the calls in flight, refuses the waiting ones, closes every connection at once. */
  async destroy(error: Error): Promise<void> {
    this.#closing = true;
    clearInterval(this.#idleTimer);
    clearTimeout(this.#growTimer);
    for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]!.refuse(error);
    this.#queue = [];
    this.#head = 0;
    this.#drained?.();
    await Promise.all(this.#connections.map((c) => c.client.destroy()));
    this.#connections.length = 0;
  }

  /**
   * How long the `position`-th waiting call should wait for a slot (ms), if it may wait up to
   * `withinMs`: whole rounds of the slots the pool will have on average meanwhile (it grows at
   * its open rate toward its maximum), each as long as an average call. 0 until a call time is
   * known.
   */
  #expectedWaitMs(position: number, withinMs: number): number {
    if (this.#latencyMs === 0) return 0;
    const { settings } = this.#options;
    const perConnection = this.#connections.some((c) => c.http2)
      ? settings.streamsPerConnection
      : 1;
    const connections = Math.min(
      settings.maxConnections,
      this.#connections.length + (settings.connectsPerSecond * Math.max(0, withinMs)) / 2_000,
    );
    const slots = Math.max(1, connections * perConnection);
    return Math.ceil(position / slots) * this.#latencyMs;
  }

  /** The first connection with a free slot: calls pack onto the oldest, the newest go idle. */
  #free(): Connection | undefined {
    for (const connection of this.#connections) {
      if (connection.running < connection.capacity) return connection;
    }
    return undefined;
  }

  #send(connection: Connection, call: PooledCall): void {
    connection.running++;
    call.slot = { connection, sentAt: this.#options.now(), freed: this.#freed };
    connection.client.dispatch(call.dispatchOptions, call);
  }

  /** One function for every call (no closure per call): the slot is handed on. */
  readonly #freed = (call: PooledCall): void => {
    const slot = call.slot!;
    call.slot = undefined;
    const connection = slot.connection as Connection;
    connection.running--;
    const now = this.#options.now();
    if (connection.running === 0) connection.idleSince = now;
    const took = now - slot.sentAt;
    this.#latencyMs =
      this.#latencyMs === 0 ? took : this.#latencyMs + LATENCY_WEIGHT * (took - this.#latencyMs);
    this.#pump();
  };

  /** Hands free slots to the waiting calls, first come first served. */
  #pump(): void {
    while (this.#head < this.#queue.length) {
      const connection = this.#free();
      if (connection === undefined) break;
      const call = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as PooledCall;
      if (!call.pending) continue;
      if (call.clientSignal?.aborted) {
        call.refuse(new UpstreamBusyError('client_gone', 0));
        continue;
      }
      // What is left of its time is less than a call takes: sent now, it would time out
      // upstream, and count against the upstream for a wait that was ours.
      if (this.#options.now() + this.#latencyMs > call.deadline) {
        call.refuse(new UpstreamBusyError('overloaded', this.#latencyMs));
        continue;
      }
      this.#send(connection, call);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.waiting > 0) this.#grow();
    else this.#drained?.();
  }

  /** Opens one more connection if calls wait, the maximum allows and the open rate does. */
  #grow(): void {
    if (this.#growTimer !== undefined || this.#closing) return;
    const { settings, now } = this.#options;
    if (this.#connections.length >= settings.maxConnections) return;
    // Until a connection has said whether the upstream speaks HTTP/2, one at a time: an HTTP/2
    // upstream needs one connection where an HTTP/1.1 one needs many.
    if (!this.#negotiated && this.#connections.length > 0) return;
    const next = this.#lastOpenedAt + 1000 / settings.connectsPerSecond;
    const at = now();
    if (at < next) {
      this.#growTimer = setTimeout(() => {
        this.#growTimer = undefined;
        if (this.waiting > 0) this.#grow();
      }, next - at);
      this.#growTimer.unref();
      return;
    }
    this.#lastOpenedAt = at;
    this.#connections.push(this.#open());
    this.#pump();
  }

  #open(): Connection {
    const { origin, settings, headersTimeoutMs, bodyTimeoutMs } = this.#options;
    const connector = this.#connector;
    const connection: Connection = {
      client: undefined as unknown as Client,
      running: 0,
      capacity: 1,
      http2: false,
      idleSince: this.#options.now(),
    };
    const client = new this.#undici.Client(origin, {
      allowH2: settings.http2,
      maxConcurrentStreams: settings.streamsPerConnection,
      // How many calls undici lets run at once on the connection: over HTTP/2, the streams.
      // Over HTTP/1.1 the pool never gives a connection a second call while one runs.
      pipelining: settings.streamsPerConnection,
      headersTimeout: headersTimeoutMs,
      bodyTimeout: bodyTimeoutMs,
      keepAliveTimeout: settings.idleMs,
      keepAliveMaxTimeout: settings.idleMs,
      // Wraps the shared connector to learn what ALPN chose for this connection.
      connect: (options, callback) =>
        connector(options, (error, socket) => {
          if (error === null) {
            this.#negotiated = true;
            connection.http2 = (socket as TLSSocket).alpnProtocol === 'h2';
            connection.capacity = connection.http2 ? settings.streamsPerConnection : 1;
            queueMicrotask(() => this.#pump());
          }
          callback(error, socket as never);
        }),
    });
    (connection as { client: Client }).client = client;
    return connection;
  }

  #closeIdle(): void {
    const before = this.#options.now() - this.#options.settings.idleMs;
    for (let i = this.#connections.length - 1; i >= 0; i--) {
      const connection = this.#connections[i]!;
      if (connection.running === 0 && connection.idleSince <= before) {
        this.#connections.splice(i, 1);
        connection.client.close().catch(() => {});
      }
    }
  }
}
