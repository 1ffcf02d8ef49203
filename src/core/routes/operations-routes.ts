import { Hono } from 'hono';
import { TokenSwapError } from '../errors.ts';
import { jsonResponse } from '../http/json-response.ts';
import { otherMethodsNotAllowed, READ_METHODS } from '../http/method-not-allowed.ts';
import type { Metrics } from '../metrics.ts';

/** One readiness check: a name and whether it passes now. */
export interface ReadinessCheck {
  readonly name: string;
  check(): boolean | Promise<boolean>;
}

export interface OperationsOptions {
  readonly metrics: Metrics;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  readonly checks: readonly ReadinessCheck[];
}

/** Compares in time independent of where the strings differ. */
function sameSecret(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) {
    difference |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  }
  return difference === 0;
}

/**
 * `GET /healthz` (alive), `GET /readyz` (able to serve), `GET /metrics` (Prometheus); HEAD too,
 * and any other method a JSON 405.
 */
export function createOperationsRoutes(options: OperationsOptions): Hono {
  const routes = new Hono();
  routes.get('/healthz', () => jsonResponse({ status: 'ok' }));
  routes.get('/readyz', async () => {
    const results = await Promise.all(
      options.checks.map(
        async (c) => [c.name, await Promise.resolve(c.check()).catch(() => false)] as const,
      ),
    );
    const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
    return jsonResponse(
      {
        status: failed.length === 0 ? 'ready' : 'not_ready',
        checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'failing'])),
        ...(failed.length > 0 ? { failed } : {}),
      },
      failed.length === 0 ? 200 : 503,
    );
  });
  routes.get('/metrics', async (c) => {
    const { metricsToken } = options;
    if (
      metricsToken !== undefined &&
      !sameSecret(c.req.header('authorization') ?? '', `Bearer ${metricsToken}`)
    ) {
      throw new TokenSwapError('UNAUTHORIZED', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const rendered = await options.metrics.render();
    if (rendered === undefined) {
      throw new TokenSwapError('METRICS_NOT_COLLECTED');
    }
    return new Response(rendered.body, { headers: { 'content-type': rendered.contentType } });
  });
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    routes.all(path, otherMethodsNotAllowed(READ_METHODS));
  }
  return routes;
}
