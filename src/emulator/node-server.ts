import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import {
  createEmulator,
  DROP_CONNECTION,
  type Emulator,
  type EmulatorOptions,
} from './create-emulator.ts';

export interface RunningEmulator {
  readonly emulator: Emulator;
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** The emulator on a real socket; a `drop` fault destroys the connection without an answer. */
export async function startEmulatorServer(
  options: EmulatorOptions & { readonly host?: string; readonly port?: number } = {},
): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  const server = createServer(
    getRequestListener(async (request, env) => {
      const response = await emulator.handle(request);
      if (response !== DROP_CONNECTION) return response;
      (env as HttpBindings).incoming.socket.destroy();
      return new Response(null, { status: 500 });
    }),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4100, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    emulator,
    server,
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
