/** A test user of the emulator, with the profile `GET /v1/me` answers. */
export interface TestUser {
  readonly id: string;
  readonly display_name: string;
  readonly email: string;
  readonly country: string;
  readonly product: 'premium' | 'free';
}

export const TEST_USERS: readonly TestUser[] = Object.freeze([
  {
    id: 'alice',
    display_name: 'Alice Example',
    email: 'alice@example.com',
    country: 'SE',
    product: 'premium',
  },
  {
    id: 'bob',
    display_name: 'Bob Example',
    email: 'bob@example.com',
    country: 'GB',
    product: 'free',
  },
]);

/** Spotify's current official scopes; any other name is an `Illegal scope`. */
export const SCOPES: ReadonlySet<string> = new Set([
  'ugc-image-upload',
  'user-read-playback-state',
  'user-modify-playback-state',
  'user-read-currently-playing',
  'app-remote-control',
  'streaming',
  'playlist-read-private',
  'playlist-read-collaborative',
  'playlist-modify-private',
  'playlist-modify-public',
  'user-follow-modify',
  'user-follow-read',
  'user-read-playback-position',
  'user-top-read',
  'user-read-recently-played',
  'user-library-modify',
  'user-library-read',
  'user-read-email',
  'user-read-private',
  'user-soa-link',
  'user-soa-unlink',
  'soa-manage-entitlements',
  'soa-manage-partner',
  'soa-create-partner',
]);

/** The app the emulator registers when given none: public values, for demos and tests. */
export const DEMO_APP = Object.freeze({
  clientId: 'tokenswap-demo',
  clientSecret: 'tokenswap-demo-secret',
  redirectUris: Object.freeze(['http://127.0.0.1/callback']),
});
