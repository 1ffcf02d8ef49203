import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { DPOP_FAILURE_DESCRIPTIONS, type DpopFailure } from '../../../src/core/dpop/dpop-errors.ts';
import { DPOP_IAT_WINDOW } from '../../../src/core/dpop/dpop-settings.ts';
import {
  joseProofSignature,
  type ProofSignatureVerifier,
} from '../../../src/core/dpop/proof-signature.ts';
import { sealingContext } from '../../../src/core/dpop/token-binding.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import {
  dpopKey,
  dpopStack,
  hmacProof,
  makeProof,
  PROOF_SIGNATURES,
  SERVER,
  type TestDpopKey,
  unsignedProof,
} from '../../support/dpop.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { testAppsFileApp } from '../../support/test-app.ts';

type Stack = Awaited<ReturnType<typeof dpopStack>>;

/** A stack, a key, and a refresh token bound to it: what every refused proof is tried on. */
async function boundToken(
  signature: ProofSignatureVerifier,
): Promise<{ stack: Stack; key: TestDpopKey; token: string }> {
  const stack = await dpopStack({ TOKENSWAP_DPOP: 'allowed' }, Date.now(), signature);
  const key = await dpopKey();
  const token = (await stack.swap(key)).refresh_token!;
  return { stack, key, token };
}

/** The refresh with `dpop` is refused for `reason`, and upstream is never asked. */
async function expectRefused(
  stack: Stack,
  token: string,
  dpop: string | string[],
  reason: DpopFailure,
) {
  const response = await stack.refresh(token, dpop);
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    error: 'invalid_dpop_proof',
    error_description: DPOP_FAILURE_DESCRIPTIONS[reason],
  });
  expect((await stack.upstreamCalls()).refresh_token).toBe(0);
}

