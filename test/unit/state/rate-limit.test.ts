import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustProxy } from '../../../src/core/http/client-address.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { parseRateLimit, RateLimiter } from '../../../src/core/state/rate-limiter.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { errorCodes, formPost, testApp } from '../../support/test-app.ts';

describe('TOKENSWAP_RATE_LIMIT', () => {
  it.each([
    ['30/min', { limit: 30, windowMs: 60_000 }],
    ['5/s', { limit: 5, windowMs: 1_000 }],
    ['1000/h', { limit: 1000, windowMs: 3_600_000 }],
    ['off', undefined],
  ])('parses %s', (text, rule) => {
    expect(parseRateLimit(text)).toEqual(rule);
  });

  it.each(['30', 'x/min', '30/fortnight', '0/min', '-1/s'])('rejects %s', (text) => {
    expect(() => parseRateLimit(text)).toThrow(/30\/min/);
  });
});

describe('fixed-window limiter on a fake clock', () => {
  it('allows the limit, refuses past it, and opens again with the next window', async () => {
    let now = 1_000_000 * 60_000; // a window boundary
    const limiter = new RateLimiter(
      new MemoryStore({ now: () => now }),
      { limit: 3, windowMs: 60_000 },
      () => now,
    );
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.hit('1.2.3.4'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3]?.resetSeconds).toBe(60);
    expect((await limiter.hit('5.6.7.8')).allowed).toBe(true);
    now += 45_000;
    expect((await limiter.hit('1.2.3.4')).resetSeconds).toBe(15);
    now += 15_000;
    expect((await limiter.hit('1.2.3.4')).allowed).toBe(true);
  });
});

describe('client address and trusted proxies', () => {
  it('uses the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('10.0.0.9', '6.6.6.6', parseTrustProxy(undefined))).toBe('10.0.0.9');
  });

  it('reads X-Forwarded-For from the right as far as the trusted hops go', () => {
    const oneHop = parseTrustProxy('1');
    // The client spoofed "6.6.6.6"; our load balancer appended the real address 7.7.7.7.
    expect(clientAddress('10.0.0.2', '6.6.6.6, 7.7.7.7', oneHop)).toBe('7.7.7.7');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 7.7.7.7', parseTrustProxy('2'))).toBe('6.6.6.6');
    expect(clientAddress('10.0.0.2', undefined, oneHop)).toBe('10.0.0.2');
  });

  it('believes only the listed proxy addresses', () => {
    const trust = parseTrustProxy('10.0.0.2, 10.0.0.3');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 7.7.7.7, 10.0.0.3', trust)).toBe('7.7.7.7');
    // A request straight from the internet cannot choose its address.
    expect(clientAddress('8.8.8.8', '1.1.1.1', trust)).toBe('8.8.8.8');
    expect(clientAddress('::ffff:10.0.0.2', '7.7.7.7', trust)).toBe('7.7.7.7');
  });

  it('rejects a malformed setting', () => {
    expect(() => parseTrustProxy('loopback, nope')).toThrow(/hop count/);
  });
});

describe('rate limit on the token endpoints', () => {
  it('answers 429 JSON with an integer Retry-After and RateLimit headers, per address', async () => {
    const upstream = scriptedUpstream();
    const { app, lines } = await testApp(upstream, { TOKENSWAP_RATE_LIMIT: '2/min' });
    const from = (address: string) => app.fetch(formPost('/swap', {}), { remoteAddress: address });
    const first = await from('1.1.1.1');
    expect(first.status).toBe(400);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    await from('1.1.1.1');
    const refused = await from('1.1.1.1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect((await refused.json()).error).toBe('temporarily_unavailable');
    expect(errorCodes(lines).at(-1)).toBe('RATE_LIMITED');
    expect((await from('2.2.2.2')).status).toBe(400);
    // Health checks are never limited.
    const health = await app.fetch(new Request('http://swap.test/healthz'), {
      remoteAddress: '1.1.1.1',
    });
    expect(health.status).toBe(200);
  });

  it('ignores a spoofed X-Forwarded-For unless the proxy is trusted', async () => {
    const { app } = await testApp(scriptedUpstream(), { TOKENSWAP_RATE_LIMIT: '1/min' });
    const spoofed = (n: number) =>
      app.fetch(formPost('/swap', {}, { 'x-forwarded-for': `9.9.9.${n}` }), {
        remoteAddress: '3.3.3.3',
      });
    expect((await spoofed(1)).status).toBe(400);
    expect((await spoofed(2)).status).toBe(429);
  });
});
