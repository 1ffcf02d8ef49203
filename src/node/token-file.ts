import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  parseStoredTokens,
  type StoredTokens,
  type TokenStorage,
} from '../client/token-storage.ts';

/** `$XDG_CONFIG_HOME/tokenswap/tokens.json`, else `~/.config/tokenswap/tokens.json`. */
export function defaultTokenFile(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.config');
  return join(base, 'tokenswap', 'tokens.json');
}

interface TokenFileContent {
  readonly serverUrl: string;
  readonly tokens: StoredTokens;
}

/** The token file of the terminal login: the server it came from and the tokens, mode 0600. */
export class TokenFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<TokenFileContent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const value = JSON.parse(text) as { serverUrl?: unknown; tokens?: unknown };
      const tokens = parseStoredTokens(JSON.stringify(value.tokens));
      if (typeof value.serverUrl !== 'string' || tokens === undefined) return undefined;
      return { serverUrl: value.serverUrl, tokens };
    } catch {
      return undefined;
    }
  }

  /** Written to a private temporary file and renamed over the old one: never half a file. */
  async write(content: TokenFileContent): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }

  /** A client storage that keeps the file's server URL. */
  storage(serverUrl: string): TokenStorage {
    return {
      get: async () => (await this.read())?.tokens,
      set: (tokens) => this.write({ serverUrl, tokens }),
      remove: async () => {},
    };
  }
}
