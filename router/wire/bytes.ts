/**
 * router/wire/bytes.ts — copying a byte range out of a receive buffer.
 *
 * `Uint8Array.prototype.slice` copies, but a Node Buffer's `slice` returns a view that shares
 * memory; decoded keys and payloads must never alias (or pin) the caller's buffer, whatever its class.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}
