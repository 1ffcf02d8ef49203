/** base64url without padding (RFC 4648 §5): only `A–Z a–z 0–9 - _`. */
export interface Base64UrlCodec {
  encode(bytes: Uint8Array): string;
  /** Decodes well-formed input; what `decodeBase64Url` has not checked may decode to anything. */
  decodeUnchecked(text: string): Uint8Array<ArrayBuffer>;
}

/** Plain JavaScript: every runtime. */
export const portableBase64Url: Base64UrlCodec = {
  encode(bytes) {
    let binary = '';
    // Chunks keep the argument list of fromCharCode within engine limits.
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(
        null,
        bytes.subarray(i, i + 0x8000) as unknown as number[],
      );
    }
    return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  },
  decodeUnchecked(text) {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  },
};

/** The TC39 `Uint8Array` base64 methods, where the engine has them. */
interface Uint8ArrayBase64 {
  prototype: { toBase64?: unknown };
  fromBase64?: (text: string, options: { alphabet: 'base64url' }) => Uint8Array<ArrayBuffer>;
}
/** Node's `Buffer` (Bun and Deno have it too): native base64url, several times faster than JS. */
interface BufferLike {
  from(
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ): { toString(e: string): string };
  from(text: string, encoding: 'base64url'): Uint8Array;
}

function runtimeBase64Url(): Base64UrlCodec {
  const typed = Uint8Array as unknown as Uint8ArrayBase64;
  if (typeof typed.prototype.toBase64 === 'function' && typed.fromBase64 !== undefined) {
    const fromBase64 = typed.fromBase64;
    return {
      encode: (bytes) =>
        (
          bytes as Uint8Array & {
            toBase64(options: { alphabet: 'base64url'; omitPadding: boolean }): string;
          }
        ).toBase64({ alphabet: 'base64url', omitPadding: true }),
      decodeUnchecked: (text) => fromBase64(text, { alphabet: 'base64url' }),
    };
  }
  const buffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (buffer === undefined) return portableBase64Url;
  return {
    encode: (bytes) =>
      buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url'),
    decodeUnchecked(text) {
      const decoded = buffer.from(text, 'base64url');
      return new Uint8Array(decoded.buffer as ArrayBuffer, decoded.byteOffset, decoded.byteLength);
    },
  };
}

const codec = runtimeBase64Url();

export function encodeBase64Url(bytes: Uint8Array): string {
  return codec.encode(bytes);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict decoding: undefined for any character outside the alphabet or an impossible length. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = codec.decodeUnchecked(text);
  // Reject non-canonical encodings (stray bits in the last character), so one token has one form.
  return codec.encode(bytes) === text ? bytes : undefined;
}
