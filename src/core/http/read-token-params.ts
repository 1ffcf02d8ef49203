import { invalidRequest, TokenSwapError } from '../errors.ts';
import { jsonMemberNames } from './json-member-names.ts';
import { TOKEN_REQUEST_LIMITS } from './token-request-limits.ts';

/** The fields of a token request, whichever encoding it came in. */
export type TokenParams = ReadonlyMap<string, string>;

const FORM = 'application/x-www-form-urlencoded';
/** Stateless between calls (no `stream` option): one decoder serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const JSON_TYPE = 'application/json';

function payloadTooLarge(): TokenSwapError {
  return new TokenSwapError('PAYLOAD_TOO_LARGE');
}

function unsupportedMediaType(): TokenSwapError {
  return new TokenSwapError('UNSUPPORTED_MEDIA_TYPE');
}

/** Reads at most `limit` bytes; stops reading (and cancels the stream) as soon as it is over. */
async function readLimitedText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw payloadTooLarge();
  // A declared length bounds the body (HTTP framing): read it whole, the fast way on every runtime.
  const bytes =
    declared !== null
      ? new Uint8Array(await request.arrayBuffer())
      : await readStream(request, limit);
  if (bytes.byteLength > limit) throw payloadTooLarge();
  try {
    return UTF8.decode(bytes);
  } catch {
    throw invalidRequest('request body is not valid UTF-8');
  }
}

/** A body of unknown length, chunk by chunk, cut off past the limit. */
async function readStream(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge();
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : concat(chunks, total);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function checkName(name: string): void {
  if (name.length > TOKEN_REQUEST_LIMITS.nameLength) {
    throw invalidRequest(
      `field names must be at most ${TOKEN_REQUEST_LIMITS.nameLength} characters`,
    );
  }
}

function addField(fields: Map<string, string>, name: string, value: string): void {
  if (fields.size >= TOKEN_REQUEST_LIMITS.fields) {
    throw invalidRequest(`request must have at most ${TOKEN_REQUEST_LIMITS.fields} fields`);
  }
  checkName(name);
  // A refresh token is judged by the refresh grant, which answers an over-long one like any
  // other that does not open (no oracle); the body limit still bounds it here.
  if (value.length > TOKEN_REQUEST_LIMITS.valueLength && name !== 'refresh_token') {
    throw invalidRequest(`${name} must be at most ${TOKEN_REQUEST_LIMITS.valueLength} characters`);
  }
  // RFC 6749 §3.2: request parameters must not be included more than once.
  if (fields.has(name)) throw invalidRequest(`${name} must not be repeated`);
  fields.set(name, value);
}

function decodeFormComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw invalidRequest('request body is not valid form encoding');
  }
}

/** Strict `application/x-www-form-urlencoded`: malformed percent-escapes are an error. */
export function parseForm(text: string): TokenParams {
  const fields = new Map<string, string>();
  if (text === '') return fields;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeFormComponent(pair.slice(eq + 1));
    addField(fields, name, value);
  }
  return fields;
}

/** A JSON object whose string members are the fields; other member types are an error. */
export function parseJsonObject(text: string): TokenParams {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest('request body must be a JSON object');
  }
  const members = value as Record<string, unknown>;
  const fields = new Map<string, string>();
  // Names as the text has them, repeats included, so a repeat is refused as in a form.
  for (const name of jsonMemberNames(text)) {
    checkName(name);
    const member = members[name];
    if (typeof member !== 'string') throw invalidRequest(`${name} must be a string`);
    addField(fields, name, member);
  }
  return fields;
}

function mediaType(request: Request): string | null {
  const header = request.headers.get('content-type');
  if (header === null) return null;
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * The fields of a token request. A body with no `Content-Type` is treated as a form, as
 * several clients send one that way; anything but form or JSON is a 415.
 */
export async function readTokenParams(request: Request): Promise<TokenParams> {
  const type = mediaType(request);
  if (type !== null && type !== FORM && type !== JSON_TYPE) throw unsupportedMediaType();
  const text = await readLimitedText(request, TOKEN_REQUEST_LIMITS.bodyBytes);
  return type === JSON_TYPE ? parseJsonObject(text) : parseForm(text);
}