describe.each(PROOF_SIGNATURES)(
  'DPoP proofs that must fail (RFC 9449 §4.3), %s',
  (_, signature) => {
    it('wrong htm', async () => {
      const { stack, key, token } = await boundToken(signature);
      await expectRefused(stack, token, await stack.proof(key, { htm: 'GET' }), 'htm');
    });

    it('wrong htu: another path', async () => {
      const { stack, key, token } = await boundToken(signature);
      await expectRefused(stack, token, await stack.proof(key, { htu: `${SERVER}/swap` }), 'htu');
    });

    it('wrong htu: another host', async () => {
      const { stack, key, token } = await boundToken(signature);
      const htu = 'http://elsewhere.test/refresh';
      await expectRefused(stack, token, await stack.proof(key, { htu }), 'htu');
    });

    it('wrong htu: http for https', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = await stack.proof(key, { htu: 'http://swap.test/refresh' });
      const response = await stack.app.fetch(
        new Request('https://swap.test/refresh', {
          method: 'POST',
          headers: { dpop: proof },
          body: new URLSearchParams({ refresh_token: token }),
        }),
      );
      expect(await response.json()).toEqual({
        error: 'invalid_dpop_proof',
        error_description: DPOP_FAILURE_DESCRIPTIONS.htu,
      });
      expect((await stack.upstreamCalls()).refresh_token).toBe(0);
    });

    it('htu ignores the query and fragment, and compares normalised URLs', async () => {
      const { stack, key, token } = await boundToken(signature);
      const htu = 'HTTP://SWAP.test:80/refresh?x=1#y';
      expect((await stack.refresh(token, await stack.proof(key, { htu }))).status).toBe(200);
    });

    it('htu is the public URL (TOKENSWAP_PUBLIC_URL), not the one the request arrived at', async () => {
      const stack = await dpopStack(
        { TOKENSWAP_DPOP: 'allowed', TOKENSWAP_PUBLIC_URL: 'https://swap.example.com' },
        Date.now(),
        signature,
      );
      const key = await dpopKey();
      const token = (await stack.swap(key, 'https://swap.example.com/swap')).refresh_token!;
      const internal = await stack.proof(key, { htu: `${SERVER}/refresh` });
      await expectRefused(stack, token, internal, 'htu');
      const published = await stack.proof(key, { htu: 'https://swap.example.com/refresh' });
      expect((await stack.refresh(token, published)).status).toBe(200);
    });

    it('iat too old', async () => {
      const { stack, key, token } = await boundToken(signature);
      const iat = Math.floor(stack.clock.now / 1000) - DPOP_IAT_WINDOW.pastSeconds - 1;
      await expectRefused(stack, token, await stack.proof(key, { iat }), 'iat_too_old');
    });

    it('iat too far ahead', async () => {
      const { stack, key, token } = await boundToken(signature);
      const iat = Math.ceil(stack.clock.now / 1000) + DPOP_IAT_WINDOW.futureSeconds + 1;
      await expectRefused(stack, token, await stack.proof(key, { iat }), 'iat_in_future');
    });

    it('iat at the edges of the window is accepted (on the injected clock)', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = await stack.proof(key);
      stack.clock.now += (DPOP_IAT_WINDOW.pastSeconds - 1) * 1000;
      expect((await stack.refresh(token, proof)).status).toBe(200);
      const ahead = Math.floor(stack.clock.now / 1000) + DPOP_IAT_WINDOW.futureSeconds - 1;
      expect((await stack.refresh(token, await stack.proof(key, { iat: ahead }))).status).toBe(200);
    });

    it('jti reused on one instance', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = await stack.proof(key);
      expect((await stack.refresh(token, proof)).status).toBe(200);
      const again = await stack.refresh(token, proof);
      expect(await again.json()).toEqual({
        error: 'invalid_dpop_proof',
        error_description: DPOP_FAILURE_DESCRIPTIONS.jti_reused,
      });
      expect((await stack.upstreamCalls()).refresh_token).toBe(1);
    });

    it('an exp already passed, an nbf still ahead', async () => {
      const { stack, key, token } = await boundToken(signature);
      const nowSeconds = Math.floor(stack.clock.now / 1000);
      const expired = await stack.proof(key, { claims: { exp: nowSeconds - 1 } });
      await expectRefused(stack, token, expired, 'iat_too_old');
      const early = await stack.proof(key, { claims: { nbf: nowSeconds + 30 } });
      await expectRefused(stack, token, early, 'malformed');
    });

    it('a critical header extension', async () => {
      const { stack, key, token } = await boundToken(signature);
      // Signed by hand: jose refuses to sign with an extension it does not know.
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const header = { alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, crit: ['x'], x: 1 };
      const iat = Math.floor(stack.clock.now / 1000);
      const claims = { htm: 'POST', htu: `${SERVER}/refresh`, iat, jti: crypto.randomUUID() };
      const input = `${part(header)}.${part(claims)}`;
      const signed = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        key.privateKey,
        new TextEncoder().encode(input),
      );
      const proof = `${input}.${Buffer.from(signed).toString('base64url')}`;
      await expectRefused(stack, token, proof, 'malformed');
    });

    it('a proof without a jti', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = await stack.proof(key, { claims: { jti: undefined } });
      await expectRefused(stack, token, proof, 'jti');
    });

    it('alg none', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = unsignedProof(key, `${SERVER}/refresh`, stack.clock.now);
      await expectRefused(stack, token, proof, 'alg');
    });

    it('alg HS256', async () => {
      const { stack, key, token } = await boundToken(signature);
      await expectRefused(
        stack,
        token,
        await hmacProof(key, `${SERVER}/refresh`, stack.clock.now),
        'alg',
      );
    });

    it('an alg outside the allowlist (RS256)', async () => {
      const { stack, token } = await boundToken(signature);
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const rsa = { privateKey, publicJwk: await exportJWK(publicKey), alg: 'RS256' };
      await expectRefused(stack, token, await stack.proof(rsa), 'alg');
    });

    it('a jwk with a private part', async () => {
      const { stack, key, token } = await boundToken(signature);
      const privateJwk = await exportJWK(key.privateKey);
      const proof = await stack.proof(key, { header: { jwk: privateJwk } });
      await expectRefused(stack, token, proof, 'private_key');
    });

    it('a jwk that does not fit the alg', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = await stack.proof(key, { header: { jwk: { ...key.publicJwk, crv: 'P-384' } } });
      await expectRefused(stack, token, proof, 'jwk');
    });

    it('no typ dpop+jwt', async () => {
      const { stack, key, token } = await boundToken(signature);
      await expectRefused(stack, token, await stack.proof(key, { header: { typ: 'JWT' } }), 'typ');
    });

    it('a signature by another key', async () => {
      const { stack, key, token } = await boundToken(signature);
      const proof = await stack.proof(key, { signWith: await dpopKey() });
      await expectRefused(stack, token, proof, 'signature');
    });

    it('a malformed header', async () => {
      const { stack, key, token } = await boundToken(signature);
      const good = await stack.proof(key);
      for (const bad of [
        'not a jwt',
        `${good}.extra`,
        'bm90IGpzb24.e30.c2ln',
        `${good.slice(0, -4)}!!!!`,
      ]) {
        await expectRefused(stack, token, bad, 'malformed');
      }
    });

    it('two DPoP headers', async () => {
      const { stack, key, token } = await boundToken(signature);
      await expectRefused(
        stack,
        token,
        [await stack.proof(key), await stack.proof(key)],
        'multiple',
      );
    });

    it('a proof for another app', async () => {
      const apps = ['a', 'b'].map((name) => ({
        name,
        clientId: `client-${name}`,
        clientSecret: 'secret',
        redirectUris: ['http://127.0.0.1/callback'],
        dpop: 'allowed',
      }));
      const upstream = scriptedUpstream();
      const { app, sealer } = await testAppsFileApp(
        upstream,
        apps,
        {},
        { proofSignature: signature },
      );
      const key = await dpopKey();
      const thumbprint = await calculateJwkThumbprint(key.publicJwk, 'sha256');
      const token = await sealer.seal('raw', sealingContext('client-b', { thumbprint }));
      const proof = await makeProof(key, { htu: `${SERVER}/apps/a/refresh` }, Date.now());
      const response = await app.fetch(
        new Request(`${SERVER}/apps/b/refresh`, {
          method: 'POST',
          headers: { dpop: proof },
          body: new URLSearchParams({ refresh_token: token }),
        }),
      );
      expect(await response.json()).toEqual({
        error: 'invalid_dpop_proof',
        error_description: DPOP_FAILURE_DESCRIPTIONS.htu,
      });
      expect(upstream.calls).toHaveLength(0);
    });
  },
);

