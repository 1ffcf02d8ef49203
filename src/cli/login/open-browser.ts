import { spawn } from 'node:child_process';

/** The desktop's "open this URL" command on each platform. */
function openerFor(platform: NodeJS.Platform, url: string): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  // Not `cmd /c start`: cmd would read the `&` between query parameters as a command separator.
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/**
 * Asks the desktop to open a URL in the browser. Resolves false when there is no way to (a
 * server, a container): not an error, the caller has printed the URL anyway.
 */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform) {
  const [command, args] = openerFor(platform, url);
  return new Promise<boolean>((resolve) => {
    try {
      const child = spawn(command, args, { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
