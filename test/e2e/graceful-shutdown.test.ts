import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';

let emulator: CliProcess;
let emulatorUrl: string;

beforeAll(async () => {
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
});

afterAll(async () => {
  await emulator?.stop();
});

describe('SIGTERM with requests in flight', () => {
  it('answers every request in flight, refuses new connections, then exits 0', async () => {
    const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
      ...demoServerEnv(emulatorUrl),
    });
    const serverUrl = await server.waitFor(LISTENING);
    const control = emulatorControl(emulatorUrl);
    const codes = await Promise.all(Array.from({ length: 8 }, () => authorizeCode(emulatorUrl)));
    const before = (await control.tokenRequests()).authorization_code ?? 0;
    // Every code exchange now takes a second upstream: Spotify has consumed each code by the
    // time the server is told to stop, so losing an answer would lose the user's login.
    await control.fault({ count: codes.length, delayMs: 1000 });

    const inFlight = codes.map((code) =>
      fetch(`${serverUrl}/swap`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code }),
      }),
    );
    // Every exchange has reached the upstream, which holds it for a second.
    while (((await control.tokenRequests()).authorization_code ?? 0) < before + codes.length) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const exit = server.stop('SIGTERM');
    // Once the signal is handled the listener is closed: new connections are refused while the
    // exchanges are still held upstream.
    let refused = false;
    while (!refused) {
      refused = await fetch(`${serverUrl}/healthz`).then(
        () => false,
        () => true,
      );
    }

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(codes.map(() => 200));
    for (const answer of answers) {
      expect(typeof (await answer.json()).access_token).toBe('string');
    }
    expect(await exit).toBe(0);
  });

  it('exits at the grace period when upstream calls outlast it', async () => {
    const GRACE_MS = 500;
    const UPSTREAM_DELAY_MS = 10_000;
    const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
      ...demoServerEnv(emulatorUrl),
      TOKENSWAP_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      TOKENSWAP_UPSTREAM_TIMEOUT_MS: '30000',
    });
    const serverUrl = await server.waitFor(LISTENING);
    const control = emulatorControl(emulatorUrl);
    const code = await authorizeCode(emulatorUrl);
    const before = (await control.tokenRequests()).authorization_code ?? 0;
    await control.fault({ count: 1, delayMs: UPSTREAM_DELAY_MS });
    const inFlight = fetch(`${serverUrl}/swap`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code }),
    });
    inFlight.catch(() => {});
    // The exchange has reached the upstream, which holds it far past the grace period.
    while (((await control.tokenRequests()).authorization_code ?? 0) === before) {
      await new Promise((resolve) => setImmediate(resolve));
    }

    const stopping = performance.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    const took = performance.now() - stopping;
    expect(took).toBeLessThan(UPSTREAM_DELAY_MS / 2);
    expect(server.output()).toContain('cut off');
    await expect(inFlight).rejects.toThrow();
  });
});
