/**
 * A clock the test moves by hand, with the waiting on it: `sleep` resolves only when `advance`
 * passes its time, and `sleeping(n)` is the event of `n` callers waiting, so a test never waits
 * on the real clock to learn that code got to its wait.
 */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  const timers: { due: number; wake: () => void }[] = [];
  const watchers: (() => void)[] = [];
  return {
    now: () => now,
    sleep(ms: number): Promise<void> {
      return new Promise<void>((wake) => {
        timers.push({ due: now + ms, wake });
        for (const watcher of watchers.splice(0)) watcher();
      });
    },
    /** Moves time on, and wakes every sleeper whose time has come. */
    advance(ms: number): void {
      now += ms;
      for (const timer of timers.filter((t) => t.due <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.wake();
      }
    },
    /** Resolves once at least `count` callers are asleep on this clock. */
    sleeping(count = 1): Promise<void> {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (timers.length >= count) resolve();
          else watchers.push(check);
        };
        check();
      });
    },
  };
}
