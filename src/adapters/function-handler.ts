import { Hono } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { ConfigError } from '../config/config-error.ts';
import type { Env } from '../config/env-reader.ts';
import { TokenSwapError } from '../core/errors.ts';
import { errorResponse } from '../core/http/error-response.ts';
import { createWebService, type WebService, type WebServiceOptions } from './web-service.ts';

/** The answer while the configuration is not usable: the variables are named in the log only. */
const NOT_CONFIGURED = new TokenSwapError('NOT_CONFIGURED');

/**
 * A Hono app that hands every request to the swap server with the client's address as the
 * platform's adapter reads it (`getConnInfo`), for the function platforms whose Hono adapter
 * takes a Hono app. The service is built once, on the first request, and kept for the life of
 * the instance; a configuration error answers a JSON 500 (and logs the variables) every time.
 */
export function functionApp(
  env: Env,
  getConnInfo: GetConnInfo,
  options: WebServiceOptions = {},
): Hono {
  let service: Promise<WebService> | undefined;
  const outer = new Hono();
  outer.all('*', async (c) => {
    service ??= createWebService(env, options, { getConnInfo });
    let ready: WebService;
    try {
      ready = await service;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      (options.logger?.error ?? console.error)(
        { problems: error.problems },
        'the configuration is not usable',
      );
      return errorResponse(NOT_CONFIGURED);
    }
    // The platform's own bindings, so its `getConnInfo` reads them inside the core too.
    return ready.app.fetch(c.req.raw, c.env);
  });
  return outer;
}
