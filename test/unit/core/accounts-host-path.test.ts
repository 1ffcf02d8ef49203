import { describe, expect, it } from 'vitest';
import { scriptedUpstream, UPSTREAM_TOKENS } from '../../support/scripted-upstream.ts';
import { formPost, testApp } from '../../support/test-app.ts';

describe('/api/token dispatches on grant_type, as Spotify’s own does', () => {
  it('grant_type=refresh_token is a refresh (the body of @spotify/web-api-ts-sdk)', async () => {
    const upstream = scriptedUpstream({ body: { ...UPSTREAM_TOKENS, refresh_token: undefined } });
    const { app, sealer } = await testApp(upstream);
    const sealed = await sealer.seal('raw-refresh', 'test-client');
    const response = await app.fetch(
      formPost('/api/token', {
        client_id: 'test-client',
        grant_type: 'refresh_token',
        refresh_token: sealed,
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ access_token: 'a', refresh_token: sealed });
    expect(Object.fromEntries(upstream.calls[0]!.form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'raw-refresh',
    });
  });

  it.each<Record<string, string>>([{}, { grant_type: '' }, { grant_type: 'authorization_code' }])(
    'without grant_type, or with authorization_code, it stays a code exchange (%o)',
    async (fields) => {
      const upstream = scriptedUpstream({ body: UPSTREAM_TOKENS });
      const { app } = await testApp(upstream);
      const response = await app.fetch(formPost('/api/token', { code: 'the-code', ...fields }));
      expect(response.status).toBe(200);
      expect(upstream.calls[0]!.form.get('grant_type')).toBe('authorization_code');
      expect(upstream.calls[0]!.form.get('code')).toBe('the-code');
    },
  );

  it('answers unsupported_grant_type for any other grant, without calling upstream', async () => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream);
    const response = await app.fetch(
      formPost('/api/token', { grant_type: 'client_credentials', code: 'the-code' }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'grant_type must be authorization_code or refresh_token',
    });
    expect(upstream.calls).toHaveLength(0);
  });
});
