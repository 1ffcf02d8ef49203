import { jsonResponse } from '../http/json-response.ts';
import type { UpstreamTokens } from '../upstream/upstream-answer.ts';

/**
 * What every client in client-contracts.md needs, and nothing that could confuse a strict
 * parser: the same shape whatever the provider. `expires_in` is absent only for a token that
 * never expires (a GitHub OAuth app's); the fields a profile passes through (`id_token`,
 * Strava's `athlete`) come after.
 */
export interface TokenAnswer {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in?: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly [passedThrough: string]: unknown;
}

/** The normalised answer to a client, from checked upstream tokens. */
export function tokenAnswer(tokens: UpstreamTokens, refreshToken: string | undefined): TokenAnswer {
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    ...(tokens.expiresIn !== undefined && { expires_in: tokens.expiresIn }),
    scope: tokens.scope,
    ...(refreshToken !== undefined && { refresh_token: refreshToken }),
    ...tokens.extra,
  };
}

/** `200` token response with RFC 6749 §5.1 headers. */
export function tokenResponse(answer: TokenAnswer): Response {
  return jsonResponse(answer, 200);
}

/**
 * A kept answer is served again only while its access token has at least this long left (s),
 * or half its lifetime when that is shorter; else the call goes upstream again. A minute is the
 * client library's own refresh margin: an answer it would refresh at once is no answer.
 */
export const KEPT_ANSWER_MARGIN_SECONDS = 60;

/**
 * A kept answer `ageMs` after its upstream call started: `expires_in` is what is left of it, or
 * undefined when too little is left to hand it out. Whole seconds gone are counted, so the
 * callers that share one call, on every instance, get the same answer as its leader did.
 */
export function agedTokenAnswer(kept: TokenAnswer, ageMs: number): TokenAnswer | undefined {
  // A token that never expires is as good later as it was.
  if (kept.expires_in === undefined) return kept;
  const left = kept.expires_in - Math.floor(ageMs / 1000);
  const margin = Math.min(KEPT_ANSWER_MARGIN_SECONDS, kept.expires_in / 2);
  if (left <= 0 || left < margin) return undefined;
  return { ...kept, expires_in: left };
}
