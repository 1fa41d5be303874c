/**
 * router/wire/coordinates.ts — tree coordinates on the wire (PROTOCOL.md §3.5) and tree distance (§2).
 *
 * `[2-byte big-endian L][varu64 port]…` where L counts BYTES of the varu64 list, not ports
 * [types/coordinates.go: MarshalBinary]. The decoder reads L, requires L more bytes and parses
 * varu64s until exactly those L bytes are used; a port straddling the end of L is a decode error
 * (the reference would read past L; our strict reading keeps re-encoding byte-identical).
 */
import type { Coordinates } from '../types.ts';
import { CodecError } from './errors.ts';
import { readVarU64Number, varU64Error, varU64Length, writeVarU64 } from './varu64.ts';

/** Largest L the 16-bit prefix can carry; longer lists are an encode error (§3.6). */
export const MAX_COORDINATES_BYTES = 0xffff;

/** Bytes of the varu64 list alone (the value of L). */
export function coordinatesBodyLength(coords: Coordinates): number {
  let n = 0;
  for (let i = 0; i < coords.length; i++) n += varU64Length(coords[i] as number);
  return n;
}

/** Encoded size including the 2-byte prefix. */
export function coordinatesLength(coords: Coordinates): number {
  return 2 + coordinatesBodyLength(coords);
}

/**
 * Write coords at `offset`; returns the next offset. The caller checks the body fits in 16 bits
 * (encodeFrame does, via frameLength); here an oversized list throws, being a pinelab bug.
 */
export function writeCoordinates(out: Uint8Array, offset: number, coords: Coordinates): number {
  const body = coordinatesBodyLength(coords);
  if (body > MAX_COORDINATES_BYTES) throw new RangeError(`coordinates: ${body} bytes > 65535`);
  out[offset] = body >>> 8;
  out[offset + 1] = body & 0xff;
  let p = offset + 2;
  for (let i = 0; i < coords.length; i++) p = writeVarU64(out, p, coords[i] as number);
  return p;
}

export function encodeCoordinates(coords: Coordinates): Uint8Array {
  const out = new Uint8Array(coordinatesLength(coords));
  writeCoordinates(out, 0, coords);
  return out;
}

const EMPTY: Coordinates = Object.freeze([]) as Coordinates;

/** Decode coordinates at `offset` (bounded by the end of `bytes`). */
export function decodeCoordinates(
  bytes: Uint8Array,
  offset: number,
): { coords: Coordinates; next: number } | CodecError {
  if (offset + 2 > bytes.length) {
    return new CodecError('decode-error', `coordinates at offset ${offset}: missing length prefix`);
  }
  const len = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
  const start = offset + 2;
  const end = start + len;
  if (end > bytes.length) {
    return new CodecError(
      'decode-error',
      `coordinates at offset ${offset}: length ${len} exceeds the ${bytes.length - start} bytes left`,
    );
  }
  if (len === 0) return { coords: EMPTY, next: end };
  const coords: number[] = [];
  const cursor = { pos: start };
  while (cursor.pos < end) {
    const at = cursor.pos;
    const port = readVarU64Number(bytes, cursor, end);
    if (port < 0) return varU64Error(port, 'coordinate port', at);
    coords.push(port);
  }
  return { coords, next: end };
}

/** Tree distance: len(a) + len(b) − 2·(common prefix) [types/coordinates.go: DistanceTo]. */
export function coordinateDistance(a: Coordinates, b: Coordinates): number {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a[p] === b[p]) p++;
  return a.length + b.length - 2 * p;
}

export function coordinatesEqual(a: Coordinates, b: Coordinates): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
