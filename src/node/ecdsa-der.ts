/**
 * An ECDSA signature as JWS carries it (`r ‖ s`, RFC 7518 §3.4) in the DER form node:crypto
 * checks fastest (`SEQUENCE { INTEGER r, INTEGER s }`, RFC 3279 §2.2.3): given the raw form,
 * `verify` converts it itself, at about a third of the cost of the check.
 */
export function ecdsaSignatureToDer(raw: Uint8Array): Buffer {
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  // At most 2 × 35 bytes for P-256: short-form lengths.
  const der = Buffer.allocUnsafe(2 + r.length + s.length);
  der[0] = 0x30;
  der[1] = r.length + s.length;
  der.set(r, 2);
  der.set(s, 2 + r.length);
  return der;
}

/** A big-endian unsigned integer as DER: no leading zero bytes, one 0x00 before a high bit. */
function derInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  const pad = value[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + value.length);
  out[0] = 0x02;
  out[1] = pad + value.length;
  out.set(value, 2 + pad);
  return out;
}