describe.each(PROOF_SIGNATURES)('DPoP-Nonce (RFC 9449 §8), %s', (_, signature) => {
  it('asks for a nonce, accepts it, and asks again once it is stale', async () => {
    const stack = await dpopStack(
      { TOKENSWAP_DPOP: 'allowed', TOKENSWAP_DPOP_NONCE: 'true' },
      Date.now(),
      signature,
    );
    const key = await dpopKey();
    const code = await stack.code();
    const first = await stack.post(
      '/swap',
      { code },
      { dpop: await stack.proof(key, { htu: `${SERVER}/swap` }) },
    );
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' });
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await stack.upstreamCalls()).authorization_code).toBe(0);

    const proof = await stack.proof(key, { htu: `${SERVER}/swap`, nonce: nonce! });
    const swapped = await stack.post('/swap', { code }, { dpop: proof });
    expect(swapped.status).toBe(200);
    const token = (await swapped.json()).refresh_token as string;

    const wrong = await stack.refresh(token, await stack.proof(key, { nonce: 'made-up' }));
    expect((await wrong.json()).error).toBe('use_dpop_nonce');
    expect((await stack.refresh(token, await stack.proof(key, { nonce: nonce! }))).status).toBe(
      200,
    );

    stack.clock.now += 6 * 60_000;
    const stale = await stack.refresh(token, await stack.proof(key, { nonce: nonce! }));
    expect((await stale.json()).error).toBe('use_dpop_nonce');
    expect(stale.headers.get('dpop-nonce')).not.toBe(nonce);
    expect((await stack.upstreamCalls()).refresh_token).toBe(1);
  });
});

