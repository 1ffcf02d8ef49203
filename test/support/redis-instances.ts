import { type CliProcess, demoServerEnv, LISTENING, startCli } from './cli-process.ts';
import { emulatorControl } from './emulator-control.ts';
import { RedisServer } from './redis-server.ts';

/** A real redis-server, the accounts emulator, and `count` tokenswap instances sharing both. */
export interface RedisInstances {
  readonly redis: RedisServer;
  readonly emulatorUrl: string;
  readonly control: ReturnType<typeof emulatorControl>;
  readonly servers: readonly CliProcess[];
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

export async function startRedisInstances(
  count: number,
  env: Record<string, string>,
): Promise<RedisInstances> {
  const redis = await RedisServer.start();
  const emulator = startCli(['emulator', '--port', '0']);
  const servers: CliProcess[] = [];
  const stop = async () => {
    await Promise.all([...servers.map((s) => s.stop()), emulator.stop()]);
    await redis.stop();
  };
  try {
    const emulatorUrl = await emulator.waitFor(LISTENING);
    const urls: string[] = [];
    for (let i = 0; i < count; i++) {
      const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
        ...demoServerEnv(emulatorUrl),
        TOKENSWAP_REDIS_URL: redis.url,
        ...env,
      });
      servers.push(server);
      urls.push(await server.waitFor(LISTENING));
    }
    return { redis, emulatorUrl, control: emulatorControl(emulatorUrl), servers, urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
