import { getConnInfo, handle } from 'hono/aws-lambda';
import type { Env } from '../../config/env-reader.ts';
import { functionApp } from '../function-handler.ts';
import type { WebServiceOptions } from '../web-service.ts';

export type { APIGatewayProxyResult, LambdaContext, LambdaEvent } from 'hono/aws-lambda';

/**
 * An AWS Lambda handler (API Gateway REST v1 and HTTP v2 events, function URLs, ALB) over
 * `hono/aws-lambda`, configured by `env` (the names of `tokenswap serve`). The client's address
 * is the event's `requestContext` source IP. State is per instance unless `TOKENSWAP_REDIS_URL`
 * names a Redis every instance reaches.
 *
 * ```ts
 * export const handler = createLambdaHandler(process.env);
 * ```
 */
export function createLambdaHandler(env: Env, options: WebServiceOptions = {}) {
  return handle(functionApp(env, getConnInfo, options));
}
