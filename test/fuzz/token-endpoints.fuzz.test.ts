import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOKEN_REQUEST_LIMITS } from '../../src/core/http/token-request-limits.ts';
import { REFRESH_PATHS, SWAP_PATHS, TOKEN_PATH } from '../../src/core/routes/token-routes.ts';
import type { UpstreamClient } from '../../src/core/upstream/upstream-client.ts';
import { SEALED_REFRESH_TOKEN } from '../support/sealed-token.ts';
import { testApp } from '../support/test-app.ts';

/** An upstream that always answers a valid token response. */
const healthyUpstream: UpstreamClient = {
  async post() {
    const body = JSON.stringify({
      access_token: 'a',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: '',
      refresh_token: 'r',
    });
    return { status: 200, header: () => undefined, body };
  },
};

const TOKEN_PATHS: readonly string[] = [...SWAP_PATHS, ...REFRESH_PATHS, TOKEN_PATH];
const ALLOWED_ORIGINS = ['https://app.example.com', 'http://127.0.0.1:5173'];
const printable = (maxLength: number) =>
  fc.string({ maxLength }).filter((s) => /^[\x20-\x7e]*$/.test(s));

const paths = fc.oneof(
  { arbitrary: fc.constantFrom(...TOKEN_PATHS), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '/',
      '/nope',
      '/healthz',
      '/readyz',
      '/metrics',
      '/.well-known/tokenswap',
      '/apps/x/swap',
      '/swap/',
      '/SWAP',
    ),
    weight: 1,
  },
);
const methods = fc.oneof(
  { arbitrary: fc.constant('POST'), weight: 4 },
  {
    arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'OPTIONS', 'DELETE', 'PATCH', 'PROPFIND'),
    weight: 1,
  },
);

/** `type[; charset=…][; other params]`, the media types clients send and some they should not. */
const charsets = fc.constantFrom(
  'utf-8',
  'UTF-8',
  '"utf-8"',
  'utf8',
  'iso-8859-1',
  'latin1',
  'utf-16',
  'utf-16le',
  'windows-1252',
  'us-ascii',
  'x-made-up',
  '',
);
const contentTypes = fc.option(
  fc.oneof(
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'application/x-www-form-urlencoded',
            'application/json',
            'APPLICATION/JSON',
            'Application/X-WWW-Form-URLEncoded',
            ' application/json ',
          ),
          fc.option(charsets),
          fc.option(printable(20), { freq: 4 }),
        )
        .map(([type, charset, extra]) => {
          let header = type;
          if (charset !== null) header += `; charset=${charset}`;
          if (extra !== null) header += `; ${extra}`;
          return header;
        }),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'text/plain',
            'multipart/form-data',
            'application/xml',
            'application/ld+json',
            'application/json-patch+json',
            'text/html',
            '*/*',
            '',
            ';;;',
          ),
          fc.option(charsets),
        )
        .map(([type, charset]) => (charset === null ? type : `${type}; charset=${charset}`)),
      weight: 2,
    },
    { arbitrary: printable(60), weight: 1 },
  ),
  { freq: 8 },
);

const fieldNames = fc.constantFrom(
  'code',
  'refresh_token',
  'grant_type',
  'redirect_uri',
  'code_verifier',
  'client_id',
  '__proto__',
  'constructor',
);
const grantTypes = fc.constantFrom('authorization_code', 'refresh_token', 'password', '');

/** `text` repeated until it is `length` characters long. */
function stretch(text: string, length: number): string {
  return text.repeat(Math.ceil(length / Math.max(1, text.length))).slice(0, length);
}

type Fields = Record<string, string>;
const asForm = (fields: Fields) => new URLSearchParams(fields).toString();
const asJson = (fields: Fields) => JSON.stringify(fields);
const encodings = fc.constantFrom(asForm, asJson);

