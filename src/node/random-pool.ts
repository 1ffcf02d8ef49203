import { randomFillSync } from 'node:crypto';

/**
 * Random bytes served from a buffer refilled 4 KiB at a time: one system call for hundreds of
 * IVs and request ids instead of one each, on the request path.
 */
export function createRandomPool(size = 4096): (bytes: Uint8Array) => Uint8Array {
  const pool = Buffer.allocUnsafe(size);
  let offset = size;
  return (bytes) => {
    if (bytes.length > size) return randomFillSync(bytes);
    if (offset + bytes.length > size) {
      randomFillSync(pool);
      offset = 0;
    }
    bytes.set(pool.subarray(offset, offset + bytes.length));
    // Used bytes are overwritten so they never serve twice, even through a stale view.
    pool.fill(0, offset, offset + bytes.length);
    offset += bytes.length;
    return bytes;
  };
}
