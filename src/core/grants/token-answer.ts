import { jsonResponse } from '../http/json-response.ts';

/** What every client in client-contracts.md needs, and nothing that could confuse a strict parser. */
export interface TokenAnswer {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
}

/** `200` token response with RFC 6749 §5.1 headers, and the request id. */
export function tokenResponse(answer: TokenAnswer, requestId: string): Response {
  return jsonResponse(answer, 200, { 'x-request-id': requestId });
}
