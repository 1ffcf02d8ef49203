import type { RegisteredApp } from './emulator-context.ts';
import { oauthError } from './emulator-context.ts';

/** Who is asking: a confidential client (secret checked), a public client, or an error answer. */
export type ClientAuthentication =
  | { readonly kind: 'confidential'; readonly clientId: string }
  | { readonly kind: 'public'; readonly clientId: string }
  | { readonly kind: 'error'; readonly response: Response };

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** `Authorization: Basic` with the id and secret form-encoded first (RFC 6749 §2.3.1). */
export function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id === undefined || secret === undefined ? undefined : { id, secret };
}

function checkSecret(app: RegisteredApp, id: string, secret: string): ClientAuthentication {
  if (id !== app.clientId)
    return { kind: 'error', response: oauthError('invalid_client', 'Invalid client') };
  if (secret !== app.clientSecret) {
    return { kind: 'error', response: oauthError('invalid_client', 'Invalid client secret') };
  }
  return { kind: 'confidential', clientId: id };
}

/**
 * Client authentication as Spotify does it: a Basic header, else `client_id` and
 * `client_secret` in the body, else `client_id` alone (a public PKCE client). Nothing at all,
 * or a malformed header, is a bare `invalid_client`.
 */
export function authenticateClient(
  app: RegisteredApp,
  authorization: string | undefined,
  form: URLSearchParams,
): ClientAuthentication {
  if (authorization !== undefined) {
    const credentials = basicCredentials(authorization);
    if (credentials === undefined) return { kind: 'error', response: oauthError('invalid_client') };
    return checkSecret(app, credentials.id, credentials.secret);
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  if (id && secret) return checkSecret(app, id, secret);
  if (id) {
    if (id !== app.clientId) {
      return { kind: 'error', response: oauthError('invalid_client', 'Invalid client') };
    }
    return { kind: 'public', clientId: id };
  }
  return { kind: 'error', response: oauthError('invalid_client') };
}
