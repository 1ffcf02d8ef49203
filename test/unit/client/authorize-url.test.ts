import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, parseCallback } from '../../../src/client/authorize-url.ts';
import { TokenSwapClientError } from '../../../src/client/client-errors.ts';

const REDIRECT = 'http://127.0.0.1:5000/callback';

function failure(run: () => unknown): TokenSwapClientError {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenSwapClientError) return error;
    throw error;
  }
  throw new Error('expected a TokenSwapClientError');
}

describe('buildAuthorizeUrl', () => {
  it('asks for the authorization code flow with state, scope and the PKCE challenge', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authorizeUrl: 'https://accounts.spotify.com/authorize',
        clientId: 'abc',
        redirectUri: REDIRECT,
        scope: 'user-read-email user-read-private',
        state: 's1',
        codeChallenge: 'c1',
        showDialog: true,
      }),
    );
    expect(url.origin + url.pathname).toBe('https://accounts.spotify.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'abc',
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 's1',
      scope: 'user-read-email user-read-private',
      code_challenge_method: 'S256',
      code_challenge: 'c1',
      show_dialog: 'true',
    });
  });

  it('leaves out what was not asked for', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authorizeUrl: 'http://127.0.0.1:4100/authorize',
        clientId: 'abc',
        redirectUri: REDIRECT,
        state: 's1',
      }),
    );
    expect([...url.searchParams.keys()].sort()).toEqual([
      'client_id',
      'redirect_uri',
      'response_type',
      'state',
    ]);
  });
});

describe('parseCallback', () => {
  it('returns the code of a callback that answers this login', () => {
    expect(parseCallback(`${REDIRECT}?code=the-code&state=s1`, 's1')).toBe('the-code');
  });

  it('refuses another login’s callback before anything else, errors included', () => {
    expect(failure(() => parseCallback(`${REDIRECT}?code=c&state=s2`, 's1')).code).toBe(
      'STATE_MISMATCH',
    );
    expect(failure(() => parseCallback(`${REDIRECT}?error=access_denied`, 's1')).code).toBe(
      'STATE_MISMATCH',
    );
    expect(failure(() => parseCallback(`${REDIRECT}?code=c&state=`, '')).code).toBe(
      'STATE_MISMATCH',
    );
  });

  it('tells a denial apart from other authorization errors', () => {
    const denied = failure(() => parseCallback(`${REDIRECT}?error=access_denied&state=s1`, 's1'));
    expect(denied).toMatchObject({ code: 'ACCESS_DENIED', oauthError: 'access_denied' });
    const other = failure(() => parseCallback(`${REDIRECT}?error=invalid_scope&state=s1`, 's1'));
    expect(other).toMatchObject({ code: 'AUTHORIZATION_FAILED', oauthError: 'invalid_scope' });
    expect(failure(() => parseCallback(`${REDIRECT}?state=s1`, 's1')).code).toBe(
      'INVALID_RESPONSE',
    );
  });

  it('accepts exactly the state it was given', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (state, other) => {
        const url = new URL(REDIRECT);
        url.searchParams.set('code', 'c');
        url.searchParams.set('state', other);
        if (state === other) expect(parseCallback(url, state)).toBe('c');
        else expect(failure(() => parseCallback(url, state)).code).toBe('STATE_MISMATCH');
      }),
    );
  });
});
