/** The loopback hosts Spotify lets a redirect URI use over plain http. */
const LOOPBACK_ORIGINS = ['http://127.0.0.1', 'http://[::1]'] as const;

/** A port as a URI writes it: 1–65535, no sign, no leading zero. */
function isPort(text: string): boolean {
  if (text.length === 0 || text.length > 5 || text.startsWith('0')) return false;
  for (const char of text) if (char < '0' || char > '9') return false;
  return Number(text) <= 65535;
}

/**
 * Whether `candidate` matches `registered` the way Spotify's `/authorize` matches them: byte for
 * byte (case and trailing slash included), except that a loopback URI registered without a port
 * accepts the same URI on any port at request time (Spotify's redirect URI policy since 2025).
 * The emulator keeps its own copy of the rule, so that it checks the swap server rather than
 * agreeing with it.
 */
function matches(candidate: string, registered: string): boolean {
  if (candidate === registered) return true;
  for (const origin of LOOPBACK_ORIGINS) {
    const rest = registered.slice(origin.length);
    if (!registered.startsWith(origin) || !(rest === '' || '/?#'.includes(rest[0] ?? ''))) {
      continue;
    }
    if (!candidate.startsWith(`${origin}:`) || !candidate.endsWith(rest)) return false;
    const port = candidate.slice(origin.length + 1, candidate.length - rest.length);
    return isPort(port);
  }
  return false;
}

/** Whether any of the app's registered redirect URIs accepts `candidate`. */
export function isRegisteredRedirectUri(candidate: string, registered: readonly string[]): boolean {
  return registered.some((uri) => matches(candidate, uri));
}
