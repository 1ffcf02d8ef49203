import { describe, expect, it } from 'vitest';
import { BffClient, createBffClient } from '../../../../src/client/bff/index.ts';
import { isTokenSwapClientError } from '../../../../src/client/client-errors.ts';

/** A fetch that records what it was asked and answers from a script. */
function recording(answer: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    return answer();
  };
  return { calls, fetch };
}

describe('tokenswap/client/bff', () => {
  it('fetch sends credentials and the CSRF header to /bff/api, and returns the Web API answer', async () => {
    const { calls, fetch } = recording(() => new Response('{"id":"alice"}', { status: 200 }));
    const bff = createBffClient({ serverUrl: 'https://swap.example/apps/web/', fetch });
    const response = await bff.fetch('/v1/me/player/play', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
    });
    expect(await response.json()).toEqual({ id: 'alice' });
    expect(calls[0]!.url).toBe('https://swap.example/apps/web/bff/api/v1/me/player/play');
    expect(calls[0]!.init.credentials).toBe('include');
    expect(calls[0]!.init.method).toBe('PUT');
    const headers = new Headers(calls[0]!.init.headers);
    expect(headers.get('x-tokenswap-csrf')).toBe('1');
    expect(headers.get('content-type')).toBe('application/json');
    expect(() => bff.fetch('https://api.spotify.com/v1/me')).toThrow(/API path/);
  });

  it('login navigates to /bff/login with return_to and scope', () => {
    const went: string[] = [];
    const bff = createBffClient({
      serverUrl: 'https://swap.example',
      navigate: (url) => went.push(url),
    });
    bff.login({ returnTo: 'https://app.example/after', scope: 'user-read-email' });
    const url = new URL(went[0]!);
    expect(url.pathname).toBe('/bff/login');
    expect(url.searchParams.get('return_to')).toBe('https://app.example/after');
    expect(url.searchParams.get('scope')).toBe('user-read-email');
  });

  it('session reads the answer; logout POSTs; failures carry codes', async () => {
    const session = {
      logged_in: true,
      scope: 'user-read-email',
      expires_at: 1,
      user: { id: 'a', display_name: null },
    };
    const ok = recording(() => Response.json(session));
    const bff = createBffClient({ serverUrl: 'https://swap.example', fetch: ok.fetch });
    expect(await bff.session()).toEqual(session);
    await bff.logout();
    expect(ok.calls[1]!.init.method).toBe('POST');
    expect(new Headers(ok.calls[1]!.init.headers).get('x-tokenswap-csrf')).toBe('1');

    const refused = createBffClient({
      fetch: recording(() => Response.json({ error: 'forbidden' }, { status: 403 })).fetch,
    });
    const error = await refused.logout().catch((e: unknown) => e);
    expect(isTokenSwapClientError(error) && [error.code, error.status, error.oauthError]).toEqual([
      'BAD_REQUEST',
      403,
      'forbidden',
    ]);
    const down = createBffClient({
      fetch: () => Promise.reject(new TypeError('network')),
    });
    const failed = await down.session().catch((e: unknown) => e);
    expect(isTokenSwapClientError(failed) && failed.code).toBe('TRY_LATER');
  });

  it('loginError reads ?bff_error= of the page the login came back to', () => {
    expect(BffClient.loginError('https://app.example/?bff_error=invalid_state')).toBe(
      'invalid_state',
    );
    expect(BffClient.loginError('https://app.example/')).toBeUndefined();
  });
});
