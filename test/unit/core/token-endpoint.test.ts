import { describe, expect, it } from 'vitest';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testApp } from '../../support/test-app.ts';

const TOKENS = {
  access_token: 'a',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: '',
  refresh_token: 'r',
};

describe('RFC 6749 token endpoint /token', () => {
  it('dispatches authorization_code to the code exchange', async () => {
    const upstream = scriptedUpstream({ body: TOKENS });
    const { app } = await testApp(upstream);
    const response = await app.fetch(
      formPost('/token', {
        grant_type: 'authorization_code',
        code: 'c',
        redirect_uri: 'http://127.0.0.1:9000/callback',
        client_id: 'test-client',
      }),
    );
    expect(response.status).toBe(200);
    expect(upstream.calls[0]!.form.get('grant_type')).toBe('authorization_code');
  });

  it('dispatches refresh_token to the refresh', async () => {
    const upstream = scriptedUpstream({ body: { ...TOKENS, refresh_token: undefined } });
    const { app, sealer } = await testApp(upstream);
    const sealed = await sealer.seal('r', 'test-client');
    const response = await app.fetch(
      formPost('/token', { grant_type: 'refresh_token', refresh_token: sealed }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).refresh_token).toBe(sealed);
  });

  it.each([
    [{}, 'grant_type parameter is missing'],
    [
      { grant_type: 'client_credentials' },
      'grant_type must be authorization_code or refresh_token',
    ],
    [{ grant_type: 'password' }, 'grant_type must be authorization_code or refresh_token'],
  ])('answers unsupported_grant_type for %o', async (fields, description) => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream);
    const response = await app.fetch(formPost('/token', fields));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: description,
    });
    expect(upstream.calls).toHaveLength(0);
  });
});
