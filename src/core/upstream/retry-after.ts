/**
 * A `Retry-After` value as whole seconds, whichever form the upstream used: delta-seconds or
 * an HTTP-date (RFC 9110 §10.2.3). Clients such as SpotifyAPI-NET parse it as an integer only,
 * so the server always passes on an integer. Undefined when absent or unparseable.
 */
export function retryAfterSeconds(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), 86_400 * 7);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
