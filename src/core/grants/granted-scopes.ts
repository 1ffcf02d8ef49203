import type { AppConfig } from '../../config/config.ts';
import { TokenSwapError } from '../errors.ts';

/**
 * Refuses an upstream answer whose `scope` names a scope the app was not set up for (its
 * `scopes` in the apps file), on a code exchange and on a refresh alike. The tokens are
 * dropped: this deployment does not hand out scopes it was not set up for.
 */
export function checkGrantedScopes(app: AppConfig, granted: string): void {
  const allowed = app.scopes;
  if (allowed === undefined) return;
  const extra = granted.split(' ').filter((s) => s !== '' && !allowed.includes(s));
  if (extra.length === 0) return;
  throw new TokenSwapError('SCOPE_NOT_ALLOWED', {
    description: `this app may not be granted: ${extra.join(' ')}`,
  });
}
