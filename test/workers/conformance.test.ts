import { conformanceSuite } from '../conformance/conformance-suite.ts';
import { requireTool } from '../support/system-tool.ts';
import { startWranglerDev, WRANGLER_BIN } from './wrangler-dev.ts';

const available = requireTool(WRANGLER_BIN, 'run npm ci (wrangler is a dev dependency)');

conformanceSuite(
  { name: 'cloudflare workers: wrangler dev --local', start: (env) => startWranglerDev(env) },
  { skip: available ? false : 'wrangler is not installed' },
);
