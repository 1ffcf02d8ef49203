/**
 * The thinnest correct swap proxy, the benchmark's yardstick: plain node:http, one keep-alive
 * agent to the upstream, no framework, no sealing, no checks beyond what a swap must do.
 * Run as its own process: `node bench/reference-proxy.ts` with UPSTREAM_URL, PORT,
 * SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET, SPOTIFY_CLIENT_CALLBACK_URL.
 */
import { createServer, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const upstream = new URL('/api/token', process.env.UPSTREAM_URL);
const tls = upstream.protocol === 'https:';
const agent = tls
  ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
  : new HttpAgent({ keepAlive: true, maxSockets: 64 });
const send = tls ? httpsRequest : httpRequest;
const authorization = `Basic ${Buffer.from(
  `${process.env.SPOTIFY_CLIENT_ID}:${process.env.SPOTIFY_CLIENT_SECRET}`,
).toString('base64')}`;
const callback = process.env.SPOTIFY_CLIENT_CALLBACK_URL ?? '';

function reply(res: import('node:http').ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    let form: URLSearchParams;
    if (req.url === '/swap') {
      const code = fields.get('code');
      if (!code) return reply(res, 400, '{"error":"invalid_request"}');
      form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: callback,
      });
    } else if (req.url === '/refresh') {
      const token = fields.get('refresh_token');
      if (!token) return reply(res, 400, '{"error":"invalid_request"}');
      form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token });
    } else {
      return reply(res, 404, '{"error":"not_found"}');
    }
    const body = form.toString();
    const out = send(
      upstream,
      {
        method: 'POST',
        agent,
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 10_000,
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () =>
          reply(res, answer.statusCode ?? 502, Buffer.concat(parts).toString()),
        );
      },
    );
    out.on('timeout', () => out.destroy(new Error('timeout')));
    out.on('error', () => reply(res, 502, '{"error":"temporarily_unavailable"}'));
    out.end(body);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`reference proxy listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
