import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRY = new URL('../../../src/client/index.ts', import.meta.url).pathname;

/** One entry bundled as a browser app's bundler would: ESM, no platform built-ins assumed. */
function bundle(entry: string) {
  return build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

describe('tokenswap/client runs outside Node', () => {
  it('tokenswap/client/bff bundles small, with nothing from outside the library', async () => {
    const result = await bundle(
      new URL('../../../src/client/bff/index.ts', import.meta.url).pathname,
    );
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => !path.startsWith('src/client/'))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\bfrom\s*["']node:|require\(/);
    expect(code.length).toBeLessThan(12_000);
    for (const name of ['createBffClient', 'BffClient', 'TokenSwapClientError']) {
      expect(code).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('bundles for the browser with no Node built-in and without the Spotify SDK', async () => {
    const result = await bundle(ENTRY);
    const inputs = Object.keys(result.metafile.inputs);
    // jose signs DPoP proofs; src/shared/ is what the server and the library both read (no
    // runtime API); nothing else from outside the library.
    const outside = inputs.filter(
      (path) => !path.startsWith('src/client/') && !path.startsWith('src/shared/'),
    );
    expect(outside.filter((path) => !path.startsWith('node_modules/jose/'))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\bfrom\s*["']node:|require\(/);
    expect(code).not.toContain('@spotify/web-api-ts-sdk');
    // About 18 KB of the library and 24 KB of jose's JWS signing (13 KB of it minified).
    expect(code.length).toBeLessThan(45_000);
    // Named exports only, and the ones the README documents.
    expect(code).not.toContain('export default');
    for (const name of [
      'createTokenSwapClient',
      'TokenSwapClientError',
      'TokenSwapAuthStrategy',
      'memoryStorage',
      'webStorage',
      'buildAuthorizeUrl',
      'parseCallback',
      'createPkcePair',
      'indexedDbStorage',
      'createDpopProof',
    ]) {
      expect(code).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });
});
