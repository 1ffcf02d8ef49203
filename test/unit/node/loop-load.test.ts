import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { watchLoopLoad } from '../../../src/node/loop-load.ts';

/** Keeps the event loop running callbacks, never waiting for I/O, for `ms`. */
async function saturate(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = performance.now() + 5;
    while (performance.now() < slice) {
      // spin
    }
    // Let timers (the watcher's among them) run between slices, as requests would.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('watchLoopLoad', () => {
  it('is idle while the loop waits for I/O, busy while it is saturated, idle again after', async () => {
    const load = watchLoopLoad({ intervalMs: 20 });
    try {
      await sleep(80);
      expect(load.busy).toBe(false);
      await saturate(150);
      expect(load.busy).toBe(true);
      await sleep(80);
      expect(load.busy).toBe(false);
    } finally {
      load.stop();
    }
  });

  it('stays busy through an interval between its two thresholds', async () => {
    const load = watchLoopLoad({ intervalMs: 40, busyAbove: 0.9, idleBelow: 0.1 });
    try {
      await saturate(150);
      expect(load.busy).toBe(true);
      // About half of each interval spent running callbacks: below busy, above idle.
      const end = performance.now() + 200;
      while (performance.now() < end) {
        await saturate(10);
        await sleep(10);
      }
      expect(load.busy).toBe(true);
    } finally {
      load.stop();
    }
  });
});
