import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A fast stand-in for Spotify's token endpoint, run as its own process by the benchmark:
 * answers every POST /api/token at once (or after DELAY_MS) with a fixed token answer, and
 * counts the connections and TLS handshakes it sees and the requests by HTTP version (GET
 * /__stats; the connection that asks for them is not counted unless it also carried token
 * requests). As the Web API it answers `GET /v1/bench/100kb` (with any bearer token) with the
 * same 100 KB JSON every time.
 * Env: DELAY_MS; TLS_KEY and TLS_CERT (file paths; HTTPS when set, offering HTTP/2 and
 * HTTP/1.1 by ALPN); HTTP2=off for HTTPS with HTTP/1.1 only.
 */

const CODE_ANSWER = JSON.stringify({
  access_token: 'bench-access-token',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
  refresh_token: 'bench-refresh-token',
});
const REFRESH_ANSWER = JSON.stringify({
  access_token: 'bench-access-token-2',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
});

/** A 100 KB Web API answer: a page of tracks, as `/v1/me/tracks` would send it. */
const WEB_API_ANSWER = Buffer.from(
  JSON.stringify({
    items: Array.from({ length: 400 }, (_, i) => ({
      id: `track${String(i).padStart(18, '0')}`,
      name: `Track number ${i}`.padEnd(160, '.'),
      uri: `spotify:track:${String(i).padStart(22, '0')}`,
    })),
  }).padEnd(100 * 1024, ' '),
);

const delayMs = Number(process.env.DELAY_MS ?? 0);
const tls =
  process.env.TLS_KEY && process.env.TLS_CERT
    ? { key: process.env.TLS_KEY, cert: process.env.TLS_CERT }
    : undefined;
const http2 = tls !== undefined && process.env.HTTP2 !== 'off';
let connections = 0;
let handshakes = 0;
const requests: Record<string, number> = {};

/** Sockets counted so far, and whether they ever carried a token request. */
const counted = new WeakMap<object, { tls: boolean; token: boolean }>();

function handler(
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) {
  if (req.method === 'GET' && req.url === '/__stats') {
    // The benchmark's own stats connection is not the server's: take it back out of the count.
    const socket = counted.get(req.socket);
    if (socket !== undefined && !socket.token) {
      counted.delete(req.socket);
      connections--;
      if (socket.tls) handshakes--;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ connections, handshakes, requests }));
    return;
  }
  requests[req.httpVersion] = (requests[req.httpVersion] ?? 0) + 1;
  const socket = counted.get(req.socket);
  if (socket !== undefined) socket.token = true;
  if (req.method === 'GET' && req.url === '/v1/bench/100kb') {
    const bearer = /^Bearer \S+$/.test(req.headers.authorization ?? '');
    res.statusCode = bearer ? 200 : 401;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', bearer ? WEB_API_ANSWER.length : 0);
    if (bearer) res.end(WEB_API_ANSWER);
    else res.end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const answer = body.includes('grant_type=refresh_token') ? REFRESH_ANSWER : CODE_ANSWER;
    const send = () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.setHeader('content-length', Buffer.byteLength(answer));
      res.end(answer);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
}

const keys = tls && { key: readFileSync(tls.key), cert: readFileSync(tls.cert) };
const server = !keys
  ? createHttpServer(handler)
  : http2
    ? createSecureServer({ ...keys, allowHTTP1: true }, handler)
    : createHttpsServer(keys, handler);
if ('keepAliveTimeout' in server) server.keepAliveTimeout = 60_000;
server.on('connection', (socket) => {
  connections++;
  if (!tls) counted.set(socket, { tls: false, token: false });
});
server.on('secureConnection', (socket) => {
  handshakes++;
  counted.set(socket, { tls: true, token: false });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `canned upstream (${http2 ? 'HTTP/2 and HTTP/1.1' : 'HTTP/1.1'}) listening on ${tls ? 'https' : 'http'}://127.0.0.1:${port}\n`,
  );
});
process.on('SIGTERM', () => process.exit(0));
