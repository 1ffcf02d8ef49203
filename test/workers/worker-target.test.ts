import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { dpopKey, makeProof } from '../support/dpop.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import { requireTool } from '../support/system-tool.ts';
import { buildWorkerBundle, type RunningWorkerd, startWorkerd } from './workerd.ts';
import { WRANGLER_BIN } from './wrangler-dev.ts';

// wrangler bundles with esbuild and workerd compiles the script at start: seconds of CPU each, so
// on a loaded machine these take far longer than the suite's defaults allow.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const available = requireTool(WRANGLER_BIN, 'run npm ci (wrangler is a dev dependency)');
const suite = available ? describe : describe.skip;

/** Cloudflare's Workers Free limit on a script, compressed (developers.cloudflare.com limits). */
const FREE_PLAN_GZIP_BYTES = 3 * 1024 * 1024;

/**
 * The script `wrangler deploy` would upload (built once), run by workerd itself on loopback
 * against the emulator: what the template's bindings, or their absence, guarantee.
 */
suite('cloudflare workers target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-workers-'));
  const started: RunningWorkerd[] = [];
  let emulator: CliProcess;
  let emulatorUrl: string;
  let control: ReturnType<typeof emulatorControl>;
  let bundle: Awaited<ReturnType<typeof buildWorkerBundle>>;

  beforeAll(async () => {
    emulator = startCli(['emulator', '--port', '0']);
    [emulatorUrl, bundle] = await Promise.all([
      emulator.waitFor(LISTENING),
      buildWorkerBundle(dir),
    ]);
    control = emulatorControl(emulatorUrl);
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (
    vars: Record<string, string>,
    options?: Parameters<typeof startWorkerd>[2],
  ) => {
    const running = await startWorkerd(dir, vars, options);
    started.push(running);
    return running;
  };

  /** A POST from `client`: the address Cloudflare's edge puts in CF-Connecting-IP. */
  async function post(url: string, path: string, body: string, client = '192.0.2.1') {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': client },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('the bundle wrangler deploys fits the free plan many times over and imports nothing of Node', () => {
    expect(bundle.stdout).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
    expect(bundle.stdout).toContain('env.TOKENSWAP_STATE (TokenSwapState)');
    const script = readFileSync(bundle.script);
    expect(gzipSync(script).length).toBeLessThan(FREE_PLAN_GZIP_BYTES / 10);
    const imports = [...script.toString('utf8').matchAll(/^import .* from "([^"]+)";$/gm)];
    expect(imports.map((m) => m[1])).toEqual(['cloudflare:workers']);
  });

  it('an unusable configuration answers JSON 500 and logs each variable by name once, never its value', async () => {
    const keyText = 'k1:Zm9yLXRoZS1sb2ctb25seS1ub3QtMzItYnl0ZXM';
    const redisPassword = 'redis-pa55word-in-the-url';
    const { SPOTIFY_CLIENT_SECRET: _, ...withoutSecret } = demoServerEnv(emulatorUrl);
    const worker = await start({
      ...withoutSecret,
      TOKENSWAP_ENCRYPTION_KEYS: keyText,
      TOKENSWAP_REDIS_URL: `redis://:${redisPassword}@127.0.0.1:6379`,
    });
    const url = worker.urls[0]!;
    for (const path of ['/swap', '/healthz']) {
      const response = await fetch(`${url}${path}`, {
        method: path === '/swap' ? 'POST' : 'GET',
        body: path === '/swap' ? new URLSearchParams({ code: 'x' }) : null,
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect((await response.json()).error).toBe('server_error');
    }
    await expect.poll(() => worker.output()).toContain('CONFIG_INVALID');
    const output = worker.output();
    const line = output.split('\n').find((l) => l.includes('CONFIG_INVALID'))!;
    expect(JSON.parse(line).variables).toEqual([
      'TOKENSWAP_REDIS_URL',
      'SPOTIFY_CLIENT_SECRET',
      'TOKENSWAP_ENCRYPTION_KEYS',
    ]);
    // Once per isolate: startWorkerd's own /healthz probe was the first request.
    expect(output.match(/CONFIG_INVALID/g)).toHaveLength(1);
    expect(output).not.toContain(keyText.slice(3));
    expect(output).not.toContain(redisPassword);
  });

  it('without the Durable Object it serves, with limits per isolate, and says so', async () => {
    const worker = await start(
      { ...demoServerEnv(emulatorUrl), TOKENSWAP_RATE_LIMIT: '2/min' },
      { durableObject: false },
    );
    const url = worker.urls[0]!;
    const swap = await post(url, '/swap', `code=${await authorizeCode(emulatorUrl)}`);
    expect(swap.status).toBe(200);
    expect(swap.body.token_type).toBe('Bearer');
    expect((await post(url, '/refresh', 'refresh_token=x')).status).toBe(400);
    expect((await post(url, '/refresh', 'refresh_token=x')).status).toBe(429);
    expect(worker.output()).toContain(
      'no TOKENSWAP_STATE Durable Object bound: rate limits and refresh coalescing are per isolate',
    );
  });

  describe('two isolates bound to one TokenSwapState namespace', () => {
    // Each isolate has its own memory: only the Durable Object can make these hold.
    let isolates: readonly string[];
    beforeAll(async () => {
      const worker = await start(
        { ...demoServerEnv(emulatorUrl), TOKENSWAP_RATE_LIMIT: '2/min' },
        { isolates: 2 },
      );
      isolates = worker.urls;
    });

    it('one client’s requests count against one limit, whichever isolate answers them', async () => {
      const [a, b] = isolates as [string, string];
      const body = 'refresh_token=ts1.k1.not-a-sealed-token';
      const client = '203.0.113.7';
      expect((await post(a, '/refresh', body, client)).status).toBe(400);
      expect((await post(b, '/refresh', body, client)).status).toBe(400);
      expect((await post(a, '/refresh', body, client)).status).toBe(429);
      expect((await post(b, '/refresh', body, client)).status).toBe(429);
      // Another client's window is its own.
      expect((await post(b, '/refresh', body, '203.0.113.8')).status).toBe(400);
    });

    it('concurrent refreshes of one token in two isolates make one upstream call', async () => {
      const [a, b] = isolates as [string, string];
      let client = 0;
      const next = () => `198.51.100.${++client}`;
      const code = await authorizeCode(emulatorUrl);
      const swap = await post(a, '/swap', `code=${code}`, next());
      expect(swap.status).toBe(200);
      const body = new URLSearchParams({ refresh_token: swap.body.refresh_token as string });
      const refreshCalls = async () => (await control.tokenRequests()).refresh_token ?? 0;
      const before = await refreshCalls();
      await control.fault({ count: 1, delayMs: 1_000 });
      const first = post(a, '/refresh', body.toString(), next());
      await expect
        .poll(refreshCalls, { interval: 10, timeout: 5_000 })
        .toBeGreaterThanOrEqual(before + 1);
      // Isolate b has never seen this token: only the lock in the Durable Object holds it back.
      const rest = Array.from({ length: 4 }, () => post(b, '/refresh', body.toString(), next()));
      const answers = await Promise.all([first, ...rest]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await refreshCalls()).toBe(before + 1);
      expect(new Set(answers.map((answer) => answer.body.access_token)).size).toBe(1);
    });
  });

  describe('DPoP required, two isolates bound to one TokenSwapState namespace', () => {
    const dpopEnv = () => ({
      ...demoServerEnv(emulatorUrl),
      TOKENSWAP_RATE_LIMIT: 'off',
      TOKENSWAP_DPOP: 'required',
    });
    let worker: RunningWorkerd;
    let isolates: readonly string[];
    beforeAll(async () => {
      worker = await start(dpopEnv(), { isolates: 2 });
      isolates = worker.urls;
    });

    /**
     * A POST to `url` as if it came to `host`: a deployment's isolates all answer one hostname,
     * which is what a proof's `htu` names (fetch cannot set Host; node:http can).
     */
    function postAs(url: string, host: string, path: string, body: string, proof?: string) {
      return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const headers: Record<string, string> = {
          host,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
        };
        if (proof !== undefined) headers.dpop = proof;
        const call = httpRequest(`${url}${path}`, { method: 'POST', headers }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
          );
        });
        call.once('error', reject);
        call.end(body);
      });
    }

    it('binds the token to the key, and a proof used in one isolate is a replay in the other', async () => {
      const [a, b] = isolates as [string, string];
      const host = new URL(a).host;
      const key = await dpopKey();
      const proof = (path: string) => makeProof(key, { htu: `${a}${path}` }, Date.now());
      const code = await authorizeCode(emulatorUrl);
      const swap = await postAs(a, host, '/swap', `code=${code}`, await proof('/swap'));
      expect(swap.status, JSON.stringify(swap.body)).toBe(200);
      const form = new URLSearchParams({ refresh_token: swap.body.refresh_token as string });
      // The bound token is nothing without a proof, in either isolate.
      expect((await postAs(b, host, '/refresh', form.toString())).body.error).toBe(
        'invalid_dpop_proof',
      );
      const once = await proof('/refresh');
      expect((await postAs(a, host, '/refresh', form.toString(), once)).status).toBe(200);
      expect(await postAs(b, host, '/refresh', form.toString(), once)).toEqual({
        status: 400,
        body: {
          error: 'invalid_dpop_proof',
          error_description: 'the DPoP proof has been used before',
        },
      });
      const fresh = await proof('/refresh');
      expect((await postAs(b, host, '/refresh', form.toString(), fresh)).status).toBe(200);
    });

    it('a proof already used is still refused after a restart, as after a deploy', async () => {
      const [a] = isolates as [string];
      const host = new URL(a).host;
      const key = await dpopKey();
      const proof = (path: string) => makeProof(key, { htu: `${a}${path}` }, Date.now());
      const code = await authorizeCode(emulatorUrl);
      const swap = await postAs(a, host, '/swap', `code=${code}`, await proof('/swap'));
      const form = new URLSearchParams({ refresh_token: swap.body.refresh_token as string });
      const once = await proof('/refresh');
      expect((await postAs(a, host, '/refresh', form.toString(), once)).status).toBe(200);
      // Every object's memory is gone; its storage is not.
      await worker.stop();
      const restarted = await start(dpopEnv(), { stateDir: worker.stateDir });
      const again = await postAs(restarted.urls[0]!, host, '/refresh', form.toString(), once);
      expect(again.body.error_description).toBe('the DPoP proof has been used before');
    });
  });
});
