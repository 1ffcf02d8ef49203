import { fileURLToPath } from 'node:url';
import { conformanceSuite } from './conformance-suite.ts';
import { startServerProcess } from './server-process.ts';

const BIN = fileURLToPath(new URL('../../bin/tokenswap.js', import.meta.url));

conformanceSuite({
  name: 'node: tokenswap serve',
  start: (env) =>
    startServerProcess(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], env),
  capabilities: { sigterm: true },
});
