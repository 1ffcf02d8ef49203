import { DISCOVERY_PATH, type Discovery } from '../../client/discovery.ts';

/** What `tokenswap login` says of the server's provider, and where it asks whose token it is. */
export interface ServerProvider {
  readonly name: string;
  /** As people write it: `GitHub`. */
  readonly displayName: string;
  /** Answers who an access token belongs to (Spotify's `/v1/me`, GitHub's `/user`). */
  readonly userinfoUrl: string | undefined;
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  return /^https?:$/.test(new URL(value).protocol) ? value : undefined;
}

/**
 * The provider fields of the server's discovery document, which the browser library leaves
 * alone (it needs none of them). A server from before provider profiles is Spotify's, with
 * its `<api_url>/v1/me`.
 */
export async function serverProvider(
  serverUrl: string,
  discovery: Discovery,
): Promise<ServerProvider> {
  let body: Record<string, unknown> = {};
  try {
    const response = await fetch(`${serverUrl}${DISCOVERY_PATH}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const json: unknown = await response.json();
    if (typeof json === 'object' && json !== null) body = json as Record<string, unknown>;
  } catch {
    // Only names and a profile lookup depend on it: the login goes on as Spotify's.
  }
  const name = typeof body.provider === 'string' ? body.provider : 'spotify';
  const legacy = body.provider === undefined && discovery.api_url !== undefined;
  return {
    name,
    displayName: typeof body.provider_name === 'string' ? body.provider_name : 'Spotify',
    userinfoUrl: httpUrl(body.userinfo_url) ?? (legacy ? `${discovery.api_url}/v1/me` : undefined),
  };
}
