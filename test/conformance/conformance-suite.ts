import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeCode, s256 } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import { expectSealedRefreshToken } from '../support/sealed-token.ts';

/** A swap server a target started: its base URL and how to stop it. */
export interface RunningTarget {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Stops the server whatever state it is in; resolves once it is gone. */
  stop(): Promise<void>;
  /**
   * Sends SIGTERM and resolves with the exit code. Required when the target declares
   * `capabilities.sigterm`.
   */
  terminate?(): Promise<number | null>;
  /** Everything the server logged so far; when given, the suite checks no secret is in it. */
  output?(): string;
}

/** One runtime the shared suite runs against. */
export interface ConformanceTarget {
  /** Shown in the test names: `conformance (deno)`. */
  readonly name: string;
  /**
   * Starts one swap server configured by `env` (the variable names of `tokenswap serve`:
   * `SPOTIFY_CLIENT_ID`, `SPOTIFY_ACCOUNTS_URL` pointing at the suite's emulator,
   * `TOKENSWAP_RATE_LIMIT`, …), listening on loopback, and resolves once it answers. The suite
   * starts a few (one per configuration it needs) and stops each.
   */
  start(env: Readonly<Record<string, string>>): Promise<RunningTarget>;
  readonly capabilities?: {
    /** The runtime has signals: SIGTERM finishes requests in flight, then exits 0. */
    readonly sigterm?: boolean;
  };
}

