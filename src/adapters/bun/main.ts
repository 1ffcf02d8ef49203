// `bun run src/adapters/bun/main.ts` (npm run serve:bun): the swap server under Bun, configured
// by the environment like `tokenswap serve`.
import { ConfigError } from '../../config/config-error.ts';
import { describeConfigError } from '../web-service.ts';
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

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: finishing requests in flight');
  if (!(await server.close())) logger.warn({}, 'requests still in flight were cut off');
  logger.info({}, 'stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
