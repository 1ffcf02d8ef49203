import { type ApiProxyOptions, forwardToApi } from './api-proxy.ts';
import type { SessionUser } from './session-store.ts';

/**
 * The user's id and name, shown by `/bff/session`, from the provider's user-info path (its
 * profile's `userInfoPath`: Spotify's `/v1/me`, GitHub's `/user`); null when there is none or
 * the API does not say.
 */
export async function currentUser(
  api: ApiProxyOptions,
  userInfoPath: string | undefined,
  accessToken: string,
): Promise<SessionUser | null> {
  if (userInfoPath === undefined) return null;
  try {
    const response = await forwardToApi(
      api,
      new Request('http://bff.invalid/'),
      userInfoPath,
      accessToken,
    );
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const me = (await response.json()) as Record<string, unknown>;
    // Spotify: id, display_name; GitHub: numeric id, name, login; Google: sub, name.
    const id = me.id ?? me.sub ?? me.account_id;
    if (typeof id !== 'string' && typeof id !== 'number') return null;
    const name = [me.display_name, me.name, me.login].find((n) => typeof n === 'string');
    return { id: String(id), display_name: (name as string | undefined) ?? null };
  } catch {
    return null;
  }
}
