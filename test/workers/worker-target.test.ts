import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningTarget } from '../conformance/conformance-suite.ts';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { requireTool } from '../support/system-tool.ts';
import { buildWorkerBundle } from './workerd.ts';
import { startWranglerDev, WRANGLER_BIN, WRANGLER_TEMPLATE } from './wrangler-dev.ts';

// wrangler bundles with esbuild and workerd compiles the script at start: seconds of CPU each, so
// on a loaded machine these take far longer than the suite's defaults allow.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const available = requireTool(WRANGLER_BIN, 'run npm ci (wrangler is a dev dependency)');
const suite = available ? describe : describe.skip;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Cloudflare's Workers Free limit on a script, compressed (developers.cloudflare.com limits). */
const FREE_PLAN_GZIP_BYTES = 3 * 1024 * 1024;

suite('cloudflare workers target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-workers-'));
  const started: RunningTarget[] = [];
  let emulator: CliProcess;
  let emulatorUrl: string;

  beforeAll(async () => {
    emulator = startCli(['emulator', '--port', '0']);
    emulatorUrl = await emulator.waitFor(LISTENING);
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>, config?: string) => {
    const running = await startWranglerDev(env, config === undefined ? {} : { config });
    started.push(running);
    return running;
  };

  it('an unusable configuration answers JSON 500 and logs each variable by name once, never its value', async () => {
    const keyText = 'k1:Zm9yLXRoZS1sb2ctb25seS1ub3QtMzItYnl0ZXM';
    const redisPassword = 'redis-pa55word-in-the-url';
    const { SPOTIFY_CLIENT_SECRET: _, ...withoutSecret } = demoServerEnv(emulatorUrl);
    const worker = await start({
      ...withoutSecret,
      TOKENSWAP_ENCRYPTION_KEYS: keyText,
      TOKENSWAP_REDIS_URL: `redis://:${redisPassword}@127.0.0.1:6379`,
    });
    for (const path of ['/swap', '/healthz']) {
      const response = await fetch(`${worker.url}${path}`, {
        method: path === '/swap' ? 'POST' : 'GET',
        headers: FORM,
        body: path === '/swap' ? 'code=x' : null,
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'server_error',
        error_description: 'The server is misconfigured; its log names the setting to fix',
      });
    }
    await expect.poll(() => worker.output!()).toContain('CONFIG_INVALID');
    const output = worker.output!();
    const line = output.split('\n').find((l) => l.includes('CONFIG_INVALID'))!;
    expect(JSON.parse(line).variables).toEqual([
      'TOKENSWAP_REDIS_URL',
      'SPOTIFY_CLIENT_SECRET',
      'TOKENSWAP_ENCRYPTION_KEYS',
    ]);
    expect(output.match(/CONFIG_INVALID/g)).toHaveLength(1);
    expect(output).not.toContain(keyText.slice(3));
    expect(output).not.toContain(redisPassword);
  });

  it('without the Durable Object it serves, with limits per isolate, and says so', async () => {
    const config = join(dir, 'wrangler.toml');
    const template = readFileSync(WRANGLER_TEMPLATE, 'utf8');
    const main = new URL('../../src/adapters/workers/index.ts', import.meta.url).pathname;
    writeFileSync(
      config,
      template
        .replace(/^main = .*$/m, `main = ${JSON.stringify(main)}`)
        .replace(/^\[\[durable_objects[\s\S]*?(?=^\[observability\])/m, ''),
    );
    expect(readFileSync(config, 'utf8')).not.toContain('TOKENSWAP_STATE"');
    const worker = await start(
      { ...demoServerEnv(emulatorUrl), TOKENSWAP_RATE_LIMIT: '2/min' },
      config,
    );
    const swap = await fetch(`${worker.url}/swap`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ code: await authorizeCode(emulatorUrl) }),
    });
    expect(swap.status).toBe(200);
    expect((await swap.json()).token_type).toBe('Bearer');
    const refresh = () =>
      fetch(`${worker.url}/refresh`, { method: 'POST', headers: FORM, body: 'refresh_token=x' });
    expect((await refresh()).status).toBe(400);
    expect((await refresh()).status).toBe(429);
    expect(worker.output!()).toContain(
      'no TOKENSWAP_STATE Durable Object bound: rate limits and refresh coalescing are per isolate',
    );
  });

  it('the bundle wrangler deploys fits the free plan many times over and imports nothing of Node', async () => {
    const { stdout, script: bundle } = await buildWorkerBundle(dir);
    expect(stdout).toMatch(/Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/);
    expect(stdout).toContain('env.TOKENSWAP_STATE (TokenSwapState)');
    const script = readFileSync(bundle);
    expect(gzipSync(script).length).toBeLessThan(FREE_PLAN_GZIP_BYTES / 10);
    const imports = [...script.toString('utf8').matchAll(/^import .* from "([^"]+)";$/gm)];
    expect(imports.map((m) => m[1])).toEqual(['cloudflare:workers']);
  });
});
