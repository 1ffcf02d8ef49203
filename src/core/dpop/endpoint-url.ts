/**
 * The public URL of the endpoint a request came to, without query or fragment: what a DPoP
 * proof's `htu` must name (RFC 9449 §4.3 check 9). For now it is the URL the request arrived
 * with; a deployment behind a proxy that rewrites the scheme or host will set its public URL in
 * the config, and only this function changes.
 */
export function endpointPublicUrl(request: Request): string {
  const url = new URL(request.url);
  return `${url.origin}${url.pathname}`;
}
