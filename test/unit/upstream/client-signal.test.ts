import { describe, expect, it } from 'vitest';
import { scriptedUpstream, UPSTREAM_TOKENS } from '../../support/scripted-upstream.ts';
import { formPost, testApp } from '../../support/test-app.ts';

// The upstream client drops a call still waiting for a connection once its client has hung up
// (test/unit/node/undici-upstream.test.ts): it can only do so if each call carries the signal of
// the client request it is made for.
describe('the client request’s signal reaches the upstream call', () => {
  it.each([
    ['a code exchange at /swap', '/swap', { code: 'c' }],
    ['a code exchange at /api/token', '/api/token', { code: 'c' }],
    ['a refresh at /refresh', '/refresh', undefined],
    ['a refresh at /api/token', '/api/token', undefined],
  ])('%s', async (_name, path, fields) => {
    const upstream = scriptedUpstream({ body: UPSTREAM_TOKENS });
    const { app, sealer } = await testApp(upstream);
    const form = fields ?? {
      grant_type: 'refresh_token',
      refresh_token: await sealer.seal('raw-refresh', 'test-client'),
    };
    const request = formPost(path, form);
    expect((await app.fetch(request)).status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    expect(upstream.calls[0]!.signal).toBe(request.signal);
  });
});
