/** A refresh token that opened, and whether it should be sealed anew before it goes back. */
export interface OpenedToken {
  readonly token: string;
  /** Sealed under a key that no longer seals, or in a legacy format. */
  readonly reseal: boolean;
  /** Issued by a server people migrate from: bound to nothing, not even the app. */
  readonly legacy?: true;
}

/**
 * Turns Spotify's refresh token into what the client holds, and back. A sealed token is useless
 * to anyone but this server, and only for the app it was sealed for: its `audience`
 * (`app-audience.ts`), which a token must be opened with.
 */
export interface RefreshTokenSealer {
  /** False only in plaintext mode, where clients hold Spotify's raw refresh token. */
  readonly sealed: boolean;
  seal(token: string, audience: string): Promise<string>;
  /** The raw token, or null for anything that does not open — never an exception. */
  open(token: string, audience: string): Promise<OpenedToken | null>;
}

/** Reads a refresh token of a server people migrate from; null when it does not open. */
export type LegacyTokenOpener = (token: string) => string | null | Promise<string | null>;

/** `TOKENSWAP_PLAINTEXT_REFRESH_TOKENS=true`: tokens pass through unchanged. */
export function createPlaintextSealer(): RefreshTokenSealer {
  return {
    sealed: false,
    seal: async (token) => token,
    open: async (token) => ({ token, reseal: false }),
  };
}
