/** What `TOKENSWAP_BFF_ORIGINS` (or an apps file entry's `"bff"`) turns on for one app. */
export interface BffSettings {
  /** The app's own origins, exact: where its pages run, and where `return_to` may point. */
  readonly origins: readonly string[];
}

const ORIGIN = /^https?:\/\/[^/?#\s@]+$/;

/** What is wrong with one BFF origin, or undefined when it is an exact `scheme://host[:port]`. */
export function bffOriginProblem(origin: string): string | undefined {
  if (origin === '*') return 'cannot be "*": the session cookie goes only to origins named here';
  if (!ORIGIN.test(origin) || !URL.canParse(origin) || new URL(origin).origin !== origin) {
    return `"${origin}" is not an origin: write scheme://host[:port] with no path or trailing slash, e.g. https://app.example.com`;
  }
  return undefined;
}
