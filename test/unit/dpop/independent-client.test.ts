import { generateKeyPair, generateProof } from 'dpop';
import { describe, expect, it } from 'vitest';
import { dpopStack, PROOF_SIGNATURES, SERVER } from '../../support/dpop.ts';

// panva's `dpop` package: a DPoP client implementation that is not this project's.
describe.each(PROOF_SIGNATURES)(
  'proofs from an independent DPoP implementation (%s)',
  (_, signature) => {
    for (const alg of ['ES256', 'Ed25519'] as const) {
      it(`are accepted for the swap and the refresh (${alg}), nonce included`, async () => {
        const stack = await dpopStack(
          { TOKENSWAP_DPOP: 'required', TOKENSWAP_DPOP_NONCE: 'true' },
          Date.now(),
          signature,
        );
        const keyPair = await generateKeyPair(alg);
        const code = await stack.code();
        const asked = await stack.post(
          '/swap',
          { code },
          { dpop: await generateProof(keyPair, `${SERVER}/swap`, 'POST') },
        );
        expect((await asked.json()).error).toBe('use_dpop_nonce');
        const nonce = asked.headers.get('dpop-nonce')!;
        const swapped = await stack.post(
          '/swap',
          { code },
          { dpop: await generateProof(keyPair, `${SERVER}/swap`, 'POST', nonce) },
        );
        expect(swapped.status).toBe(200);
        const token = (await swapped.json()).refresh_token as string;
        const refreshed = await stack.refresh(
          token,
          await generateProof(keyPair, `${SERVER}/refresh`, 'POST', nonce),
        );
        expect(refreshed.status).toBe(200);
        expect((await stack.upstreamCalls()).refresh_token).toBe(1);
      });
    }
  },
);
