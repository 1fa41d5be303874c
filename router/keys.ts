/**
 * router/keys.ts — key order and the small key predicates the protocol is built on (PROTOCOL.md §2).
 *
 * Keys compare as unsigned big-endian 256-bit integers. "Closer" never means a numeric distance,
 * only strict betweenness. Watermark "worse" has the zero-sequence exception of §2.
 */
import type { PublicKey, Watermark } from './types.ts';

export const KEY_LENGTH = 32;

/** 32 bytes of 0xFF: the greatest possible key, the "no progress yet" watermark key. */
export const FULL_MASK: PublicKey = new Uint8Array(KEY_LENGTH).fill(0xff);

/** The watermark every frame starts with: (FullMask, 0). */
export const INITIAL_WATERMARK: Watermark = Object.freeze({ key: FULL_MASK, seq: 0 });

/** <0, 0, >0 as a is less than, equal to, greater than b (byte 0 most significant). */
export function compareKeys(a: PublicKey, b: PublicKey): number {
  // In a run equal keys are one object (a router's key is passed on, not copied), and a third of
  // the comparisons of a big run compare a key with itself: 32 bytes each without this.
  if (a === b) return 0;
  for (let i = 0; i < KEY_LENGTH; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The key's first 6 bytes as an exact integer below 2^48. Sorted tables keep these in a
 * Float64Array beside their entries, so a binary search reads one contiguous array instead of an
 * entry object and its key per probe (cache misses dominated big runs). Where two prefixes differ
 * they order the keys exactly as compareKeys; where they are equal, compare the whole keys.
 */
export function keyPrefix(k: PublicKey): number {
  return (
    ((k[0] as number) * 0x10000 + (((k[1] as number) << 8) | (k[2] as number))) * 0x1000000 +
    (((k[3] as number) << 16) | ((k[4] as number) << 8) | (k[5] as number))
  );
}

/**
 * Index of the first of `keys[0, n)` (ascending) that is ≥ `key`, where `prefixes[i]` is
 * keyPrefix(keys[i]): the probes read the contiguous prefixes and whole keys only on a tie.
 */
export function prefixLowerBound(
  prefixes: Float64Array,
  keys: readonly PublicKey[],
  n: number,
  key: PublicKey,
): number {
  const p = keyPrefix(key);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const q = prefixes[mid] as number;
    if (q < p || (q === p && compareKeys(keys[mid] as PublicKey, key) < 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The key's first 30 bits as a small integer (a V8 Smi: stored in an object field without a box).
 * Equal keys have equal tags, so a link keeps its remote key's tag and a scan over links rejects
 * most of them on the tag without reading the key's bytes (a separate object, likely a cache miss
 * in a big run).
 */
export function keyTag(k: PublicKey): number {
  return (
    ((k[0] as number) << 22) |
    ((k[1] as number) << 14) |
    ((k[2] as number) << 6) |
    ((k[3] as number) >>> 2)
  );
}

export function keysEqual(a: PublicKey, b: PublicKey): boolean {
  if (a === b) return true;
  for (let i = 0; i < KEY_LENGTH; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ordered(a, b, c) ⇔ a < b < c, strictly, no wrap-around [util/distance.go: DHTOrdered]. */
export function ordered(a: PublicKey, b: PublicKey, c: PublicKey): boolean {
  return compareKeys(a, b) < 0 && compareKeys(b, c) < 0;
}

/**
 * worse(a, b) ⇔ a.key > b.key, or same key and a.seq ≠ 0 and a.seq < b.seq
 * [types/virtualsnake.go: WorseThan]. A zero sequence never counts as worse on the sequence test.
 */
export function worse(a: Watermark, b: Watermark): boolean {
  const c = compareKeys(a.key, b.key);
  if (c > 0) return true;
  return c === 0 && a.seq !== 0 && a.seq < b.seq;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const DIGIT = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));
/** Char codes of one chunk of hex (reused; toHex is synchronous). */
const HEX_CODES: number[] = new Array<number>(64).fill(0);

/**
 * Lower-case hex, as one flat string: `s += pair` builds a chain of ~26 cons strings per 32-byte
 * key (about 1 KB of heap for every hex key kept in a Map); String.fromCharCode over a code array
 * gives one flat 64-char string.
 */
export function toHex(bytes: Uint8Array): string {
  if (bytes.length <= 32) {
    const codes = HEX_CODES;
    codes.length = 2 * bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      codes[2 * i] = DIGIT[b >>> 4] as number;
      codes[2 * i + 1] = DIGIT[b & 15] as number;
    }
    return String.fromCharCode.apply(null, codes);
  }
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) parts.push(HEX[bytes[i] as number] as string);
  return parts.join('');
}

/** Parse hex (even length, 0-9a-f); returns null on anything else. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