/** Values around and past the field limit (4,096 characters), up to ~5,000. */
const longValues = fc
  .tuple(
    fieldNames,
    fc.string({ minLength: 1, maxLength: 6, unit: 'binary' }),
    fc.integer({ min: TOKEN_REQUEST_LIMITS.valueLength - 16, max: 5_000 }),
    grantTypes,
    encodings,
  )
  .map(([name, chunk, length, grantType, encode]) =>
    encode({ grant_type: grantType, [name]: stretch(chunk, length) }),
  );

/** Field names past the 64-character limit. */
const longNames = fc
  .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 60, max: 300 }), encodings)
  .map(([chunk, length, encode]) => encode({ [stretch(chunk, length)]: 'x', code: 'c' }));

/** Around and past the 32-field limit, distinct names or repeats. */
const manyFields = fc
  .tuple(
    fc.integer({ min: TOKEN_REQUEST_LIMITS.fields - 4, max: 200 }),
    fc.boolean(),
    fc.constantFrom('form', 'json', 'raw'),
  )
  .map(([count, repeat, kind]) => {
    const names = Array.from({ length: count }, (_, i) =>
      repeat && i % 3 === 0 ? 'code' : `f${i}`,
    );
    if (kind === 'raw') return names.map((n) => `${n}=v`).join('&');
    const fields = Object.fromEntries(names.map((n, i) => [n, `v${i}`]));
    return kind === 'json' ? asJson(fields) : asForm({ code: 'c', ...fields });
  });

/** Bodies around the 16 KiB limit, in bytes, with one- to four-byte characters. */
const nearBodyLimit = fc
  .tuple(
    fc.integer({
      min: TOKEN_REQUEST_LIMITS.bodyBytes - 96,
      max: TOKEN_REQUEST_LIMITS.bodyBytes + 96,
    }),
    fc.constantFrom('a', 'é', '€', '😀', '%41', '+', '%F0%9F%98%80'),
    fc.constantFrom('form', 'json', 'bytes'),
  )
  .map(([bytes, unit, kind]): string | Uint8Array<ArrayBuffer> => {
    if (kind === 'bytes') return new Uint8Array(bytes).fill(0x61);
    const head = kind === 'json' ? '{"code":"' : 'code=';
    const tail = kind === 'json' ? '"}' : '';
    const unitBytes = Buffer.byteLength(unit);
    const room = Math.max(0, bytes - head.length - tail.length);
    return `${head}${unit.repeat(Math.floor(room / unitBytes))}${'a'.repeat(room % unitBytes)}${tail}`;
  });

/** A plausible form sent in another charset than UTF-8. */
const otherCharsets = fc
  .tuple(
    fc.dictionary(fieldNames, fc.string({ maxLength: 40, unit: 'grapheme' }), { maxKeys: 4 }),
    fc.constantFrom<BufferEncoding>('utf16le', 'latin1', 'ucs2'),
    fc.boolean(),
  )
  .map(([fields, encoding, bom]) => {
    const bytes = Buffer.from(new URLSearchParams(fields).toString(), encoding);
    return Uint8Array.from(bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), bytes]) : bytes);
  });

const smallBodies = fc.oneof(
  fc.dictionary(fieldNames, fc.string({ maxLength: 60 })).map(asForm),
  fc
    .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 40 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 200 }),
);

function bodies(sealed: string) {
  return fc.oneof(
    { arbitrary: smallBodies, weight: 6 },
    { arbitrary: longValues, weight: 2 },
    { arbitrary: longNames, weight: 1 },
    { arbitrary: manyFields, weight: 2 },
    { arbitrary: nearBodyLimit, weight: 1 },
    { arbitrary: otherCharsets, weight: 1 },
    { arbitrary: fc.constant(`refresh_token=${sealed}`), weight: 1 },
    { arbitrary: fc.constant('code=c&grant_type=authorization_code'), weight: 1 },
  );
}

const origins = fc.oneof(
  fc.constantFrom(
    ...ALLOWED_ORIGINS,
    'https://evil.example',
    'https://app.example.com.evil.example',
    'http://app.example.com',
    'null',
    '*',
  ),
  printable(40),
);

