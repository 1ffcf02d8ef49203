import { type Browser, chromium } from 'playwright-core';
import { type CliProcess, startCli } from './cli-process.ts';
import { freePort } from './free-port.ts';
import { requireTool } from './system-tool.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Whether Chromium is here: outside CI a missing one skips the suite with a message, under CI=true it fails. */
export const chromiumAvailable = requireTool(CHROMIUM, 'apt-get install -y chromium');

export interface RunningDemo {
  readonly demo: CliProcess;
  readonly webUrl: string;
  readonly serverUrl: string;
  readonly emulatorUrl: string;
}

/** `tokenswap demo` on free ports (the browser app's on `webPort` when given), once it is up. */
export async function startDemo(webPort?: number): Promise<RunningDemo> {
  const [server, emulator, web] = await Promise.all([freePort(), freePort(), freePort()]);
  const demo = startCli([
    'demo',
    '--port',
    String(server),
    '--emulator-port',
    String(emulator),
    '--web-port',
    String(webPort ?? web),
  ]);
  const webUrl = (await demo.waitFor(/browser app\s+(http:\/\/\S+)/)).replace(/\/$/, '');
  const serverUrl = await demo.waitFor(/swap server\s+(http:\/\/\S+)/);
  const emulatorUrl = await demo.waitFor(/accounts emulator\s+(http:\/\/\S+)/);
  return { demo, webUrl, serverUrl, emulatorUrl };
}

/** Headless Chromium, with nothing of its own reaching the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
