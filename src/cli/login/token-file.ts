import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  isStoredTokens,
  type StoredTokens,
  type TokenStorage,
} from '../../client/token-storage.ts';

/** `$XDG_CONFIG_HOME/tokenswap/tokens.json`, else `~/.config/tokenswap/tokens.json`. */
export function defaultTokenFile(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.config');
  return join(base, 'tokenswap', 'tokens.json');
}

/** Who logged in, as `GET /v1/me` said: shown by `tokenswap token`'s errors, never needed. */
export interface TokenFileUser {
  readonly id: string;
  readonly displayName: string | undefined;
}

/** What the terminal login keeps: the server it came from, so `token` needs no flags. */
export interface TokenFileContent {
  readonly serverUrl: string;
  readonly user: TokenFileUser | undefined;
  readonly tokens: StoredTokens;
}

/** The token file exists but cannot be used. */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
}

const VERSION = 1;

function parseContent(text: string): TokenFileContent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  // Files written before the version field are the same format.
  if (record.version !== undefined && record.version !== VERSION) return undefined;
  if (typeof record.serverUrl !== 'string') return undefined;
  if (!isStoredTokens(record.tokens)) return undefined;
  const user = record.user as Record<string, unknown> | undefined;
  return {
    serverUrl: record.serverUrl,
    user:
      typeof user?.id === 'string'
        ? {
            id: user.id,
            displayName: typeof user.displayName === 'string' ? user.displayName : undefined,
          }
        : undefined,
    tokens: record.tokens,
  };
}

/**
 * The token file of the terminal login, mode 0600 in a directory created 0700. Every write goes
 * to a new private file that is then renamed over the old one: a reader never sees half a file,
 * and a crash never loses the rotated refresh token together with the old one.
 */
export class TokenFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The content, or undefined when there is no file; throws `TokenFileError` when unusable. */
  async read(): Promise<TokenFileContent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TokenFileError(`${this.path} cannot be read: ${(error as Error).message}`);
    }
    const content = parseContent(text);
    if (content === undefined) {
      throw new TokenFileError(`${this.path} is not a tokenswap token file`);
    }
    return content;
  }

  async write(content: TokenFileContent): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // A fresh name opened with O_EXCL: never follows a link someone planted at a known name.
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify({ version: VERSION, ...content }, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
  }

  /** A client storage on this file, for the login of `serverUrl`. */
  storage(serverUrl: string, user: TokenFileUser | undefined): TokenStorage {
    return {
      get: async () => (await this.read())?.tokens,
      set: (tokens) => this.write({ serverUrl, user, tokens }),
      remove: () => unlink(this.path).catch(() => {}),
    };
  }
}
