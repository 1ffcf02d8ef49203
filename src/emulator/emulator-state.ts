/** An authorization code waiting to be exchanged. */
export interface CodeGrant {
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly codeChallenge: string | undefined;
  readonly expiresAt: number;
  /** Profiles other than Spotify's: whether the exchange yields a refresh token. */
  readonly issuesRefreshToken?: boolean;
}

/** A refresh token, and the authorization it belongs to. */
export interface RefreshGrant {
  readonly clientId: string;
  readonly userId: string;
  readonly scope: string;
  /** Six months after the user's authorization; refreshing does not extend it. */
  readonly expiresAt: number;
  /** Issued to a public PKCE client: every refresh replaces it. */
  readonly rotates: boolean;
  revoked: boolean;
  /** The access token last issued with it (Strava answers it again while it lasts). */
  readonly accessToken?: string;
}

export interface AccessGrant {
  readonly clientId: string;
  /** Undefined for client credentials (no user). */
  readonly userId: string | undefined;
  readonly scope: string;
  expiresAt: number;
}

export type GrantTypeCount =
  | 'authorization_code'
  | 'refresh_token'
  | 'client_credentials'
  | 'other';

/** Everything the emulator remembers, in memory, pruned as it expires. */
export class EmulatorState {
  readonly codes = new Map<string, CodeGrant>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly accessTokens = new Map<string, AccessGrant>();
  readonly stats: Record<GrantTypeCount, number> = {
    authorization_code: 0,
    refresh_token: 0,
    client_credentials: 0,
    other: 0,
  };
  #lastPrune = 0;

  /**
   * Drops what expired long ago, at most once a minute, so a long-running emulator stays small.
   * Recently expired entries stay, so they still answer "expired" or "revoked" as Spotify does
   * rather than "invalid".
   */
  prune(now: number): void {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    const hourAgo = now - 3_600_000;
    for (const [key, grant] of this.codes) if (grant.expiresAt <= hourAgo) this.codes.delete(key);
    for (const [key, grant] of this.accessTokens) {
      if (grant.expiresAt <= hourAgo) this.accessTokens.delete(key);
    }
    const monthAgo = now - 30 * 24 * 3_600_000;
    for (const [key, grant] of this.refreshTokens) {
      if (grant.expiresAt <= monthAgo) this.refreshTokens.delete(key);
    }
  }

  countRequest(grantType: string | null): void {
    const key: GrantTypeCount =
      grantType === 'authorization_code' ||
      grantType === 'refresh_token' ||
      grantType === 'client_credentials'
        ? grantType
        : 'other';
    this.stats[key]++;
  }

  resetStats(): void {
    for (const key of Object.keys(this.stats) as GrantTypeCount[]) this.stats[key] = 0;
  }
}
