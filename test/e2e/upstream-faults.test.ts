import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl, type Fault } from '../support/emulator-control.ts';

const TIMEOUT_MS = 1_000;
let emulator: CliProcess;
let server: CliProcess;
let emulatorUrl: string;
let serverUrl: string;
let control: ReturnType<typeof emulatorControl>;

beforeAll(async () => {
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
  control = emulatorControl(emulatorUrl);
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    ...demoServerEnv(emulatorUrl),
    TOKENSWAP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
    TOKENSWAP_RATE_LIMIT: 'off',
    TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
  });
  serverUrl = await server.waitFor(LISTENING);
});

afterAll(async () => {
  await Promise.all([server?.stop(), emulator?.stop()]);
});

beforeEach(async () => {
  await control.clearFaults();
});

async function post(path: string, fields: Record<string, string>) {
  const started = performance.now();
  const response = await fetch(`${serverUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
    ms: performance.now() - started,
  };
}

async function sealedRefreshToken(): Promise<string> {
  const swap = await post('/swap', { code: await authorizeCode(emulatorUrl) });
  expect(swap.status).toBe(200);
  return swap.body.refresh_token as string;
}

/** The server's answers (src/core/upstream/process-token-response.ts), exactly. */
const UNAVAILABLE = {
  error: 'temporarily_unavailable',
  error_description: 'The Spotify accounts service is unavailable, try again later',
};
const RATE_LIMITED = {
  error: 'temporarily_unavailable',
  error_description: 'The Spotify accounts service is rate limiting requests, try again later',
};
const TIMED_OUT = {
  error: 'temporarily_unavailable',
  error_description: 'The Spotify accounts service did not answer in time, try again later',
};
const INVALID_ANSWER = {
  error: 'temporarily_unavailable',
  error_description: 'The Spotify accounts service gave an invalid answer, try again later',
};

interface Row {
  readonly name: string;
  /** Armed twice, so a refresh's one retry meets it too. */
  readonly fault: Omit<Fault, 'count'>;
  readonly status: number;
  readonly body: Record<string, string>;
  /** The Retry-After the client must see: exact, `'90s date'` for the HTTP-date row, else none. */
  readonly retryAfter: string | '90s date' | null;
  /** Upstream calls a refresh makes: 2 where its one retry is allowed (a code is never retried). */
  readonly refreshCalls: 1 | 2;
}

const MATRIX: readonly Row[] = [
  {
    name: '5xx JSON',
    fault: { status: 500, body: '{"error":"server_error"}', contentType: 'application/json' },
    status: 502,
    body: UNAVAILABLE,
    retryAfter: null,
    refreshCalls: 2,
  },
  {
    name: '5xx plain text',
    fault: {
      status: 503,
      body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
      contentType: 'text/plain',
    },
    status: 502,
    body: UNAVAILABLE,
    retryAfter: null,
    refreshCalls: 2,
  },
  {
    // Waiting 120 s would pass the deadline, so even a refresh is not retried: one call.
    name: '5xx with Retry-After',
    fault: { status: 503, body: 'busy', contentType: 'text/plain', retryAfter: 120 },
    status: 502,
    body: UNAVAILABLE,
    retryAfter: '120',
    refreshCalls: 1,
  },
  {
    name: '429 with seconds',
    fault: { status: 429, body: '', retryAfter: 7 },
    status: 429,
    body: RATE_LIMITED,
    retryAfter: '7',
    refreshCalls: 1,
  },
  {
    name: '429 with an HTTP-date',
    fault: { status: 429, body: '', retryAfter: 'DATE' },
    status: 429,
    body: RATE_LIMITED,
    retryAfter: '90s date',
    refreshCalls: 1,
  },
  {
    // Capped like delta-seconds: 7 days, not the 73 years to come.
    name: '429 with an HTTP-date in 2099',
    fault: { status: 429, body: '', retryAfter: 'Thu, 01 Jan 2099 00:00:00 GMT' },
    status: 429,
    body: RATE_LIMITED,
    retryAfter: '604800',
    refreshCalls: 1,
  },
  {
    name: 'dropped connection',
    fault: { drop: true },
    status: 502,
    body: UNAVAILABLE,
    retryAfter: null,
    refreshCalls: 2,
  },
  {
    name: 'delay past the timeout',
    fault: { delayMs: TIMEOUT_MS + 1_500 },
    status: 504,
    body: TIMED_OUT,
    retryAfter: null,
    refreshCalls: 1,
  },
  {
    name: 'malformed success body',
    fault: { status: 200, body: '{"access_token":', contentType: 'application/json' },
    status: 502,
    body: INVALID_ANSWER,
    retryAfter: null,
    refreshCalls: 1,
  },
  {
    name: 'success without access_token',
    fault: {
      status: 200,
      body: '{"token_type":"Bearer","expires_in":3600}',
      contentType: 'application/json',
    },
    status: 502,
    body: INVALID_ANSWER,
    retryAfter: null,
    refreshCalls: 1,
  },
];

describe('fault matrix: every upstream failure is a documented JSON answer in time', () => {
  for (const grant of ['swap', 'refresh'] as const) {
    for (const row of MATRIX) {
      it(`${grant}: ${row.name} → ${row.status} ${row.body.error}`, async () => {
        const fields: Record<string, string> =
          grant === 'swap'
            ? { code: await authorizeCode(emulatorUrl) }
            : { refresh_token: await sealedRefreshToken() };
        const retryAt = new Date(Date.now() + 90_000);
        await control.fault({
          count: 2,
          ...row.fault,
          ...(row.fault.retryAfter === 'DATE' && { retryAfter: retryAt.toUTCString() }),
        });
        const kind = grant === 'swap' ? 'authorization_code' : 'refresh_token';
        const before = (await control.tokenRequests())[kind] ?? 0;
        const result = await post(grant === 'swap' ? '/swap' : '/refresh', fields);

        expect(result.status).toBe(row.status);
        expect(result.type).toBe('application/json');
        expect(result.body).toEqual(row.body);
        if (row.retryAfter === '90s date') {
          // Whole seconds from when the server read it to a date sent with a whole second.
          expect(result.retryAfter).toMatch(/^\d+$/);
          expect(Number(result.retryAfter)).toBeGreaterThanOrEqual(85);
          expect(Number(result.retryAfter)).toBeLessThanOrEqual(90);
        } else {
          expect(result.retryAfter).toBe(row.retryAfter);
        }
        const calls = ((await control.tokenRequests())[kind] ?? 0) - before;
        expect(calls).toBe(grant === 'swap' ? 1 : row.refreshCalls);
        // One deadline covers the call, a refresh's retry included (its wait is 50–250 ms of
        // jitter, or a Retry-After that fits before the deadline, else no retry at all): every
        // answer comes within the timeout plus one second.
        expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_000);
        if (row.status === 504) expect(result.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
        const health = await fetch(`${serverUrl}/healthz`);
        expect(health.status).toBe(200);
      });
    }
  }
});

describe('retries happen exactly where allowed', () => {
  it('a refresh is retried once after a 503 and succeeds; a code exchange is not retried', async () => {
    const token = await sealedRefreshToken();
    const before = await control.tokenRequests();
    await control.fault({ count: 1, status: 503, body: 'busy', contentType: 'text/plain' });
    expect((await post('/refresh', { refresh_token: token })).status).toBe(200);
    const afterRefresh = await control.tokenRequests();
    expect(afterRefresh.refresh_token! - before.refresh_token!).toBe(2);

    const code = await authorizeCode(emulatorUrl);
    await control.fault({ count: 1, status: 503, body: 'busy', contentType: 'text/plain' });
    expect((await post('/swap', { code })).status).toBe(502);
    await control.fault({ count: 1, drop: true });
    expect((await post('/swap', { code: await authorizeCode(emulatorUrl) })).status).toBe(502);
    const afterSwap = await control.tokenRequests();
    expect(afterSwap.authorization_code! - afterRefresh.authorization_code!).toBe(2);
  });

  it('a 4xx is never retried', async () => {
    const before = await control.tokenRequests();
    const result = await post('/swap', { code: 'not-a-code' });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid authorization code',
    });
    const after = await control.tokenRequests();
    expect(after.authorization_code! - before.authorization_code!).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after failures in a row: fails fast with 503 and Retry-After, /readyz says why', async () => {
    await control.fault({ count: 50, status: 500, body: 'down', contentType: 'text/plain' });
    for (let i = 0; i < 5; i++) {
      expect((await post('/swap', { code: `c${i}` })).status).toBe(502);
    }
    const before = await control.tokenRequests();
    const fast = await post('/swap', { code: 'c-fast' });
    expect(fast.status).toBe(503);
    expect(fast.body.error).toBe('temporarily_unavailable');
    expect(Number(fast.retryAfter)).toBeGreaterThan(0);
    expect(fast.ms).toBeLessThan(100);
    const after = await control.tokenRequests();
    expect(after.authorization_code).toBe(before.authorization_code);
    const ready = await fetch(`${serverUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failed: ['upstream_circuit'] });
    await control.clearFaults();
  });
});
