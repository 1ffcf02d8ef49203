/** The longest wait passed on to clients, whichever form the upstream used: 7 days. */
const MAX_RETRY_AFTER_SECONDS = 86_400 * 7;

/**
 * A `Retry-After` value as whole seconds, whichever form the upstream used: delta-seconds or
 * an HTTP-date (RFC 9110 §10.2.3). Clients such as SpotifyAPI-NET parse it as an integer only,
 * so the server always passes on an integer, capped at 7 days. Undefined when absent or
 * unparseable.
 */
export function retryAfterSeconds(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, Math.ceil((date - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}
