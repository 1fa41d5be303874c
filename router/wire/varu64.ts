/**
 * router/wire/varu64.ts — the variable-length unsigned integer of PROTOCOL.md §3.4.
 *
 * Big-endian base-128: 7-bit groups, most significant first, every byte but the last has 0x80 set.
 * This is NOT LEB128 (the group order is reversed) [types/varu64.go]. We always emit the shortest
 * form, and — unlike the lenient reference decoder — reject non-canonical input (a leading 0x80
 * group), a continuation bit at the end of the buffer, and values ≥ 2^64 (the reference silently
 * wraps), because a non-canonical varu64 would break announcement signatures downstream (§3.4).
 *
 * Frame fields (ports, sequences) are JS numbers in pinelab: a value above Number.MAX_SAFE_INTEGER
 * cannot be represented exactly, so inside a frame it is a decode error (`readVarU64Number`);
 * only the standalone `decodeVarU64` returns the full 64-bit value as a bigint.
 */
import { CodecError } from './errors.ts';

/** Longest canonical encoding of a 64-bit value: ceil(64 / 7) = 10 bytes. */
export const MAX_VARU64_BYTES = 10;
const TWO_POW_64 = 1n << 64n;
const TWO_POW_32 = 0x1_0000_0000;

function checkNumber(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`varu64: ${value} is not a non-negative safe integer`);
  }
}

/** Bytes of the shortest encoding of `value` (a non-negative safe integer). */
export function varU64Length(value: number): number {
  let n = 1;
  // Division, not shifts: bitwise operators truncate to 32 bits.
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Write the shortest encoding of `value` at `offset`; returns the offset after it. */
export function writeVarU64(out: Uint8Array, offset: number, value: number): number {
  const n = varU64Length(value);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    const group = v < TWO_POW_32 ? v & 0x7f : v % 128;
    out[offset + i] = i === n - 1 ? group : group | 0x80;
    v = Math.floor(v / 128);
  }
  return offset + n;
}

/** The shortest encoding of `value` (number: non-negative safe integer; bigint: 0 ≤ v < 2^64). */
export function encodeVarU64(value: number | bigint): Uint8Array {
  if (typeof value === 'number') {
    checkNumber(value);
    const out = new Uint8Array(varU64Length(value));
    writeVarU64(out, 0, value);
    return out;
  }
  if (value < 0n || value >= TWO_POW_64) throw new RangeError(`varu64: ${value} is out of range`);
  const groups: number[] = [];
  let v = value;
  do {
    groups.push(Number(v & 0x7fn));
    v >>= 7n;
  } while (v > 0n);
  const out = new Uint8Array(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[groups.length - 1 - i] as number;
    out[i] = i === groups.length - 1 ? g : g | 0x80;
  }
  return out;
}

/** Decode a canonical varu64 at `offset` (reading at most to the end of `bytes`). */
export function decodeVarU64(
  bytes: Uint8Array,
  offset: number,
): { value: bigint; next: number } | CodecError {
  let value = 0n;
  let i = offset;
  for (;;) {
    if (i >= bytes.length) {
      return new CodecError('decode-error', `varu64 at offset ${offset} is truncated`);
    }
    const b = bytes[i] as number;
    if (i === offset && b === 0x80) {
      return new CodecError('decode-error', `varu64 at offset ${offset} is not in shortest form`);
    }
    value = (value << 7n) | BigInt(b & 0x7f);
    i++;
    if (value >= TWO_POW_64) {
      return new CodecError('decode-error', `varu64 at offset ${offset} exceeds 64 bits`);
    }
    if ((b & 0x80) === 0) return { value, next: i };
  }
}

/**
 * Hot-path decoder for frame fields: returns the value as a number and stores the next offset in
 * `cursor.pos`, or returns a negative error code without allocating: -1 truncated (continuation
 * bit set at `end`), -2 non-canonical, -3 above Number.MAX_SAFE_INTEGER (a frame field must be an
 * exact JS number; the reference would accept up to 2^64 − 1).
 */
export function readVarU64Number(bytes: Uint8Array, cursor: { pos: number }, end: number): number {
  let i = cursor.pos;
  if (i < end && bytes[i] === 0x80) return -2;
  let value = 0;
  while (i < end) {
    const b = bytes[i++] as number;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) return -3;
    if ((b & 0x80) === 0) {
      cursor.pos = i;
      return value;
    }
  }
  return -1;
}

/** A CodecError for a negative `readVarU64Number` result. */
export function varU64Error(code: number, what: string, offset: number): CodecError {
  const why =
    code === -1
      ? 'is truncated'
      : code === -2
        ? 'is not in shortest form'
        : 'exceeds Number.MAX_SAFE_INTEGER';
  return new CodecError('decode-error', `${what} (varu64 at offset ${offset}) ${why}`);
}
