import { readFile } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPhase } from '../../../src/node/turn-batching.ts';

/** Runs `body` inside an I/O callback (the poll phase), as a socket's data handler would. */
function inIoCallback<T>(body: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    readFile(import.meta.filename, () => {
      body().then(resolve, reject);
    });
  });
}

describe('checkPhase', () => {
  it('gives every caller of one turn the same promise, and a later turn a new one', async () => {
    const first = checkPhase();
    expect(checkPhase()).toBe(first);
    await first;
    const next = checkPhase();
    expect(next).not.toBe(first);
    await next;
  });

  it('resumes in the same turn as the I/O that called it, before any timer', async () => {
    const order = await inIoCallback(async () => {
      const seen: string[] = [];
      const timer = new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.push('timer');
          resolve();
        }, 0),
      );
      await Promise.all([checkPhase().then(() => seen.push('check')), timer]);
      return seen;
    });
    expect(order).toEqual(['check', 'timer']);
  });

  it('lets requests set off by separate callbacks of one turn go on together, step by step', async () => {
    // Each request starts in a callback of its own, like data on separate sockets: Node drains
    // the promise continuations of one callback before it runs the next.
    const steps: string[] = [];
    const request = async (name: string) => {
      await checkPhase();
      steps.push(`${name} parsed`);
      await Promise.resolve();
      steps.push(`${name} answered`);
    };
    const done = ['a', 'b', 'c'].map(
      (name) => new Promise<void>((resolve) => setImmediate(() => request(name).then(resolve))),
    );
    await Promise.all(done);
    expect(steps).toEqual([
      'a parsed',
      'b parsed',
      'c parsed',
      'a answered',
      'b answered',
      'c answered',
    ]);
  });

  it('called from its own check phase, waits for the next turn’s', async () => {
    const first = checkPhase();
    const second = await first.then(() => checkPhase());
    expect(second).not.toBe(first);
    await second;
  });
});
