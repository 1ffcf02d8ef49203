import { type ApiProxyOptions, forwardToApi } from './api-proxy.ts';
import type { SessionUser } from './session-store.ts';

/** The user's id and name, shown by `/bff/session`; null when the Web API does not say. */
export async function currentUser(
  api: ApiProxyOptions,
  accessToken: string,
): Promise<SessionUser | null> {
  try {
    const response = await forwardToApi(
      api,
      new Request('http://bff.invalid/'),
      '/v1/me',
      accessToken,
    );
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const me = (await response.json()) as { id?: unknown; display_name?: unknown };
    if (typeof me.id !== 'string') return null;
    return {
      id: me.id,
      display_name: typeof me.display_name === 'string' ? me.display_name : null,
    };
  } catch {
    return null;
  }
}
