import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultTokenFile,
  TokenFile,
  TokenFileError,
} from '../../../../src/cli/login/token-file.ts';

const TOKENS = { accessToken: 'at', refreshToken: 'ts1.rt', expiresAt: 1, scope: '' };

describe('the token file', () => {
  it('lives under $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultTokenFile({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe(
      '/x/tokenswap/tokens.json',
    );
    expect(defaultTokenFile({ HOME: '/h' })).toBe('/h/.config/tokenswap/tokens.json');
  });

  it('is written whole, 0600 in a 0700 directory, leaving no temporary file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tokenswap-file-')), 'tokenswap');
    const file = new TokenFile(join(dir, 'tokens.json'));
    expect(await file.read()).toBeUndefined();
    const storage = file.storage('http://127.0.0.1:3000', { id: 'alice', displayName: 'Alice' });
    await storage.set(TOKENS);
    await storage.set({ ...TOKENS, accessToken: 'at2' });
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['tokens.json']);
    expect(await file.read()).toEqual({
      serverUrl: 'http://127.0.0.1:3000',
      user: { id: 'alice', displayName: 'Alice' },
      tokens: { ...TOKENS, accessToken: 'at2' },
    });
    expect(JSON.parse(readFileSync(file.path, 'utf8')).version).toBe(1);
    await storage.remove();
    expect(await file.read()).toBeUndefined();
  });

  it('refuses what is not a token file; reads one written before the version field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenswap-file-'));
    const path = join(dir, 'tokens.json');
    for (const text of [
      'nope',
      '{}',
      JSON.stringify({ version: 2, serverUrl: 'x', tokens: TOKENS }),
    ]) {
      writeFileSync(path, text);
      await expect(new TokenFile(path).read()).rejects.toBeInstanceOf(TokenFileError);
    }
    writeFileSync(path, JSON.stringify({ serverUrl: 'http://s', tokens: TOKENS }));
    expect((await new TokenFile(path).read())?.tokens).toEqual(TOKENS);
  });
});
