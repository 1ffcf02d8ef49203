import { performance } from 'node:perf_hooks';

export interface LoopLoadOptions {
  /** How often the event loop's utilization is read. */
  readonly intervalMs?: number;
  /** Busy from an interval in which the loop ran callbacks at least this share of the time… */
  readonly busyAbove?: number;
  /** …until an interval in which it ran them less than this share. */
  readonly idleBelow?: number;
}

export interface LoopLoad {
  /** Whether the event loop is saturated: it has hardly waited for I/O lately. */
  readonly busy: boolean;
  stop(): void;
}

/**
 * Watches this process's event-loop utilization: the share of time it spent running callbacks
 * rather than waiting for I/O, read every `intervalMs`. Batching work trades a request's waiting
 * for less CPU per request, which pays only when CPU is what the requests wait for; this tells
 * the two cases apart. The two thresholds keep it from flapping where batching itself moves the
 * utilization across one of them.
 */
export function watchLoopLoad(options: LoopLoadOptions = {}): LoopLoad {
  const busyAbove = options.busyAbove ?? 0.9;
  const idleBelow = options.idleBelow ?? 0.6;
  let busy = false;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    if (utilization >= busyAbove) busy = true;
    else if (utilization < idleBelow) busy = false;
  }, options.intervalMs ?? 100);
  // A watcher never keeps the process alive.
  timer.unref();
  return {
    get busy() {
      return busy;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
