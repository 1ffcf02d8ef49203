import { fileURLToPath } from 'node:url';
import { conformanceSuite } from './conformance-suite.ts';
import { runtimeBinary } from './runtime-binary.ts';
import { startServerProcess } from './server-process.ts';

const deno = runtimeBinary('deno');
const MAIN = fileURLToPath(new URL('../../src/adapters/deno/main.ts', import.meta.url));

/** What `npm run serve:deno` runs. */
export const DENO_ARGS = ['run', '--no-lock', '--allow-net', '--allow-env', '--allow-sys', MAIN];

conformanceSuite(
  {
    name: 'deno: Deno.serve',
    start: (env) => startServerProcess(deno!, DENO_ARGS, { ...env, PORT: '0', HOST: '127.0.0.1' }),
    capabilities: { sigterm: true },
  },
  { skip: deno === undefined && 'deno is not installed' },
);
