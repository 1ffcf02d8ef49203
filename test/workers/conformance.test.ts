import { vi } from 'vitest';
import { conformanceSuite } from '../conformance/conformance-suite.ts';
import { requireTool } from '../support/system-tool.ts';
import { startWranglerDev, WRANGLER_BIN } from './wrangler-dev.ts';

// wrangler bundles with esbuild and workerd compiles the script at start: seconds of CPU each, so
// on a loaded machine these take far longer than the suite's defaults allow.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const available = requireTool(WRANGLER_BIN, 'run npm ci (wrangler is a dev dependency)');

conformanceSuite(
  { name: 'cloudflare workers: wrangler dev --local', start: (env) => startWranglerDev(env) },
  { skip: available ? false : 'wrangler is not installed' },
);
