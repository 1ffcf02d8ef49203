/**
 * Why a redirect URI cannot be registered, or undefined when it can: an absolute URI without a
 * fragment (RFC 6749 §3.1.2). Custom schemes (`myapp://callback`) are fine, for mobile apps.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URI (for example http://127.0.0.1:8888/callback)`;
  }
  if (url.hash !== '' || uri.includes('#')) return `"${uri}" must not have a fragment`;
  return undefined;
}
