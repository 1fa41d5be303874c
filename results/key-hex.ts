/**
 * results/key-hex.ts — hex of a router key, cached per key object: router views hand out the same
 * key arrays again and again, and the observers (event log, snapshots, summary) name nodes by key.
 */
import { toHex } from '../router/keys.ts';
import type { PublicKey } from '../router/types.ts';

const hexCache = new WeakMap<PublicKey, string>();

/** Hex of a key, cached per key object (a WeakMap: the cache never keeps a key alive). */
export function keyHex(key: PublicKey): string {
  let h = hexCache.get(key);
  if (h === undefined) {
    h = toHex(key);
    hexCache.set(key, h);
  }
  return h;
}
