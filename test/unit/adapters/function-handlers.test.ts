import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../src/adapters/aws-lambda/index.ts';
import { createVercelHandler } from '../../../src/adapters/vercel/index.ts';
import { type RunningEmulator, startEmulatorServer } from '../../../src/emulator/index.ts';
import { authorizeCode } from '../../support/authorize.ts';
import { demoServerEnv } from '../../support/cli-process.ts';
import { recordingLogger } from '../../support/recording-logger.ts';
import { expectSealedRefreshToken } from '../../support/sealed-token.ts';

const FORM = 'application/x-www-form-urlencoded';
const HOST = 'a1b2c3.execute-api.eu-west-1.amazonaws.com';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulatorServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

const env = (extra: Record<string, string> = {}) => ({
  ...demoServerEnv(emulator.url),
  LOG_LEVEL: 'silent',
  ...extra,
});

/** An API Gateway HTTP API (payload format 2.0) event, as Lambda hands it over. */
function httpApiEvent(path: string, body: string, sourceIp = '203.0.113.7') {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': FORM,
      'content-length': String(body.length),
      host: HOST,
      'user-agent': 'SpotifyAPI-NET',
      'x-forwarded-for': sourceIp,
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3',
      domainName: HOST,
      domainPrefix: 'a1b2c3',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: 'SpotifyAPI-NET',
      },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:12:00:00 +0000',
      timeEpoch: 1_796_126_400_000,
    },
    body,
    isBase64Encoded: false,
  };
}

/** An API Gateway REST API (payload format 1.0) proxy event, its body base64 as for binary. */
function restApiEvent(path: string, body: string, sourceIp = '198.51.100.9') {
  const headers = { 'Content-Type': FORM, Host: HOST, 'X-Forwarded-For': sourceIp };
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3',
      domainName: HOST,
      httpMethod: 'POST',
      identity: { sourceIp, userAgent: 'iOS SDK' },
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_796_126_400_000,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

type LambdaAnswer = {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

describe('AWS Lambda handler (hono/aws-lambda)', () => {
  it('HTTP API v2 events: swap, then refresh with the sealed token', async () => {
    const handler = createLambdaHandler(env());
    const code = await authorizeCode(emulator.url);
    const swap = (await handler(httpApiEvent('/swap', `code=${code}`) as never)) as LambdaAnswer;
    expect(swap.statusCode).toBe(200);
    expect(swap.headers['content-type']).toBe('application/json');
    const tokens = JSON.parse(swap.body);
    await expectSealedRefreshToken(tokens.refresh_token, 'tokenswap-demo');
    const refresh = (await handler(
      httpApiEvent('/refresh', `refresh_token=${tokens.refresh_token}`) as never,
    )) as LambdaAnswer;
    expect(refresh.statusCode).toBe(200);
    expect(JSON.parse(refresh.body).refresh_token).toBe(tokens.refresh_token);
  });

  it('REST API v1 events with a base64 body, and discovery', async () => {
    const handler = createLambdaHandler(env());
    const code = await authorizeCode(emulator.url);
    const swap = (await handler(
      restApiEvent('/api/token', `code=${code}`) as never,
    )) as LambdaAnswer;
    expect(swap.statusCode).toBe(200);
    expect(typeof JSON.parse(swap.body).access_token).toBe('string');
    const discovery = (await handler({
      ...restApiEvent('/.well-known/tokenswap', ''),
      httpMethod: 'GET',
      body: null,
      isBase64Encoded: false,
    } as never)) as LambdaAnswer;
    expect(discovery.statusCode).toBe(200);
    expect(JSON.parse(discovery.body)).toMatchObject({
      client_id: 'tokenswap-demo',
      swap_url: `https://${HOST}/swap`,
    });
  });

  it('limits each client by the event’s source IP', async () => {
    const handler = createLambdaHandler(env({ TOKENSWAP_RATE_LIMIT: '1/min' }));
    const hit = async (ip: string) =>
      ((await handler(httpApiEvent('/refresh', 'refresh_token=nope', ip) as never)) as LambdaAnswer)
        .statusCode;
    expect(await hit('203.0.113.10')).toBe(400);
    expect(await hit('203.0.113.10')).toBe(429);
    expect(await hit('203.0.113.11')).toBe(400);
  });

  it('a configuration error is a JSON 500 that names the variable in the log, not its value', async () => {
    const { logger, lines } = recordingLogger();
    const handler = createLambdaHandler(
      env({ TOKENSWAP_ENCRYPTION_KEYS: 'k1:too-short-secret-value' }),
      { logger },
    );
    const answer = (await handler(httpApiEvent('/swap', 'code=x') as never)) as LambdaAnswer;
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body).error).toBe('server_error');
    const logged = JSON.stringify(lines);
    expect(logged).toContain('TOKENSWAP_ENCRYPTION_KEYS');
    expect(logged).not.toContain('too-short-secret-value');
  });
});

describe('Vercel function (hono/vercel)', () => {
  it('swaps a code and limits clients by x-real-ip', async () => {
    const handler = createVercelHandler(env({ TOKENSWAP_RATE_LIMIT: '2/min' }));
    const post = (body: string, ip: string) =>
      handler(
        new Request('https://swap.vercel.app/swap', {
          method: 'POST',
          headers: { 'content-type': FORM, 'x-real-ip': ip },
          body,
        }),
      );
    const swap = await post(`code=${await authorizeCode(emulator.url)}`, '192.0.2.1');
    expect(swap.status).toBe(200);
    await expectSealedRefreshToken((await swap.json()).refresh_token, 'tokenswap-demo');
    expect((await post('code=spent', '192.0.2.1')).status).toBe(400);
    const limited = await post('code=spent', '192.0.2.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await post('code=spent', '192.0.2.2')).status).toBe(400);
  });
});
