import { fileURLToPath } from 'node:url';
import { conformanceSuite } from './conformance-suite.ts';
import { runtimeBinary } from './runtime-binary.ts';
import { startServerProcess } from './server-process.ts';

const bun = runtimeBinary('bun');
const MAIN = fileURLToPath(new URL('../../src/adapters/bun/main.ts', import.meta.url));

/** What `npm run serve:bun` runs. */
export const BUN_ARGS = ['run', MAIN];

conformanceSuite(
  {
    name: 'bun: Bun.serve',
    start: (env) => startServerProcess(bun!, BUN_ARGS, { ...env, PORT: '0', HOST: '127.0.0.1' }),
    capabilities: { sigterm: true },
  },
  { skip: bun === undefined && 'bun is not installed' },
);
