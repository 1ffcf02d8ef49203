import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../core/logger.ts';
import { accessLogFor, createLogger, type LogLevel } from './logger.ts';

/** A destination that keeps every line written to it. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { destination, lines };
}

const ENTRIES: AccessEntry[] = [
  { requestId: 'a1b2c3', method: 'POST', path: '/swap', status: 200, durationMs: 3 },
  // Characters JSON must escape, in case a client ever gets one into a field.
  { requestId: 'id"\\\n\u2028', method: 'PATCH', path: '(unknown)', status: 499, durationMs: 0 },
];

async function linesOf(level: LogLevel, write: 'pino' | 'fast') {
  const { destination, lines } = capture();
  const logger = await createLogger({ level, pretty: false, destination });
  const accessLog = accessLogFor(logger, { pretty: false });
  for (const entry of ENTRIES) {
    if (write === 'pino') logger.info(entry, 'request');
    else accessLog(entry);
  }
  await new Promise((resolve) => setImmediate(resolve));
  // The time differs between the two; everything else must not.
  return lines.map((line) => line.replace(/"time":\d+/, '"time":0'));
}

describe('the access log of a JSON logger', () => {
  it('writes byte for byte the line pino writes for the same entry', async () => {
    const fast = await linesOf('info', 'fast');
    expect(fast).toEqual(await linesOf('info', 'pino'));
    expect(fast).toHaveLength(2);
    expect(JSON.parse(fast[1]!)).toMatchObject({ level: 30, msg: 'request', ...ENTRIES[1] });
  });

  it('writes nothing when the level is above info', async () => {
    expect(await linesOf('warn', 'fast')).toEqual([]);
  });
});
