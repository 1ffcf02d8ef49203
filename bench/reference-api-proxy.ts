/**
 * The thinnest Web API proxy, the BFF scenario's yardstick: plain node:http, one keep-alive agent,
 * the upstream's answer piped back. No cookie, no checks, a fixed bearer token.
 * Run as its own process: `node bench/reference-api-proxy.ts` with UPSTREAM_URL.
 */
import { createServer, Agent as HttpAgent, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const forwarded = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: req.url,
      method: req.method,
      agent,
      headers: { authorization: 'Bearer bench-access-token' },
    },
    (answer) => {
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-length']) {
        const value = answer.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  forwarded.on('error', () => res.destroy());
  req.pipe(forwarded);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`reference api proxy listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
