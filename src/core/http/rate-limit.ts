import type { MiddlewareHandler } from 'hono';
import { TokenSwapError } from '../errors.ts';
import type { RateLimiter } from '../state/rate-limiter.ts';
import { clientAddress, type TrustProxy } from './client-address.ts';
import { addressGroup } from './ip-address.ts';
import type { PeerAddress } from './peer-address.ts';

export interface RateLimitOptions {
  readonly limiter: RateLimiter;
  readonly trustProxy: TrustProxy;
  readonly peerAddress: PeerAddress;
  /** Told of every request refused. */
  readonly onRejected?: () => void;
}

/**
 * Per-client limit on the token endpoints (per address, per /64 for IPv6): `429` JSON with an integer `Retry-After`
 * and the `RateLimit-*` headers (draft-ietf-httpapi-ratelimit-headers) on every answer.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  return async (c, next) => {
    const address = clientAddress(
      options.peerAddress(c),
      c.req.header('x-forwarded-for'),
      options.trustProxy,
    );
    const decision = await options.limiter.hit(addressGroup(address));
    const headers = {
      'ratelimit-limit': String(decision.limit),
      'ratelimit-remaining': String(decision.remaining),
      'ratelimit-reset': String(decision.resetSeconds),
    };
    if (!decision.allowed) {
      options.onRejected?.();
      throw new TokenSwapError('RATE_LIMITED', {
        retryAfter: decision.resetSeconds,
        headers,
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
