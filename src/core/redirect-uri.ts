/** A loopback redirect URI with an explicit port: scheme+host, port, rest. */
const LOOPBACK_WITH_PORT = /^(http:\/\/(?:127\.0\.0\.1|\[::1\])):(\d{1,5})([/?#].*)?$/;

/** A TCP port as a URI names it: 1–65535, in canonical form (no leading zero). */
function isCanonicalPort(text: string): boolean {
  return /^[1-9]\d*$/.test(text) && Number(text) <= 65535;
}

/**
 * Spotify's redirect rule: byte-for-byte equality with an allowed URI, except that a loopback
 * URI allowed without a port (`http://127.0.0.1/callback`) accepts that URI on any port, which
 * is what a terminal login on an ephemeral port needs.
 */
export function isRedirectUriAllowed(candidate: string, allowed: readonly string[]): boolean {
  if (allowed.includes(candidate)) return true;
  const loopback = LOOPBACK_WITH_PORT.exec(candidate);
  if (loopback === null || !isCanonicalPort(loopback[2] ?? '')) return false;
  const withoutPort = `${loopback[1]}${loopback[3] ?? ''}`;
  return allowed.includes(withoutPort);
}
