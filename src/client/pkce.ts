/** base64url without padding (RFC 4648 §5), as PKCE and URL-safe random values use it. */
function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * A random URL-safe value from Web Crypto: a `state` (RFC 6749 §10.12) or a PKCE verifier.
 * `bytes` of entropy; the text is 4/3 as long.
 */
export function randomToken(bytes = 32, crypto: Crypto = globalThis.crypto): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 §4.2: the `S256` challenge of a verifier, `base64url(sha256(verifier))`. */
export async function pkceChallenge(
  verifier: string,
  crypto: Crypto = globalThis.crypto,
): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface PkcePair {
  /** Kept by the client until the swap; 64 characters of `[A-Za-z0-9_-]` (RFC 7636 §4.1). */
  readonly verifier: string;
  /** Sent to `/authorize` with `code_challenge_method=S256`. */
  readonly challenge: string;
}

/** A fresh PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export async function createPkcePair(crypto: Crypto = globalThis.crypto): Promise<PkcePair> {
  const verifier = randomToken(48, crypto);
  return { verifier, challenge: await pkceChallenge(verifier, crypto) };
}
