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
 * (README, performance). That pays only when CPU is what the requests wait for: while the loop
 * is not saturated, each goes on at once, and its upstream call starts sooner.
 */
let load: LoopLoad | undefined;

/**
 * Runs `work` now, or, while the event loop is saturated, in this turn's check phase together
 * with the rest of the turn's work. The one rule for the Node adapter: incoming requests and
 * upstream answers both go through here.
 */
export function batchWhileSaturated<T>(work: () => T): T | Promise<T> {
  // One process-wide watcher (its timer never keeps the process alive).
  load ??= watchLoopLoad();
  return load.busy ? checkPhase().then(work) : work();
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
