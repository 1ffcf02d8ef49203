import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testConfig } from '../../support/test-app.ts';

describe('the upstream client runs on the injected clock', () => {
  it('turns a 5xx HTTP-date Retry-After into seconds from the app’s now, not the machine’s', async () => {
    // Years away from the real clock: any use of Date.now() shows as a wildly wrong delay.
    const now = Date.parse('2040-06-01T12:00:00Z');
    const config = testConfig();
    const upstream = scriptedUpstream({
      status: 503,
      body: '',
      headers: { 'retry-after': new Date(now + 120_000).toUTCString() },
    });
    const app = createApp(config, {
      upstream,
      sealer: await createSealerFromConfig(config),
      now: () => now,
    });
    const response = await app.fetch(formPost('/swap', { code: 'c' }));
    expect(response.status).toBe(502);
    expect(response.headers.get('retry-after')).toBe('120');
    upstream.assertDone();
  });
});
