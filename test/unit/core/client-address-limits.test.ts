import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { clientAddress, parseTrustProxy } from '../../../src/core/http/client-address.ts';
import { addressGroup, canonicalIpAddress } from '../../../src/core/http/ip-address.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { getServerConnInfo } from '../../support/peer-bindings.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testApp, testConfig } from '../../support/test-app.ts';

describe('IP address text', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['203.0.113.9:51234', '203.0.113.9'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0000', '2001:db8:0:1::'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:198.51.100.4', '198.51.100.4'],
    ['::FFFF:c633:6404', '198.51.100.4'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s is the address %s', (text, canonical) => {
    expect(canonicalIpAddress(text)).toBe(canonical);
  });

  it.each([
    '',
    'unknown',
    'evil.example',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.4:99999',
    '2001:db8::1::2',
    '2001:db8:0:0:0:0:0:0:1',
    '12345::1',
    'g::1',
    '[2001:db8::1',
    '1.2.3.4:',
    ' 1.2.3.4',
    'x'.repeat(15_000),
  ])('%j is not an IP address', (text) => {
    expect(canonicalIpAddress(text)).toBeUndefined();
  });

  it('groups IPv6 by /64 for limiting, and keeps IPv4 per address', () => {
    expect(addressGroup('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('203.0.113.9')).toBe('203.0.113.9');
  });
});

describe('client address from X-Forwarded-For', () => {
  it('stops at an entry that is not an IP address: the hop that sent it is the client', () => {
    const junk = 'x'.repeat(15_000);
    expect(clientAddress('10.0.0.2', junk, parseTrustProxy('1'))).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', `${junk}, 7.7.7.7`, parseTrustProxy('2'))).toBe('7.7.7.7');
    expect(clientAddress('10.0.0.2', `6.6.6.6, ${junk}`, parseTrustProxy('2'))).toBe('10.0.0.2');
    const listed = parseTrustProxy('10.0.0.2');
    expect(clientAddress('10.0.0.2', 'unknown', listed)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '2001:0DB8::0001', listed)).toBe('2001:db8::1');
  });

  it('matches trusted proxies in any spelling of their address', () => {
    const trust = parseTrustProxy('2001:DB8::0a');
    expect(clientAddress('2001:db8::a', '7.7.7.7', trust)).toBe('7.7.7.7');
    expect(() => parseTrustProxy('10.0.0.2, 300.0.0.1')).toThrow(/hop count/);
  });
});

describe('rate limit keys', () => {
  it('a junk X-Forwarded-For counts against the proxy that sent it, not as a new client', async () => {
    const { app } = await testApp(scriptedUpstream(), {
      TOKENSWAP_RATE_LIMIT: '2/min',
      TOKENSWAP_TRUST_PROXY: '1',
    });
    const statuses = [];
    for (let n = 0; n < 3; n++) {
      const junk = `${n}-${'x'.repeat(15_000)}`;
      const response = await app.fetch(formPost('/swap', {}, { 'x-forwarded-for': junk }), {
        remoteAddress: '10.0.0.2',
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([400, 400, 429]);
  });

  it('IPv6 clients share one limit per /64, whatever the spelling', async () => {
    const { app } = await testApp(scriptedUpstream(), {
      TOKENSWAP_RATE_LIMIT: '2/min',
      TOKENSWAP_TRUST_PROXY: '1',
    });
    const from = async (remoteAddress: string, forwardedFor?: string) =>
      (
        await app.fetch(
          formPost('/swap', {}, forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
          { remoteAddress },
        )
      ).status;
    expect(await from('10.0.0.2', '2001:db8:1:2::1')).toBe(400);
    expect(await from('10.0.0.2', '2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(400);
    expect(await from('10.0.0.2', '2001:DB8:1:2:0:0:0:abcd')).toBe(429);
    expect(await from('2001:db8:1:2::9')).toBe(429);
    expect(await from('10.0.0.2', '2001:db8:1:3::1')).toBe(400);
  });
});

describe('one memory store for limits and kept refresh answers', () => {
  it('21,000 other clients neither evict a limited client’s counter nor a kept answer', async () => {
    let now = 1_000 * 60_000; // a window boundary
    const upstream = scriptedUpstream({
      body: { access_token: 'fresh', token_type: 'Bearer', expires_in: 3600, scope: '' },
    });
    const config = testConfig({ TOKENSWAP_RATE_LIMIT: '5/min' });
    const sealer = await createSealerFromConfig(config);
    const app = createApp(config, {
      upstream,
      sealer,
      now: () => now,
      getConnInfo: getServerConnInfo,
    });
    const from = (remoteAddress: string, fields: Record<string, string> = {}) =>
      app.fetch(formPost(fields.refresh_token ? '/refresh' : '/swap', fields), { remoteAddress });
    const token = await sealer.seal('raw-refresh', 'test-client');

    const kept = await from('192.0.2.1', { refresh_token: token });
    expect(kept.status).toBe(200);
    const limited = [];
    for (let n = 0; n < 6; n++) limited.push((await from('192.0.2.2')).status);
    expect(limited).toEqual([400, 400, 400, 400, 400, 429]);

    const others = new Map<number, number>();
    for (let n = 0; n < 21_000; n++) {
      const status = (await from(`10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`)).status;
      others.set(status, (others.get(status) ?? 0) + 1);
    }
    // Past the memory store's 20,000 counters, addresses not yet counted are refused until the
    // window turns: the counted ones keep their counts.
    expect(others.get(400)).toBeGreaterThan(19_000);
    expect((await from('192.0.2.2')).status).toBe(429);
    const retried = await from('192.0.2.1', { refresh_token: token });
    expect(retried.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);

    now += 60_000;
    expect((await from('192.0.2.2')).status).toBe(400);
    expect((await from('10.200.0.1')).status).toBe(400);
  }, 60_000);
});
