import { createEmulator, type EmulatorOptions } from '../../../src/emulator/index.ts';

export const BASIC = `Basic ${btoa('tokenswap-demo:tokenswap-demo-secret')}`;
export const REDIRECT = 'http://127.0.0.1:8123/callback';

/** An in-process emulator with a clock the test moves, and helpers that act like clients. */
export function harness(options: EmulatorOptions = {}) {
  let now = 1_800_000_000_000;
  const emulator = createEmulator({ now: () => now, ...options });
  const at = (path: string, init?: RequestInit) =>
    emulator.fetch(new Request(`http://emulator.test${path}`, init));
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    at('/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  const consent = async (fields: Record<string, string> = {}) => {
    const response = await at('/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: 'tokenswap-demo',
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'user-read-email',
        state: 's1',
        user: 'alice',
        decision: 'accept',
        ...fields,
      }),
    });
    return { response, location: new URL(response.headers.get('location') ?? 'about:blank') };
  };
  const code = async (fields: Record<string, string> = {}) => {
    const { location } = await consent(fields);
    return location.searchParams.get('code') ?? '';
  };
  return {
    emulator,
    at,
    token,
    consent,
    code,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

export async function s256(verifier: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return Buffer.from(digest).toString('base64url');
}
