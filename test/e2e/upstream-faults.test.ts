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

/** Each fault is armed twice, so a refresh's one retry meets it too. */
const MATRIX: [string, Fault, number, string | undefined][] = [
  [
    '5xx JSON',
    { count: 2, status: 500, body: '{"error":"server_error"}', contentType: 'application/json' },
    502,
    undefined,
  ],
  [
    '5xx plain text',
    {
      count: 2,
      status: 503,
      body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
      contentType: 'text/plain',
    },
    502,
    undefined,
  ],
  ['429 with seconds', { count: 2, status: 429, body: '', retryAfter: 7 }, 429, '7'],
  ['429 with an HTTP-date', { count: 2, status: 429, body: '', retryAfter: 'DATE' }, 429, 'INT'],
  ['dropped connection', { count: 2, drop: true }, 502, undefined],
  ['delay past the timeout', { count: 2, delayMs: TIMEOUT_MS + 1_500 }, 504, undefined],
  [
    'malformed success body',
    { count: 2, status: 200, body: '{"access_token":', contentType: 'application/json' },
    502,
    undefined,
  ],
  [
    'success without access_token',
    {
      count: 2,
      status: 200,
      body: '{"token_type":"Bearer","expires_in":3600}',
      contentType: 'application/json',
    },
    502,
    undefined,
  ],
];

describe('fault matrix: every upstream failure is a documented JSON answer in time', () => {
  for (const grant of ['swap', 'refresh'] as const) {
    for (const [name, fault, status, retryAfter] of MATRIX) {
      it(`${grant}: ${name} → ${status}`, async () => {
        const fields: Record<string, string> =
          grant === 'swap'
            ? { code: await authorizeCode(emulatorUrl) }
            : { refresh_token: await sealedRefreshToken() };
        const armed =
          fault.retryAfter === 'DATE'
            ? { ...fault, retryAfter: new Date(Date.now() + 90_000).toUTCString() }
            : fault;
        await control.fault(armed);
        const result = await post(grant === 'swap' ? '/swap' : '/refresh', fields);
        expect(result.status).toBe(status);
        expect(result.type).toBe('application/json');
        expect(typeof result.body.error).toBe('string');
        expect(typeof result.body.error_description).toBe('string');
        expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_000 + (retryAfter ? 0 : 250));
        if (retryAfter === 'INT') expect(Number(result.retryAfter)).toBeGreaterThan(80);
        else if (retryAfter !== undefined) expect(result.retryAfter).toBe(retryAfter);
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
