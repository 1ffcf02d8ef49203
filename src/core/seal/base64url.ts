/** The native encoder where the runtime has it (TC39 Uint8Array base64). */
type WithBase64 = Uint8Array & {
  toBase64?: (options: { alphabet: 'base64url'; omitPadding: boolean }) => string;
};

/** base64url without padding (RFC 4648 §5): only `A–Z a–z 0–9 - _`. */
export function encodeBase64Url(bytes: Uint8Array): string {
  const native = (bytes as WithBase64).toBase64;
  if (native !== undefined) return native.call(bytes, { alphabet: 'base64url', omitPadding: true });
  let binary = '';
  // Chunks keep the argument list of fromCharCode within engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict decoding: undefined for any character outside the alphabet or an impossible length. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Reject non-canonical encodings (stray bits in the last character), so one token has one form.
  return encodeBase64Url(bytes) === text ? bytes : undefined;
}
