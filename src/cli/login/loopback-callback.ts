import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '../../core/http/escape-html.ts';

/** `http://127.0.0.1[:port][/path]`, the loopback IP literal Spotify's redirect policy allows. */
const LOOPBACK = /^http:\/\/127\.0\.0\.1(?::(\d{1,5}))?(\/[^?#]*)?$/;

/** Where a terminal login waits for the browser: a port (0 = any free one) and a path. */
export interface LoopbackRedirect {
  /** The allowed redirect URI it comes from, as the server lists it. */
  readonly allowed: string;
  readonly port: number;
  /** '' when the allowed URI has no path (the browser then asks for `/`). */
  readonly path: string;
}

/**
 * The loopback redirect URI a terminal login can use, from the server's allowed list: one
 * without a port first (it accepts any port, RFC 8252 §7.3), else one with a fixed port.
 */
export function chooseLoopbackRedirect(
  allowedUris: readonly string[],
): LoopbackRedirect | undefined {
  const candidates = allowedUris.flatMap((allowed) => {
    const match = LOOPBACK.exec(allowed);
    return match ? [{ allowed, port: Number(match[1] ?? 0), path: match[2] ?? '' }] : [];
  });
  return candidates.find((c) => c.port === 0) ?? candidates[0];
}

/** What the browser is shown when it comes back. */
export interface CallbackPage {
  readonly ok: boolean;
  readonly title: string;
  readonly message: string;
}

/** The browser's redirect, held open until the login answers it. */
export interface CallbackRequest {
  readonly url: URL;
  /** Answers the browser; the first answer counts. */
  respond(page: CallbackPage): void;
}

export interface LoopbackListener {
  /** The redirect URI with the port the listener got. */
  readonly redirectUri: string;
  /** The first redirect back (a request on the path with `state`, `code` or `error`). */
  readonly callback: Promise<CallbackRequest>;
  close(): Promise<void>;
}

/** Nobody came back in time. */
export class CallbackTimeoutError extends Error {
  override readonly name = 'CallbackTimeoutError';
  readonly seconds: number;

  constructor(timeoutMs: number) {
    const seconds = Math.round(timeoutMs / 1000);
    super(`no answer from the browser within ${seconds} s`);
    this.seconds = seconds;
  }
}

function htmlPage(page: CallbackPage): string {
  const color = page.ok ? '#1db954' : '#b00020';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tokenswap login</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1 style="color:${color}">${escapeHtml(page.title)}</h1><p id="message">${escapeHtml(page.message)}</p>
<p>You can close this tab and return to the terminal.</p></body></html>`;
}

function send(res: ServerResponse, status: number, page: CallbackPage): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The page's own URL carries the authorization code: it goes nowhere else.
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      connection: 'close',
    })
    .end(htmlPage(page));
}

/**
 * Waits for the redirect back from Spotify on 127.0.0.1 (never on other interfaces), on the
 * redirect's port or a free one. The browser's request is held until `respond`, so the page it
 * shows says how the login ended.
 */
export async function listenForCallback(
  redirect: LoopbackRedirect,
  timeoutMs: number,
): Promise<LoopbackListener> {
  const listenPath = redirect.path || '/';
  const redirectUriOf = (port: number) => `http://127.0.0.1:${port}${redirect.path}`;
  let port = redirect.port;
  let held: ServerResponse | undefined;
  let settled = false;
  let resolveCallback: (request: CallbackRequest) => void = () => {};
  let rejectCallback: (error: Error) => void = () => {};
  const callback = new Promise<CallbackRequest>((resolve, reject) => {
    resolveCallback = resolve;
    rejectCallback = reject;
  });
  // Whoever stops waiting early must not leave an unhandled rejection behind.
  callback.catch(() => {});
  const timer = setTimeout(() => {
    settled = true;
    rejectCallback(new CallbackTimeoutError(timeoutMs));
  }, timeoutMs);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== listenPath) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const params = url.searchParams;
    if (!params.has('state') && !params.has('code') && !params.has('error')) {
      send(res, 400, {
        ok: false,
        title: 'Nothing to do here',
        message: 'This address waits for the redirect back from the Spotify login.',
      });
      return;
    }
    if (settled) {
      send(res, 409, {
        ok: false,
        title: 'This login is over',
        message: 'The terminal is no longer waiting for a login here.',
      });
      return;
    }
    settled = true;
    clearTimeout(timer);
    held = res;
    resolveCallback({
      url: new URL(`${url.pathname}${url.search}`, redirectUriOf(port)),
      respond(page) {
        if (held !== res || res.headersSent) return;
        held = undefined;
        send(res, page.ok ? 200 : 400, page);
      },
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(redirect.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    clearTimeout(timer);
    throw error;
  });
  port = (server.address() as AddressInfo).port;

  return {
    redirectUri: redirectUriOf(port),
    callback,
    close: () =>
      new Promise((resolve) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          rejectCallback(new Error('the login stopped waiting'));
        }
        if (held !== undefined && !held.headersSent) {
          send(held, 500, { ok: false, title: 'Login stopped', message: 'The login ended.' });
        }
        held = undefined;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
