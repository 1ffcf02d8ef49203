/** The parts of `spotify-web-api-node` (plain JavaScript, no types of its own) the tests use. */
declare module 'spotify-web-api-node' {
  interface TokenResponse {
    readonly body: {
      readonly access_token: string;
      readonly token_type: string;
      readonly expires_in: number;
      readonly scope: string;
      readonly refresh_token?: string;
    };
    readonly statusCode: number;
  }
  export default class SpotifyWebApi {
    constructor(credentials: { clientId: string; clientSecret: string; redirectUri: string });
    authorizationCodeGrant(code: string): Promise<TokenResponse>;
    refreshAccessToken(): Promise<TokenResponse>;
    setRefreshToken(refreshToken: string): void;
  }
}

/** Its accounts-host request builder: the only place that names accounts.spotify.com. */
declare module 'spotify-web-api-node/src/authentication-request.js' {
  interface Builder {
    withHost(host: string): Builder;
    withPort(port: number): Builder;
    withScheme(scheme: string): Builder;
  }
  const authenticationRequest: { builder: () => Builder };
  export default authenticationRequest;
}
