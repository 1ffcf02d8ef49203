import { expect } from 'vitest';

/** A refresh the test finishes by hand, counting how often it was started. */
export function controlledRefresh() {
  const pending: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  return {
    get calls() {
      return pending.length;
    },
    refresh: () =>
      new Promise<string>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
    settle: (index: number, outcome: string | Error) => {
      const call = pending[index]!;
      if (outcome instanceof Error) call.reject(outcome);
      else call.resolve(outcome);
    },
  };
}

/** Waits (at most about a second) for `condition`, and fails the test if it never holds. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(condition()).toBe(true);
}
