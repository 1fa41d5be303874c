/**
 * router/wire/handshake.ts — the 104-byte link handshake (PROTOCOL.md §3.1).
 *
 * | 0 | 1 | version = 1 | 1 | 3 | zero | 4 | 4 | capabilities (BE u32) | 8 | 32 | sender key |
 * | 40 | 64 | signature by that key over bytes 0..39 |
 * The simulator creates links with known keys and skips it; it is here for completeness and for
 * `pinelab frame`. Its signature is made and checked even when signatures are disabled (§2).
 */
import type { Ed25519 } from '../crypto.ts';
import { KEY_LENGTH } from '../keys.ts';
import type { Identity, PublicKey } from '../types.ts';
import { copyBytes } from './bytes.ts';
import { CodecError } from './errors.ts';

export const HANDSHAKE_LENGTH = 104;
export const HANDSHAKE_VERSION = 1;
/** Capability bits [router/version.go]. */
export const Capability = {
  LengthenedRootInterval: 0x01,
  CryptographicSetups: 0x02,
  SetupACKs: 0x04,
  DedupedCoordinateInfo: 0x08,
  SoftState: 0x10,
  HybridRouting: 0x20,
} as const;
/** What d0beb18 advertises: all but SetupACKs. */
export const D0BEB18_CAPABILITIES = 0x3b;

export interface Handshake {
  readonly version: number;
  readonly capabilities: number;
  readonly publicKey: PublicKey;
  readonly signature: Uint8Array;
}

export function encodeHandshake(
  identity: Identity,
  crypto: Ed25519,
  capabilities: number = D0BEB18_CAPABILITIES,
): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out[0] = HANDSHAKE_VERSION;
  new DataView(out.buffer).setUint32(4, capabilities >>> 0, false);
  out.set(identity.publicKey, 8);
  out.set(crypto.sign(identity.seed, out.subarray(0, 8 + KEY_LENGTH)), 8 + KEY_LENGTH);
  return out;
}

/** Parse 104 bytes (no verification; see `checkHandshake`). */
export function decodeHandshake(bytes: Uint8Array): Handshake | CodecError {
  if (bytes.length !== HANDSHAKE_LENGTH) {
    return new CodecError('decode-error', `handshake is ${bytes.length} bytes, expected 104`);
  }
  const capabilities =
    (((bytes[4] as number) << 24) |
      ((bytes[5] as number) << 16) |
      ((bytes[6] as number) << 8) |
      (bytes[7] as number)) >>>
    0;
  return {
    version: bytes[0] as number,
    capabilities,
    publicKey: copyBytes(bytes, 8, 8 + KEY_LENGTH),
    signature: copyBytes(bytes, 8 + KEY_LENGTH, HANDSHAKE_LENGTH),
  };
}

/**
 * Accept or reject a peer's handshake: version must be 1; capabilities must contain all of ours
 * (d0beb18) or, with `exactCapabilities` ([HEAD] 957f517), equal ours; the signature must verify
 * over bytes 0..39. The three reserved bytes are not checked (the reference ignores them).
 */
export function checkHandshake(
  bytes: Uint8Array,
  crypto: Ed25519,
  ourCapabilities: number = D0BEB18_CAPABILITIES,
  exactCapabilities = false,
): Handshake | CodecError {
  const hs = decodeHandshake(bytes);
  if (hs instanceof CodecError) return hs;
  if (hs.version !== HANDSHAKE_VERSION) {
    return new CodecError('decode-error', `handshake version ${hs.version}, expected 1`);
  }
  const ours = ourCapabilities >>> 0;
  const ok = exactCapabilities ? hs.capabilities === ours : (hs.capabilities & ours) >>> 0 === ours;
  if (!ok) {
    return new CodecError(
      'decode-error',
      `handshake capabilities 0x${hs.capabilities.toString(16)} do not satisfy ours 0x${ours.toString(16)}`,
    );
  }
  if (!crypto.verify(hs.publicKey, bytes.subarray(0, 8 + KEY_LENGTH), hs.signature)) {
    return new CodecError('bad-signature', 'handshake signature does not verify');
  }
  return hs;
}