function headers() {
  return fc.record(
    {
      'x-request-id': fc.oneof(
        printable(40),
        printable(4).map((s) => stretch(`${s}r`, 200)),
      ),
      'x-forwarded-for': fc.oneof(
        fc.ipV4(),
        fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { maxLength: 4 }).map((a) => a.join(', ')),
        printable(60),
      ),
      origin: origins,
      'access-control-request-method': fc.constantFrom('POST', 'GET', 'PUT'),
      'access-control-request-headers': fc.constantFrom('content-type', 'x-request-id', 'x-evil'),
      'content-length': fc.oneof(fc.nat({ max: 40_000 }).map(String), printable(6)),
      accept: printable(30),
      authorization: printable(40),
    },
    { requiredKeys: [] },
  );
}

const addresses = fc.oneof(
  fc.constantFrom('10.0.0.1', '10.0.0.2', '::ffff:10.0.0.3'),
  fc.ipV4(),
  fc.ipV6(),
);

interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly runs: number;
  readonly cors: boolean;
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'defaults, rate limit off, no CORS',
    env: { TOKENSWAP_RATE_LIMIT: 'off' },
    runs: 10_000,
    cors: false,
  },
  {
    name: 'CORS for two origins, rate limit on, one trusted proxy',
    env: {
      TOKENSWAP_CORS_ORIGINS: ALLOWED_ORIGINS.join(','),
      TOKENSWAP_RATE_LIMIT: '20/s',
      TOKENSWAP_TRUST_PROXY: '1',
    },
    runs: 10_000,
    cors: true,
  },
];

describe('fuzzing the token endpoints', () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: never 5xx, always a JSON body, the app keeps serving`, async () => {
      const { app, sealer } = await testApp(healthyUpstream, variant.env);
      const sealed = await sealer.seal('r', 'test-client');
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        await fc.assert(
          fc.asyncProperty(
            paths,
            methods,
            contentTypes,
            bodies(sealed),
            headers(),
            addresses,
            async (path, method, contentType, body, extra, remoteAddress) => {
              const init: RequestInit = { method, headers: extra };
              if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') init.body = body;
              const request = new Request(`http://swap.test${path}`, init);
              if (contentType === null) request.headers.delete('content-type');
              else request.headers.set('content-type', contentType);
              const response = await app.fetch(request, { remoteAddress });
              expect(response.status).toBeLessThan(500);
              expect(response.status).toBeGreaterThanOrEqual(200);
              const text = await response.text();

              const allowOrigin = response.headers.get('access-control-allow-origin');
              if (variant.cors) {
                if (allowOrigin !== null) {
                  expect(ALLOWED_ORIGINS).toContain(allowOrigin);
                  expect(allowOrigin).toBe(extra.origin);
                }
              } else {
                expect(allowOrigin).toBeNull();
              }

              // Bodiless by HTTP: HEAD, and the 204 answering a CORS preflight.
              if (method === 'HEAD' || (method === 'OPTIONS' && response.status === 204)) {
                expect(text).toBe('');
                return;
              }
              if (path === '/' && method === 'GET' && response.status === 200) return;
              expect(response.headers.get('content-type')).toMatch(/^application\/json/);
              const json: unknown = JSON.parse(text);
              expect(json).toBeTypeOf('object');
              const answer = json as Record<string, unknown>;
              if (response.status >= 400) expect(answer.error).toBeTypeOf('string');
              if (response.status === 200 && TOKEN_PATHS.includes(path)) {
                expect(answer.refresh_token).toMatch(SEALED_REFRESH_TOKEN);
              }
            },
          ),
          { numRuns: variant.runs },
        );
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).toEqual([]);
      const health = await app.fetch(new Request('http://swap.test/healthz'));
      expect(health.status).toBe(200);
      const swap = await app.fetch(
        new Request('http://swap.test/swap', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'code=c',
        }),
        { remoteAddress: '192.0.2.99' },
      );
      expect(swap.status).toBe(200);
    }, 60_000);
  }
});
