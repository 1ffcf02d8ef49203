import { type EmulatorProfile, RFC6749_EMULATION } from './emulator-profile.ts';

/**
 * An RFC 6749 authorization server and nothing else: Basic or body credentials (§2.3.1),
 * §5.1 answers, §5.2 errors (401 for `invalid_client`), PKCE (RFC 7636), refresh tokens that
 * do not rotate. What `TOKENSWAP_PROVIDER=generic` is tested against.
 */
export function genericEmulation(): EmulatorProfile {
  return {
    ...RFC6749_EMULATION,
    name: 'generic',
    displayName: 'RFC 6749 authorization server',
    authorizePath: '/authorize',
    tokenPaths: ['/token'],
  };
}
