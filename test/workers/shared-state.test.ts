import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import { requireTool } from '../support/system-tool.ts';
import { buildWorkerBundle, type RunningWorkerd, startWorkerd } from './workerd.ts';
import { WRANGLER_BIN } from './wrangler-dev.ts';

// wrangler bundles with esbuild and workerd compiles the script at start: seconds of CPU each, so
// on a loaded machine these take far longer than the suite's defaults allow.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const available = requireTool(WRANGLER_BIN, 'run npm ci (wrangler is a dev dependency)');
const suite = available ? describe : describe.skip;

/**
 * Two isolates of the deployed script in workerd, both bound to one `TokenSwapState` namespace:
 * what only the Durable Object can make consistent, since each isolate has its own memory.
 */
suite('cloudflare workers: state shared by isolates through the Durable Object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-workerd-'));
  let emulator: CliProcess;
  let control: ReturnType<typeof emulatorControl>;
  let emulatorUrl: string;
  let workerd: RunningWorkerd;

  beforeAll(async () => {
    emulator = startCli(['emulator', '--port', '0']);
    const [url] = await Promise.all([emulator.waitFor(LISTENING), buildWorkerBundle(dir)]);
    emulatorUrl = url;
    control = emulatorControl(emulatorUrl);
    workerd = await startWorkerd(
      dir,
      { ...demoServerEnv(emulatorUrl), TOKENSWAP_RATE_LIMIT: '2/min' },
      { isolates: 2 },
    );
  });

  afterAll(async () => {
    await workerd?.stop();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A POST from `client`: the address Cloudflare's edge puts in CF-Connecting-IP. */
  async function post(isolate: number, path: string, body: string, client: string) {
    const response = await fetch(`${workerd.urls[isolate]}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': client },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('one client’s requests count against one limit, whichever isolate answers them', async () => {
    const client = '203.0.113.7';
    const body = 'refresh_token=ts1.k1.not-a-sealed-token';
    expect((await post(0, '/refresh', body, client)).status).toBe(400);
    expect((await post(1, '/refresh', body, client)).status).toBe(400);
    expect((await post(0, '/refresh', body, client)).status).toBe(429);
    expect((await post(1, '/refresh', body, client)).status).toBe(429);
    // Another client's window is its own.
    expect((await post(1, '/refresh', body, '203.0.113.8')).status).toBe(400);
  });

  it('concurrent refreshes of one token in two isolates make one upstream call', async () => {
    let client = 0;
    const next = () => `198.51.100.${++client}`;
    const swap = await post(
      0,
      '/swap',
      new URLSearchParams({ code: await authorizeCode(emulatorUrl) }).toString(),
      next(),
    );
    expect(swap.status).toBe(200);
    const body = new URLSearchParams({ refresh_token: swap.body.refresh_token as string });
    const refreshCalls = async () => (await control.tokenRequests()).refresh_token ?? 0;
    const before = await refreshCalls();
    await control.fault({ count: 1, delayMs: 1_000 });
    const first = post(0, '/refresh', body.toString(), next());
    await expect
      .poll(refreshCalls, { interval: 10, timeout: 5_000 })
      .toBeGreaterThanOrEqual(before + 1);
    // Isolate 1 has never seen this token: only the lock in the Durable Object holds it back.
    const rest = Array.from({ length: 4 }, () => post(1, '/refresh', body.toString(), next()));
    const answers = await Promise.all([first, ...rest]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await refreshCalls()).toBe(before + 1);
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
  });
});
