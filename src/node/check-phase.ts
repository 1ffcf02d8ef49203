/**
 * Hands work from I/O callbacks on to the event loop's check phase, all of one turn together.
 *
 * Node runs one socket's callback and every promise continuation it sets off before the next
 * socket's. Under load, the requests that became ready in one turn then each run the whole
 * request path alone, one after the other. When they wait here instead, they resume together
 * in one `setImmediate` callback, right after the turn's I/O callbacks (no timer runs in
 * between), and their continuations interleave step by step: the same code runs many times in
 * a row, and the server spends markedly less CPU per request (`npm run bench:compare`). A
 * request waits at most for the other I/O callbacks of its own turn.
 */
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
