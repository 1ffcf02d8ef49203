import { type LoopLoad, watchLoopLoad } from './loop-load.ts';

/**
 * Batching the work of one turn of the event loop, while the loop is saturated.
 *
 * Node runs one socket's callback and every promise continuation it sets off before the next
 * socket's. Under load, the requests (and upstream answers) that became ready in one turn then
 * each run the whole request path alone, one after the other. When they wait for the turn's
 * check phase instead, they resume together in one `setImmediate` callback, right after the
 * turn's I/O callbacks (no timer runs in between), and their continuations interleave step by
 * step: the same code runs many times in a row, and the server spends less CPU per request
 * (README, performance). The Node adapter's rule, all of it here:
 * - An incoming request waits for the others of its turn only while the loop is saturated:
 *   otherwise batching would only delay it, and its upstream call would start later.
 * - Upstream answers are handed on together always: what they set off is the rest of their
 *   requests, and the responses of one turn then leave in one burst (the TLS scenario).
 */
let load: LoopLoad | undefined;

/** An incoming request: handled now, or while the loop is saturated, with its turn's others. */
export function batchRequest<T>(work: () => T): T | Promise<T> {
  // One process-wide watcher (its timer never keeps the process alive).
  load ??= watchLoopLoad();
  return load.busy ? checkPhase().then(work) : work();
}

/** An upstream answer: handed on in this turn's check phase, with its turn's others. */
export function batchUpstreamAnswer(work: () => void): void {
  checkPhase().then(work);
}

let current: Promise<void> | undefined;

/**
 * Resolves in the check phase of this turn of the event loop (or of the next one, when called
 * from the check phase itself). Every call of one turn shares one promise and one immediate;
 * its waiters resume in the order they called.
 */
export function checkPhase(): Promise<void> {
  current ??= new Promise<void>((resolve) => {
    setImmediate(() => {
      current = undefined;
      resolve();
    });
  });
  return current;
}
