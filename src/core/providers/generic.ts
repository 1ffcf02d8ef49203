import {
  type ClientAuthMethod,
  type ProviderProfile,
  RFC6749_DEFAULTS,
} from './provider-profile.ts';

/** What configures a `generic` provider: any RFC 6749 authorization server. */
export interface GenericProviderSettings {
  readonly tokenUrl: string;
  readonly authorizeUrl: string;
  readonly clientAuth: ClientAuthMethod;
  /** Parameters clients add to the authorize URL (`audience`, `access_type`, …). */
  readonly extraParams: Readonly<Record<string, string>>;
}

/** A profile for any RFC 6749 server, from its settings: §5.1 answers, §5.2 errors. */
export function genericProvider(settings: GenericProviderSettings): ProviderProfile {
  return Object.freeze({
    ...RFC6749_DEFAULTS,
    name: 'generic',
    displayName: new URL(settings.tokenUrl).host,
    serviceName: 'authorization server',
    tokenUrl: settings.tokenUrl,
    authorizeUrl: settings.authorizeUrl,
    clientAuth: settings.clientAuth,
    authorizeParams: Object.freeze({ ...settings.extraParams }),
  } satisfies ProviderProfile);
}
