import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { authorizeCode, s256 } from '../support/authorize.ts';
import { demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import { expectSealedRefreshToken } from '../support/sealed-token.ts';
import { TEST_KEY } from '../support/test-app.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const ORIGIN = 'https://app.example.com';

/** How one client family swaps a code and refreshes (paths, encodings, extra fields). */
interface WireFormat {
  readonly name: string;
  readonly redirectUri?: string;
  readonly pkce?: boolean;
  swap(code: string, verifier?: string): { path: string; body: string; type?: string };
  refresh(token: string): { path: string; body: string; type?: string };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const WIRE_FORMATS: readonly WireFormat[] = [
  {
    name: 'SpotifyAPI-NET',
    swap: (code) => ({ path: '/swap', body: `code=${code}`, type: FORM }),
    refresh: (token) => ({
      path: '/refresh',
      body: `refresh_token=${encodeURIComponent(token)}`,
      type: FORM,
    }),
  },
  {
    name: 'iOS SDK',
    swap: (code) => ({ path: '/swap', body: form({ code }), type: FORM }),
    refresh: (token) => ({
      path: '/refresh',
      body: form({
        client_id: 'tokenswap-demo',
        grant_type: 'refresh_token',
        refresh_token: token,
      }),
      type: FORM,
    }),
  },
  {
    name: 'bih / Glitch, no Content-Type, token not URL-encoded',
    swap: (code) => ({ path: '/api/token', body: `code=${code}` }),
    refresh: (token) => ({ path: '/api/refresh_token', body: `refresh_token=${token}` }),
  },
  {
    name: 'Swift proxy backend',
    swap: (code) => ({
      path: '/authorization-code-flow/retrieve-tokens',
      body: form({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1/callback',
      }),
      type: FORM,
    }),
    refresh: (token) => ({
      path: '/authorization-code-flow/refresh-tokens',
      body: form({ grant_type: 'refresh_token', refresh_token: token }),
      type: FORM,
    }),
  },
  {
    name: 'Swift PKCE proxy backend',
    redirectUri: 'http://127.0.0.1:8123/callback',
    pkce: true,
    swap: (code, verifier) => ({
      path: '/authorization-code-flow-pkce/retrieve-tokens',
      body: form({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier!,
        redirect_uri: 'http://127.0.0.1:8123/callback',
      }),
      type: FORM,
    }),
    refresh: (token) => ({
      path: '/authorization-code-flow-pkce/refresh-tokens',
      body: form({ method: 'PKCE', grant_type: 'refresh_token', refresh_token: token }),
      type: FORM,
    }),
  },
  {
    name: 'JSON body',
    swap: (code) => ({ path: '/swap', body: JSON.stringify({ code }), type: JSON_TYPE }),
    refresh: (token) => ({
      path: '/refresh',
      body: JSON.stringify({ refresh_token: token }),
      type: JSON_TYPE,
    }),
  },
  {
    name: 'RFC 6749 /token',
    redirectUri: 'http://127.0.0.1:9999/callback',
    swap: (code) => ({
      path: '/token',
      body: form({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:9999/callback',
        client_id: 'tokenswap-demo',
      }),
      type: FORM,
    }),
    refresh: (token) => ({
      path: '/token',
      body: form({
        grant_type: 'refresh_token',
        refresh_token: token,
        client_id: 'tokenswap-demo',
      }),
      type: FORM,
    }),
  },
];

/** Raw bytes on a fresh connection, closed after `abortAfterMs` when given; what came back. */
function rawSocket(port: number, text: string, abortAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (abortAfterMs !== undefined) setTimeout(() => socket.destroy(), abortAfterMs);
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

describe('logs never leak a secret', () => {
  it('at the most verbose level, no secret, code, token, key or Authorization value reaches the output', async () => {
    const emulator = startCli(['emulator', '--port', '0']);
    const emulatorUrl = await emulator.waitFor(LISTENING);
    const control = emulatorControl(emulatorUrl);
    const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
      ...demoServerEnv(emulatorUrl),
      TOKENSWAP_METRICS_TOKEN: 'metrics-bearer-secret',
      TOKENSWAP_UPSTREAM_TIMEOUT_MS: '1000',
      TOKENSWAP_CORS_ORIGINS: ORIGIN,
      // Each request names its own client address, except where a 429 is wanted.
      TOKENSWAP_TRUST_PROXY: '1',
      TOKENSWAP_RATE_LIMIT: '5/min',
      LOG_LEVEL: 'trace',
    });
    const serverUrl = await server.waitFor(LISTENING);
    const port = Number(new URL(serverUrl).port);
    const secrets = new Set<string>([
      'tokenswap-demo-secret',
      Buffer.from('tokenswap-demo:tokenswap-demo-secret').toString('base64'),
      TEST_KEY.split(':')[1]!,
      'metrics-bearer-secret',
    ]);
    const secret = (value: string) => {
      secrets.add(value);
      return value;
    };
    let client = 0;
    const nextAddress = () => `203.0.113.${(client++ % 250) + 1}`;
    const statuses: number[] = [];

    /** One request as a client sends it; every token in the answer becomes a secret. */
    const send = async (
      path: string,
      init: { method?: string; body?: string; type?: string; headers?: Record<string, string> },
    ) => {
      const headers: Record<string, string> = {
        'x-forwarded-for': nextAddress(),
        ...init.headers,
      };
      if (init.type !== undefined) headers['content-type'] = init.type;
      const response = await fetch(`${serverUrl}${path}`, {
        method: init.method ?? 'POST',
        headers,
        // Bytes, so fetch adds no Content-Type of its own.
        ...(init.body !== undefined && { body: new TextEncoder().encode(init.body) }),
      });
      statuses.push(response.status);
      const text = await response.text();
      const body = (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown>;
      if (typeof body.access_token === 'string') secret(body.access_token);
      if (typeof body.refresh_token === 'string') {
        secret(body.refresh_token);
        secret(await expectSealedRefreshToken(body.refresh_token, 'tokenswap-demo'));
      }
      return { status: response.status, body };
    };

    try {
      // Every client wire format: swap, refresh, a refresh with a token that does not open, the
      // code again (answered from the code-exchange window), and the code with another redirect
      // URI (sent upstream: Spotify's invalid_grant), with Authorization headers some clients send.
      for (const format of WIRE_FORMATS) {
        const verifier = format.pkce ? secret(`pkce-verifier-${format.name}`.padEnd(64, 'v')) : '';
        const code = secret(
          await authorizeCode(emulatorUrl, {
            ...(format.redirectUri !== undefined && { redirectUri: format.redirectUri }),
            ...(format.pkce && { codeChallenge: await s256(verifier) }),
          }),
        );
        const headers = {
          authorization: `Bearer ${secret(`client-bearer-${client}-value`)}`,
          'x-request-id': `trace-${client}`,
        };
        const swap = await send(format.swap(code, verifier).path, {
          ...format.swap(code, verifier),
          headers,
        });
        expect(swap.status, format.name).toBe(200);
        const token = swap.body.refresh_token as string;
        const refresh = await send(format.refresh(token).path, format.refresh(token));
        expect(refresh.status, format.name).toBe(200);
        const tampered = `${token.slice(0, -4)}AAAA`;
        expect((await send(format.refresh(tampered).path, format.refresh(tampered))).status).toBe(
          400,
        );
        expect(
          (await send(format.swap(code, verifier).path, format.swap(code, verifier))).status,
        ).toBe(200);
        const elsewhere = form({ code, redirect_uri: 'http://127.0.0.1:9/callback' });
        expect((await send('/swap', { body: elsewhere, type: FORM })).status).toBe(400);
      }
      const basic = `Basic ${Buffer.from('tokenswap-demo:client-side-basic-secret').toString('base64')}`;
      secret(basic.slice('Basic '.length));
      const code = secret(await authorizeCode(emulatorUrl));
      const swapped = await send('/swap', {
        body: form({ code }),
        type: FORM,
        headers: { authorization: basic, origin: ORIGIN },
      });
      expect(swapped.status).toBe(200);
      const sealed = swapped.body.refresh_token as string;

      // Client errors, each carrying something secret-looking where a careless log would copy it.
      await send('/swap', {
        body: form({ code: 'em-code-BAD-REDIRECT', redirect_uri: 'https://evil.example/cb' }),
        type: FORM,
      });
      await send('/swap', { body: form({}), type: FORM });
      await send('/token', {
        body: form({ grant_type: 'password', password: secret('user-password-value') }),
        type: FORM,
      });
      await send('/swap', { body: 'code=em-code-WRONG-TYPE', type: 'text/plain' });
      await send('/swap', { body: '{"code":"em-code-BROKEN-JSON"', type: JSON_TYPE });
      await send('/swap', { body: `code=em-code-TOO-BIG&pad=${'x'.repeat(20_000)}`, type: FORM });
      await send(`/refresh?refresh_token=${encodeURIComponent(sealed)}`, { method: 'GET' });
      await send(`/refresh/em-rt-IN-PATH`, { body: '' });
      await send(`/nowhere?code=em-code-IN-QUERY`, { method: 'GET' });
      for (let i = 0; i < 6; i++) {
        await send('/refresh', {
          body: form({ refresh_token: sealed }),
          type: FORM,
          headers: { 'x-forwarded-for': '198.51.100.7' },
        });
      }

      // Upstream faults whose bodies look like tokens: 5xx (a refresh retries), a malformed 200, an
      // OAuth error, a 429, a non-JSON page, a dropped connection, a timeout.
      await control.fault({
        count: 2,
        status: 500,
        body: '{"error":"server_error","access_token":"em-at-LEAKED-IN-BODY"}',
      });
      await send('/swap', { body: form({ code: 'em-code-LEAKED-CODE' }), type: FORM });
      await send('/refresh', { body: form({ refresh_token: sealed }), type: FORM });
      await control.clearFaults();
      await control.fault({ count: 1, status: 200, body: '{"refresh_token":"em-rt-LEAKED"}' });
      await send('/swap', { body: form({ code: 'em-code-OTHER' }), type: FORM });
      await control.fault({
        count: 1,
        status: 400,
        body: '{"error":"invalid_client","error_description":"em-at-IN-DESCRIPTION"}',
      });
      await send('/swap', { body: form({ code: 'em-code-INVALID-CLIENT' }), type: FORM });
      await control.fault({
        count: 1,
        status: 429,
        retryAfter: 3,
        body: '{"error":"rate_limited","refresh_token":"em-rt-IN-429"}',
      });
      await send('/swap', { body: form({ code: 'em-code-LIMITED' }), type: FORM });
      await control.fault({
        count: 1,
        status: 502,
        contentType: 'text/html',
        body: '<p>em-at-IN-HTML</p>',
      });
      await send('/swap', { body: form({ code: 'em-code-HTML' }), type: FORM });
      await control.fault({ count: 1, drop: true });
      await send('/swap', { body: form({ code: 'em-code-DROPPED' }), type: FORM });
      await control.fault({ count: 1, delayMs: 1500 });
      await send('/swap', { body: form({ code: 'em-code-SLOW' }), type: FORM });
      await control.clearFaults();

      // Discovery, CORS, operations, a metrics scrape with the right and a wrong bearer.
      await send('/.well-known/tokenswap', { method: 'GET', headers: { origin: ORIGIN } });
      await send('/swap', {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      await send('/', { method: 'GET' });
      await send('/healthz', { method: 'GET' });
      await send('/readyz', { method: 'GET' });
      const metrics = await send('/metrics', {
        method: 'GET',
        headers: { authorization: 'Bearer metrics-bearer-secret' },
      });
      expect(metrics.status).toBe(200);
      await send('/metrics', {
        method: 'GET',
        headers: { authorization: `Bearer ${secret('wrong-metrics-bearer-value')}` },
      });

      // The wire itself: a body cut off mid-code, and broken chunked framing around a code.
      await rawSocket(
        port,
        `POST /swap HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 200\r\n\r\ncode=em-code-ABORTED`,
        150,
      );
      await rawSocket(
        port,
        'POST /swap HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\ncode=em-code-CHUNKED\r\n0\r\n\r\n',
      );

      // Last, the circuit: five failures in a row open it; refused calls and /readyz say so.
      await control.fault({ count: 5, status: 503, body: '{"access_token":"em-at-CIRCUIT"}' });
      for (let i = 0; i < 6; i++) {
        await send('/swap', { body: form({ code: `em-code-CIRCUIT-${i}` }), type: FORM });
      }
      expect((await send('/readyz', { method: 'GET' })).status).toBe(503);
    } finally {
      expect(await server.stop()).toBe(0);
      await emulator.stop();
    }
    // The mix really happened: answers of every kind.
    for (const status of [200, 204, 400, 401, 404, 405, 413, 415, 429, 502, 503, 504]) {
      expect(statuses, `a ${status} answer`).toContain(status);
    }
    const output = server.output();
    // Each wire format alone adds a code, a bearer value, two access tokens and a refresh token
    // sealed and raw.
    expect(secrets.size).toBeGreaterThan(4 + WIRE_FORMATS.length * 5);
    expect(output).toContain('"msg":"request"');
    expect(output).toContain('trace-0');
    expect(output).toContain('"msg":"request failed"');
    expect(output).toContain('"msg":"upstream refused"');
    expect(output).toContain('"msg":"client closed the request before it was answered"');
    for (const value of secrets) expect(output).not.toContain(value);
    // Whatever the emulator issues is prefixed: none of it may appear.
    expect(output).not.toMatch(/em-(at|rt|code)-/);
    expect(output).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(output).not.toMatch(/ts1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16,}/);
    expect(output).not.toContain('pkce-verifier');
  });
});
