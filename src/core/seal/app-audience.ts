import type { AppConfig, Config } from '../../config/config.ts';

/** What the sealed refresh tokens and the kept refresh answers of one app entry are bound to. */
export interface AppAudience {
  /** Every token is sealed for this, and opens for it. */
  readonly current: string;
  /** A binding tokens were sealed for before, still opened (then sealed anew); none if unsafe. */
  readonly previous: string | undefined;
}

/**
 * An app entry's audience. The environment's one app is bound to its client id, as it always
 * was. An entry of an apps file is bound to its client id and its name, so two entries of one
 * Spotify app (one per platform, say) never open each other's tokens or read each other's kept
 * answers. Names hold no `/`, so `<clientId>/apps/<name>` names one entry only. Tokens sealed for
 * the client id alone, before entries were told apart, still open for an entry whose client id
 * no other entry has; where entries share it, nothing tells whose such a token is, so it opens
 * for none.
 */
export function appAudience(app: AppConfig, config: Pick<Config, 'apps' | 'mount'>): AppAudience {
  if (config.mount === 'root') return { current: app.clientId, previous: undefined };
  const shared = config.apps.some((other) => other !== app && other.clientId === app.clientId);
  return {
    current: `${app.clientId}/apps/${app.name}`,
    previous: shared ? undefined : app.clientId,
  };
}