describe('configuration', () => {
  it('DPoP with plaintext refresh tokens is refused at start', async () => {
    const { sealer } = await dpopStack({});
    const { loadConfig } = await import('../../../src/config/load-config.ts');
    const env = {
      SPOTIFY_CLIENT_ID: 'c',
      SPOTIFY_CLIENT_SECRET: 's',
      SPOTIFY_CLIENT_CALLBACK_URL: 'myapp://cb',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
      TOKENSWAP_DPOP: 'allowed',
    };
    expect(() => loadConfig(env)).toThrow(/TOKENSWAP_DPOP/);
    expect(() =>
      loadConfig({ ...env, TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: '', TOKENSWAP_DPOP: 'maybe' }),
    ).toThrow(/TOKENSWAP_DPOP: must be one of off, allowed, required/);
    const config = loadConfig({ ...env, TOKENSWAP_DPOP: 'off' });
    expect(config.apps[0]!.dpop).toEqual({ policy: 'off', nonce: false });
    const { createPlaintextSealer } = await import('../../../src/core/seal/index.ts');
    const bound = {
      ...config,
      apps: [{ ...config.apps[0]!, dpop: { policy: 'allowed', nonce: false } as const }],
    };
    expect(() =>
      createApp(bound, { upstream: scriptedUpstream(), sealer: createPlaintextSealer() }),
    ).toThrow(/sealed/);
    expect(sealer.sealed).toBe(true);
  });

  it('the apps file takes "dpop" and "dpopNonce" per app', async () => {
    const apps = [
      {
        name: 'a',
        clientId: 'a',
        clientSecret: 's',
        redirectUris: ['myapp://cb'],
        dpop: 'required',
        dpopNonce: true,
      },
      { name: 'b', clientId: 'b', clientSecret: 's', redirectUris: ['myapp://cb'] },
    ];
    const { config } = await testAppsFileApp(scriptedUpstream(), apps);
    expect(config.apps.map((app) => app.dpop)).toEqual([
      { policy: 'required', nonce: true },
      { policy: 'off', nonce: false },
    ]);
    await expect(
      testAppsFileApp(scriptedUpstream(), [{ ...apps[0]!, dpop: 'yes' }]),
    ).rejects.toThrow(/apps\[0\]: dpop must be one of off, allowed, required/);
  });

  it('a proof this instance has no room to remember is refused with 503 and Retry-After, never let through, and taken once room frees', async () => {
    const stack = await dpopStack(
      { TOKENSWAP_DPOP: 'allowed' },
      Date.now(),
      joseProofSignature,
      (now) => new MemoryStore({ now, namespaceMaxEntries: { dpop: 2 } }),
    );
    const key = await dpopKey();
    const swapped = await stack.swap(key);
    const token = swapped.refresh_token!;
    // The swap's proof and one refresh's fill the two places.
    expect((await stack.refresh(token, await stack.proof(key))).status).toBe(200);
    const refused = await stack.refresh(token, await stack.proof(key));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const calls = (await stack.upstreamCalls()).refresh_token;
    stack.clock.now += (DPOP_IAT_WINDOW.pastSeconds + DPOP_IAT_WINDOW.futureSeconds) * 1000;
    expect((await stack.refresh(token, await stack.proof(key))).status).toBe(200);
    expect((await stack.upstreamCalls()).refresh_token).toBe(calls + 1);
  });

  it('jti replay is kept per app in the shared store for the whole iat window', async () => {
    const store = new MemoryStore();
    const { verifyDpopProof } = await import('../../../src/core/dpop/verify-dpop-proof.ts');
    const { ProofKeys } = await import('../../../src/core/dpop/proof-keys.ts');
    const key = await dpopKey();
    const now = Date.now();
    const proof = await makeProof(key, { htu: `${SERVER}/refresh`, jti: 'j1' }, now);
    const deps = {
      store,
      now: () => now,
      keys: new ProofKeys(),
      signature: joseProofSignature,
      scope: 'app',
    };
    await verifyDpopProof(proof, { htm: 'POST', htu: `${SERVER}/refresh` }, deps);
    const windowMs = (DPOP_IAT_WINDOW.pastSeconds + DPOP_IAT_WINDOW.futureSeconds) * 1000;
    const thumbprint = await calculateJwkThumbprint(key.publicJwk, 'sha256');
    expect(await store.add(`dpop:jti:app:${thumbprint}:j1`, '1', windowMs)).toBe(false);
  });
});
