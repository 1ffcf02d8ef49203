/** The longest wait passed on to clients, whichever form the upstream used: 7 days. */
const MAX_RETRY_AFTER_SECONDS = 86_400 * 7;

/** An HTTP-date starts with a weekday name (RFC 9110 §5.6.7); `Date.parse` alone reads "-3" as a year. */
const HTTP_DATE_START = /^[A-Za-z]{3},/;

/**
 * A `Retry-After` value as whole seconds, whichever form it takes: delay-seconds or an
 * HTTP-date (RFC 9110 §10.2.3), capped at 7 days. Undefined when absent or unreadable. Clients
 * such as SpotifyAPI-NET parse it as an integer only, so the server always passes on an integer.
 * The server and the client library read it with this one function.
 */
export function retryAfterSeconds(
  value: string | null | undefined,
  now: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  if (!HTTP_DATE_START.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, Math.ceil((date - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}