export interface ConformanceOptions {
  /**
   * Skips every case (the runtime is not installed here): `false` to run, else the reason,
   * which is printed. Outside CI a missing tool skips; under CI=true the caller throws instead
   * (see `test/support/system-tool.ts`).
   */
  readonly skip?: false | string;
  /** Extra variables for every server the suite starts (e.g. `TOKENSWAP_REDIS_URL`). */
  readonly env?: Readonly<Record<string, string>>;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * Registers the shared conformance suite for one target: the same behaviour on every runtime
 * tokenswap supports. It starts its own accounts emulator (`tokenswap emulator`, on loopback)
 * and asks `target.start(env)` for the servers it needs, each configured for the emulator's demo
 * app (`demoServerEnv`) with sealed refresh tokens under `TEST_KEY`:
 *
 * - swap and refresh through every wire format of `/work/shared/spec/client-contracts.md`
 *   (SpotifyAPI-NET, iOS SDK, bih/Glitch paths, both Swift proxy backends, JSON, RFC 6749
 *   `/token`), each refresh token sealed, each access token working at the emulator;
 * - a tampered sealed token: `400 invalid_grant` without calling upstream;
 * - an upstream outage (emulator fault): JSON `502 temporarily_unavailable`;
 * - concurrent refreshes of one token: one upstream call (the emulator's counter), one answer;
 * - a rate-limited client (a second server with `TOKENSWAP_RATE_LIMIT=2/min`): JSON `429` with
 *   an integer `Retry-After`;
 * - discovery (`GET /.well-known/tokenswap`), health, a JSON `404`;
 * - with `capabilities.sigterm`: SIGTERM answers the request in flight, then exits 0;
 * - with `output()`: no code, token or secret in the logs.
 *
 * Call it at the top level of a `*.test.ts` file:
 *
 * ```ts
 * conformanceSuite({ name: 'node', start: (env) => startTokenswapServe(env),
 *   capabilities: { sigterm: true } });
 * ```
 */
export function conformanceSuite(target: ConformanceTarget, options: ConformanceOptions = {}) {
  const suite = options.skip ? describe.skip : describe;
  if (options.skip) console.warn(`skipping conformance (${target.name}): ${options.skip}`);

  suite(`conformance (${target.name})`, () => {
    let emulator: CliProcess;
    let emulatorUrl: string;
    let control: ReturnType<typeof emulatorControl>;
    let server: RunningTarget;
    const started: RunningTarget[] = [];
    /** Every code and token the suite saw, to look for in the logs at the end. */
    const secrets = new Set<string>(['tokenswap-demo-secret']);

    const serverEnv = (extra: Record<string, string> = {}) => ({
      ...demoServerEnv(emulatorUrl),
      TOKENSWAP_RATE_LIMIT: 'off',
      ...options.env,
      ...extra,
    });
    const start = async (extra?: Record<string, string>) => {
      const running = await target.start(serverEnv(extra));
      started.push(running);
      return running;
    };

    beforeAll(async () => {
      emulator = startCli(['emulator', '--port', '0']);
      emulatorUrl = await emulator.waitFor(LISTENING);
      control = emulatorControl(emulatorUrl);
      server = await start();
    });

    afterAll(async () => {
      await Promise.all(started.map((s) => s.stop()));
      await emulator?.stop();
    });

    beforeEach(async () => {
      await control.clearFaults();
    });

    async function post(path: string, body: string, contentType: string | undefined = FORM) {
      const headers: Record<string, string> = {};
      if (contentType !== undefined) headers['content-type'] = contentType;
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
      const text = await response.text();
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        body: JSON.parse(text) as Record<string, unknown>,
      };
    }
    type Answer = Awaited<ReturnType<typeof post>>;

    const code = async (options?: Parameters<typeof authorizeCode>[1]) => {
      const value = await authorizeCode(emulatorUrl, options);
      secrets.add(value);
      return value;
    };

    async function expectTokens(result: Answer, sent?: string): Promise<string> {
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      expect(result.type).toBe('application/json');
      expect(result.body.token_type).toBe('Bearer');
      expect(typeof result.body.access_token).toBe('string');
      expect(Number.isInteger(result.body.expires_in)).toBe(true);
      expect(typeof result.body.scope).toBe('string');
      const raw = await expectSealedRefreshToken(result.body.refresh_token, 'tokenswap-demo');
      expect(raw).toMatch(/^em-rt-/);
      if (sent !== undefined) expect(result.body.refresh_token).toBe(sent);
      secrets.add(raw);
      secrets.add(result.body.access_token as string);
      secrets.add(result.body.refresh_token as string);
      return result.body.refresh_token as string;
    }

    async function expectWorkingAccessToken(accessToken: unknown) {
      const me = await fetch(`${emulatorUrl}/v1/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(me.status).toBe(200);
    }

    const refreshCalls = async () => (await control.tokenRequests()).refresh_token ?? 0;

    /** Resolves once the emulator has counted `count` calls (it counts each on arrival). */
    const untilCount = (read: () => Promise<number>, count: number) =>
      expect.poll(read, { interval: 10, timeout: 5_000 }).toBeGreaterThanOrEqual(count);

    describe('every client wire format: swap, then refresh', () => {
      it('SpotifyAPI-NET: exactly code= to /swap, exactly refresh_token= to /refresh', async () => {
        const swap = await post('/swap', `code=${await code()}`);
        const sealed = await expectTokens(swap);
        const refresh = await post('/refresh', `refresh_token=${encodeURIComponent(sealed)}`);
        await expectTokens(refresh, sealed);
        await expectWorkingAccessToken(refresh.body.access_token);
      });

      it('iOS SDK: client_id, grant_type and refresh_token to the refresh URL', async () => {
        const sealed = await expectTokens(await post('/swap', `code=${await code()}`));
        const body = new URLSearchParams({
          client_id: 'tokenswap-demo',
          grant_type: 'refresh_token',
          refresh_token: sealed,
        });
        await expectTokens(await post('/refresh', body.toString()), sealed);
      });

      it('bih / Glitch: /api/token and /api/refresh_token, token not URL-encoded', async () => {
        const sealed = await expectTokens(await post('/api/token', `code=${await code()}`));
        await expectTokens(await post('/api/refresh_token', `refresh_token=${sealed}`), sealed);
      });

      it('Swift AuthorizationCodeFlowProxyBackend', async () => {
        const swap = await post(
          '/authorization-code-flow/retrieve-tokens',
          new URLSearchParams({
            grant_type: 'authorization_code',
            code: await code(),
            redirect_uri: 'http://127.0.0.1/callback',
          }).toString(),
        );
        const sealed = await expectTokens(swap);
        const refresh = await post(
          '/authorization-code-flow/refresh-tokens',
          new URLSearchParams({ grant_type: 'refresh_token', refresh_token: sealed }).toString(),
        );
        await expectTokens(refresh, sealed);
      });

      it('Swift AuthorizationCodeFlowPKCEProxyBackend', async () => {
        const verifier = 'conformance-verifier-'.padEnd(64, 'v');
        const redirectUri = 'http://127.0.0.1:8123/callback';
        const swap = await post(
          '/authorization-code-flow-pkce/retrieve-tokens',
          new URLSearchParams({
            grant_type: 'authorization_code',
            code: await code({ redirectUri, codeChallenge: await s256(verifier) }),
            code_verifier: verifier,
            redirect_uri: redirectUri,
          }).toString(),
        );
        const sealed = await expectTokens(swap);
        const refresh = await post(
          '/authorization-code-flow-pkce/refresh-tokens',
          new URLSearchParams({
            method: 'PKCE',
            grant_type: 'refresh_token',
            refresh_token: sealed,
          }).toString(),
        );
        await expectTokens(refresh, sealed);
        await expectWorkingAccessToken(refresh.body.access_token);
      });

      it('a JSON body', async () => {
        const swap = await post(
          '/swap',
          JSON.stringify({ code: await code() }),
          'application/json',
        );
        const sealed = await expectTokens(swap);
        const refresh = await post(
          '/refresh',
          JSON.stringify({ refresh_token: sealed }),
          'application/json',
        );
        await expectTokens(refresh, sealed);
      });

      it('a body without Content-Type is read as a form', async () => {
        await expectTokens(await post('/swap', `code=${await code()}`, undefined));
      });

      it('the RFC 6749 /token endpoint, both grants', async () => {
        const redirectUri = 'http://127.0.0.1:9999/callback';
        const swap = await post(
          '/token',
          new URLSearchParams({
            grant_type: 'authorization_code',
            code: await code({ redirectUri }),
            redirect_uri: redirectUri,
            client_id: 'tokenswap-demo',
          }).toString(),
        );
        const sealed = await expectTokens(swap);
        const refresh = await post(
          '/token',
          new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: sealed,
            client_id: 'tokenswap-demo',
          }).toString(),
        );
        await expectTokens(refresh, sealed);
      });

      it('answers a retried code from the exchange window; forwards Spotify’s own error for a code used twice', async () => {
        const once = await code();
        const first = await post('/swap', `code=${once}`);
        await expectTokens(first);
        // The same request again is a retry (its answer was lost): answered as the first was.
        const retry = await post('/swap', `code=${once}`);
        expect(retry.status).toBe(200);
        expect((retry.body as { access_token?: unknown }).access_token).toBe(
          (first.body as { access_token?: unknown }).access_token,
        );
        // With another redirect URI it is another exchange: upstream, where the code is used.
        const other = new URLSearchParams({
          code: once,
          redirect_uri: 'http://127.0.0.1:9/callback',
        });
        expect(await post('/swap', other.toString())).toMatchObject({
          status: 400,
          type: 'application/json',
          body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
        });
      });
    });

    it('a tampered sealed token is invalid_grant, and Spotify is not asked', async () => {
      const sealed = await expectTokens(await post('/swap', `code=${await code()}`));
      const last = sealed.at(-2) === 'A' ? 'B' : 'A';
      const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
      const before = await refreshCalls();
      expect(await post('/refresh', `refresh_token=${tampered}`)).toEqual({
        status: 400,
        type: 'application/json',
        retryAfter: null,
        body: { error: 'invalid_grant', error_description: 'Invalid refresh token' },
      });
      expect(await refreshCalls()).toBe(before);
    });

    it('an upstream outage is a JSON 502 temporarily_unavailable', async () => {
      const fresh = await code();
      await control.fault({ count: 1, status: 500, body: 'down', contentType: 'text/plain' });
      expect(await post('/swap', `code=${fresh}`)).toEqual({
        status: 502,
        type: 'application/json',
        retryAfter: null,
        body: {
          error: 'temporarily_unavailable',
          error_description: 'The Spotify accounts service is unavailable, try again later',
        },
      });
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    });

    it('concurrent refreshes of one token make one upstream call and get one answer', async () => {
      const sealed = await expectTokens(await post('/swap', `code=${await code()}`));
      // The first refresh is held upstream; the others are sent once it is known to be there.
      await control.fault({ count: 1, delayMs: 1_000 });
      const before = await refreshCalls();
      const first = post('/refresh', `refresh_token=${sealed}`);
      await untilCount(refreshCalls, before + 1);
      const rest = Array.from({ length: 5 }, () => post('/refresh', `refresh_token=${sealed}`));
      const answers = await Promise.all([first, ...rest]);
      expect(await refreshCalls()).toBe(before + 1);
      for (const answer of answers) await expectTokens(answer, sealed);
      expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    });

    it('a client over its rate limit gets a JSON 429 with an integer Retry-After', async () => {
      const limited = await start({ TOKENSWAP_RATE_LIMIT: '2/min' });
      const hit = async () => {
        const response = await fetch(`${limited.url}/refresh`, {
          method: 'POST',
          headers: { 'content-type': FORM },
          body: 'refresh_token=ts1.k1.not-a-sealed-token',
        });
        return {
          status: response.status,
          type: response.headers.get('content-type'),
          retryAfter: response.headers.get('retry-after'),
          limit: response.headers.get('ratelimit-limit'),
          body: await response.json(),
        };
      };
      expect((await hit()).status).toBe(400);
      expect((await hit()).status).toBe(400);
      const refused = await hit();
      expect(refused).toMatchObject({
        status: 429,
        type: 'application/json',
        limit: '2',
        body: { error: 'temporarily_unavailable' },
      });
      expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      // Discovery and health are not limited.
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
    });

    it('discovery names the public settings, never the secret', async () => {
      const response = await fetch(`${server.url}/.well-known/tokenswap`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const text = await response.text();
      expect(text).not.toContain('tokenswap-demo-secret');
      expect(JSON.parse(text)).toEqual({
        client_id: 'tokenswap-demo',
        authorize_url: `${emulatorUrl}/authorize`,
        api_url: emulatorUrl,
        redirect_uris: ['http://127.0.0.1/callback'],
        swap_url: `${server.url}/swap`,
        refresh_url: `${server.url}/refresh`,
        token_url: `${server.url}/token`,
        sealed_refresh_tokens: true,
        dpop: 'off',
      });
    });

    it('health, readiness and an unknown path answer JSON', async () => {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const missing = await fetch(`${server.url}/nowhere`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/json');
      expect((await missing.json()).error).toBe('not_found');
      const wrongMethod = await fetch(`${server.url}/swap`);
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
    });

    it.runIf(target.capabilities?.sigterm === true)(
      'SIGTERM answers the request in flight, then exits 0',
      async () => {
        const stopping = await start();
        const fresh = await code();
        await control.fault({ count: 1, delayMs: 800 });
        const before = (await control.tokenRequests()).authorization_code ?? 0;
        const inFlight = fetch(`${stopping.url}/swap`, {
          method: 'POST',
          headers: { 'content-type': FORM },
          body: new URLSearchParams({ code: fresh }),
        });
        // Signal once the request has reached upstream (the emulator counts it on arrival).
        await untilCount(
          async () => (await control.tokenRequests()).authorization_code ?? 0,
          before + 1,
        );
        const exited = stopping.terminate!();
        const answer = await inFlight;
        expect(answer.status).toBe(200);
        expect(typeof (await answer.json()).access_token).toBe('string');
        expect(await exited).toBe(0);
      },
    );

    it('logs carry no code, token or secret', async (ctx) => {
      const logged = started.map((s) => s.output?.()).filter((o) => o !== undefined);
      if (logged.length === 0) ctx.skip();
      // The server's own start line (`listening on …`; wrangler dev's `Ready on …`): logs were read.
      expect(logged.join('\n')).toMatch(/listening on|Ready on/);
      for (const output of logged) {
        for (const secret of secrets) expect(output).not.toContain(secret);
      }
    });
  });
}
