import { describe, expect, it } from 'vitest';
import { DPOP_FAILURE_DESCRIPTIONS } from '../../../src/core/dpop/dpop-errors.ts';
import { sealingContext } from '../../../src/core/dpop/token-binding.ts';
import { dpopKey, dpopStack, PROOF_SIGNATURES } from '../../support/dpop.ts';

const INVALID_GRANT = { error: 'invalid_grant', error_description: 'Invalid refresh token' };

describe.each(PROOF_SIGNATURES)('refresh tokens bound to a DPoP key (%s)', (_, signature) => {
  it('a swap with a proof binds the refresh token; a refresh with a proof from that key works', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const key = await dpopKey();
    const swapped = await stack.swap(key);
    expect(swapped.token_type).toBe('Bearer');
    // Bound into the associated data: it does not open as an unbound token of the app.
    expect(await stack.sealer.open(swapped.refresh_token!, 'test-client')).toBeNull();

    const response = await stack.refresh(swapped.refresh_token!, await stack.proof(key));
    expect(response.status).toBe(200);
    const body = await response.json();
    // The access token stays Spotify's bearer token; only the refresh token is bound.
    expect(body).toMatchObject({ token_type: 'Bearer', refresh_token: swapped.refresh_token });
    expect((await stack.upstreamCalls()).refresh_token).toBe(1);
  });

  it('a bound token copied to another client without the key is refused; upstream is never called', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const swapped = await stack.swap(await dpopKey());
    const response = await stack.refresh(swapped.refresh_token!);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(INVALID_GRANT);
    expect((await stack.upstreamCalls()).refresh_token).toBe(0);
  });

  it('a bound token with a valid proof from another key is refused; upstream is never called', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const swapped = await stack.swap(await dpopKey());
    const thief = await dpopKey();
    const response = await stack.refresh(swapped.refresh_token!, await stack.proof(thief));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(INVALID_GRANT);
    expect((await stack.upstreamCalls()).refresh_token).toBe(0);
  });

  it('the answer kept for retries goes only to a holder of the same key', async () => {
    // The default 30 s coalescing window keeps the owner's answer: a thief right after it
    // must neither read it nor reach upstream.
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const key = await dpopKey();
    const swapped = await stack.swap(key);
    const owner = await stack.refresh(swapped.refresh_token!, await stack.proof(key));
    expect(owner.status).toBe(200);
    const thief = await stack.refresh(swapped.refresh_token!, await stack.proof(await dpopKey()));
    expect(thief.status).toBe(400);
    const bare = await stack.refresh(swapped.refresh_token!);
    expect(bare.status).toBe(400);
    const retry = await stack.refresh(swapped.refresh_token!, await stack.proof(key));
    expect(await retry.json()).toEqual(await owner.json());
    expect((await stack.upstreamCalls()).refresh_token).toBe(1);
  });

  it('allowed: a client without DPoP gets and refreshes unbound tokens as before', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const swapped = await stack.swap();
    expect(await stack.sealer.open(swapped.refresh_token!, 'test-client')).not.toBeNull();
    const response = await stack.refresh(swapped.refresh_token!);
    expect(response.status).toBe(200);
  });

  it('allowed: an unbound token refreshed with a proof comes back bound to that key', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const swapped = await stack.swap();
    const key = await dpopKey();
    const response = await stack.refresh(swapped.refresh_token!, await stack.proof(key));
    expect(response.status).toBe(200);
    const rebound = (await response.json()).refresh_token as string;
    expect(await stack.sealer.open(rebound, 'test-client')).toBeNull();
    const again = await stack.refresh(rebound, await stack.proof(key));
    expect(again.status).toBe(200);
    expect((await stack.refresh(rebound)).status).toBe(400);
  });

  it('required: a swap without a proof is refused before the code is exchanged', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'required' }, Date.now(), signature);
    const response = await stack.post('/swap', { code: await stack.code() });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: DPOP_FAILURE_DESCRIPTIONS.missing,
    });
    expect((await stack.upstreamCalls()).authorization_code).toBe(0);
  });

  it('required: an unbound token is refused, with or without a proof; upstream is never called', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'required' }, Date.now(), signature);
    const unbound = await stack.sealer.seal('raw-refresh', 'test-client');
    const bare = await stack.refresh(unbound);
    expect(bare.status).toBe(400);
    expect((await bare.json()).error).toBe('invalid_dpop_proof');
    const proved = await stack.refresh(unbound, await stack.proof(await dpopKey()));
    expect(proved.status).toBe(400);
    expect(await proved.json()).toEqual(INVALID_GRANT);
    expect((await stack.upstreamCalls()).refresh_token).toBe(0);
  });

  it('required: the whole flow with proofs works', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'required' }, Date.now(), signature);
    const key = await dpopKey('EdDSA');
    const swapped = await stack.swap(key);
    const response = await stack.refresh(swapped.refresh_token!, await stack.proof(key));
    expect(response.status).toBe(200);
  });

  it('off: a DPoP header is ignored and tokens stay unbound', async () => {
    const stack = await dpopStack({}, Date.now(), signature);
    const swapped = await stack.swap(await dpopKey());
    expect(await stack.sealer.open(swapped.refresh_token!, 'test-client')).not.toBeNull();
    expect((await stack.refresh(swapped.refresh_token!, 'not even a JWT')).status).toBe(200);
  });

  it('the binding is the key’s RFC 7638 thumbprint', async () => {
    const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
    const key = await dpopKey();
    const swapped = await stack.swap(key);
    const { calculateJwkThumbprint } = await import('jose');
    const thumbprint = await calculateJwkThumbprint(key.publicJwk, 'sha256');
    const opened = await stack.sealer.open(
      swapped.refresh_token!,
      sealingContext('test-client', { thumbprint }),
    );
    expect(opened).not.toBeNull();
  });
});

describe('discovery', () => {
  it('publishes the policy and the proof algorithms', async () => {
    for (const policy of ['allowed', 'required'] as const) {
      const stack = await dpopStack({ TOKENSWAP_DPOP: policy });
      const body = await (
        await stack.app.fetch(new Request('http://swap.test/.well-known/tokenswap'))
      ).json();
      expect(body).toMatchObject({
        dpop: policy,
        dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519'],
      });
    }
    const off = await dpopStack({});
    const body = await (
      await off.app.fetch(new Request('http://swap.test/.well-known/tokenswap'))
    ).json();
    expect(body.dpop).toBe('off');
    expect(body).not.toHaveProperty('dpop_signing_alg_values_supported');
  });
});
