// `bun run src/adapters/bun/main.ts` (npm run serve:bun): the swap server under Bun, configured
// by the environment like `tokenswap serve`.
import { ConfigError } from '../../config/config-error.ts';
import { describeConfigError, stopOnSignal } from '../web-service.ts';
import { startBunServer } from './index.ts';

let server: Awaited<ReturnType<typeof startBunServer>>;
try {
  server = await startBunServer(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(describeConfigError(error));
  process.exit(2);
}
const { logger } = server.service;
logger.info({ url: server.url, runtime: 'bun' }, `tokenswap listening on ${server.url}`);

const stop = stopOnSignal(server, logger, (code) => process.exit(code));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
