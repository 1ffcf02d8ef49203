// `deno run --allow-net --allow-env --allow-sys src/adapters/deno/main.ts` (npm run serve:deno):
// the swap server under Deno, configured by the environment like `tokenswap serve`.
import { ConfigError } from '../../config/config-error.ts';
import { describeConfigError, stopOnSignal } from '../web-service.ts';
import { startDenoServer } from './index.ts';

interface DenoProcess {
  readonly env: { toObject(): Record<string, string> };
  addSignalListener(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
  exit(code: number): never;
}
// Annotated, so the compiler knows `deno.exit` does not return.
const deno: DenoProcess = (globalThis as unknown as { Deno: DenoProcess }).Deno;

let server: Awaited<ReturnType<typeof startDenoServer>>;
try {
  server = await startDenoServer(deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(describeConfigError(error));
  deno.exit(2);
}
const { logger } = server.service;
logger.info({ url: server.url, runtime: 'deno' }, `tokenswap listening on ${server.url}`);

const stop = stopOnSignal(server, logger, (code) => deno.exit(code));
deno.addSignalListener('SIGTERM', () => void stop('SIGTERM'));
deno.addSignalListener('SIGINT', () => void stop('SIGINT'));
