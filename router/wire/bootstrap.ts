/**
 * router/wire/bootstrap.ts — the bootstrap payload (PROTOCOL.md §3.8).
 *
 * ```
 * bootstrap sequence (varu64) | root key (32) | root sequence (varu64) | signature (64)
 * ```
 * The signature is by the bootstrapping node (the frame's destination key) over everything before
 * it, the "protected payload" [types/virtualsnake.go: ProtectedPayload]. The frame keeps the payload
 * raw (router/types.ts BootstrapFrame), so verification needs no re-encoding: message = all but the
 * last 64 bytes. The watermark fields of the frame are not covered.
 */
import type { DeferredSignature, Ed25519 } from '../crypto.ts';
import { KEY_LENGTH, keysEqual } from '../keys.ts';
import type { Identity, PublicKey } from '../types.ts';
import { SIGNATURE_LENGTH, ZERO_SIGNATURE } from './announcement.ts';
import { copyBytes } from './bytes.ts';
import { CodecError } from './errors.ts';
import { readVarU64Number, varU64Error, varU64Length, writeVarU64 } from './varu64.ts';

/** The fields a payload's signature protects (the signature itself: bootstrapSignature). */
export interface BootstrapPayload {
  readonly seq: number;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;
}

/** The protected payload: varu64 seq ‖ root key ‖ varu64 root seq. */
export function bootstrapProtectedPayload(
  seq: number,
  rootKey: PublicKey,
  rootSeq: number,
): Uint8Array {
  const out = new Uint8Array(varU64Length(seq) + KEY_LENGTH + varU64Length(rootSeq));
  const p = writeVarU64(out, 0, seq);
  out.set(rootKey, p);
  writeVarU64(out, p + KEY_LENGTH, rootSeq);
  return out;
}

/**
 * The full payload, signed by `identity`. With identity or crypto null (signatures disabled, §2
 * PINECONE_DISABLE_SIGNATURES) the 64 signature bytes are zero but still present.
 *
 * When the backend can defer the signature (crypto.signLater: it vouches for the identity's key
 * pairing), it is made on first read, like announcement signatures (wire/announcement.ts
 * LazySignature): in object mode nobody reads an honest payload's signature bytes (receivers find
 * it verified in crypto.memo), yet bootstrap signing was ~10% of a geo:30000 run. Until then the
 * 64 bytes are zero, so every reader of payload bytes settles it first: settleBootstrapPayload
 * (encodeFrame does, for --wire-encode), and verification and bootstrapSignature here. RFC 8032
 * signing is deterministic (PROTOCOL.md §2): settled bytes are exactly the eager ones.
 */
export function buildBootstrapPayload(
  seq: number,
  rootKey: PublicKey,
  rootSeq: number,
  identity: Identity | null,
  crypto: Ed25519 | null,
): Uint8Array {
  const protectedLen = varU64Length(seq) + KEY_LENGTH + varU64Length(rootSeq);
  const out = new Uint8Array(protectedLen + SIGNATURE_LENGTH);
  const p = writeVarU64(out, 0, seq);
  out.set(rootKey, p);
  writeVarU64(out, p + KEY_LENGTH, rootSeq);
  if (identity === null || crypto === null) {
    out.set(ZERO_SIGNATURE, protectedLen);
    return out;
  }
  // Its parse is known: the fields just written, the caller's root key object among them. Every
  // router on the path compares that key with its own root's, which in a run is the same object,
  // so the comparison is one pointer test instead of 32 bytes of a fresh copy (the key byte loops
  // fell from 6% to 2% of a 20,000-node run's profile samples).
  const facts = factsOf(out, crypto.memo);
  facts.parsed = { seq, rootKey, rootSeq };
  // The message is final already: a view of it, not the payload object, so that the table of
  // unsettled payloads (weak in its keys) does not hold its own keys alive through its values.
  const deferred =
    crypto.signLater?.(identity.seed, identity.publicKey, out.subarray(0, protectedLen)) ?? null;
  if (deferred !== null) {
    unsettled.set(out, deferred);
    facts.signerKey = identity.publicKey;
    return out;
  }
  const signature = crypto.sign(identity.seed, out.subarray(0, protectedLen));
  out.set(signature, protectedLen);
  // Our own fresh signature under our own key (crypto.signedBy checks the pairing): receivers
  // need not hash it again.
  if (crypto.signedBy?.(identity.seed, identity.publicKey, signature))
    facts.signerKey = identity.publicKey;
  return out;
}

/**
 * Payloads built with their signature deferred, until settled. The one table of this module: a
 * payload's bytes must be final wherever they are read, and the encoder (wire/frame.ts
 * encodeFrame, called by hosts that have no backend at hand) knows only the payload. Keyed weakly
 * by payload arrays, which belong to the run that built them, so nothing passes between runs.
 */
const unsettled = new WeakMap<Uint8Array, DeferredSignature>();

/**
 * Make the deferred signature of a payload from buildBootstrapPayload, if it has one, and return
 * the payload: after this its bytes are final. Call it before reading a bootstrap or wakeup
 * payload's bytes (a no-op for any other array).
 */
export function settleBootstrapPayload(payload: Uint8Array): Uint8Array {
  const deferred = unsettled.get(payload);
  if (deferred !== undefined) {
    unsettled.delete(payload);
    payload.set(deferred.bytes(), payload.length - SIGNATURE_LENGTH);
  }
  return payload;
}

/** The payload's 64-byte signature (a copy), settled first. */
export function bootstrapSignature(payload: Uint8Array): Uint8Array {
  settleBootstrapPayload(payload);
  return payload.slice(payload.length - SIGNATURE_LENGTH);
}

/**
 * What a run knows about one payload array (kept in the backend's per-run memo, Ed25519.memo): a
 * bootstrap's payload travels unchanged (frames are immutable, router/types.ts) through every hop
 * of its SNEK path, and each hop parsed it (a copy of the root key) and hashed it for the
 * verification cache.
 */
interface PayloadFacts {
  /** Its parse, once made. */
  parsed: BootstrapPayload | null;
  /** The key its signature verified under with the memo's backend (or that backend made it). */
  signerKey: PublicKey | null;
}

const NO_FACTS: PayloadFacts = Object.freeze({ parsed: null, signerKey: null }) as PayloadFacts;

/** The facts record of `payload` in `memo`, made when missing (a scratch one without a memo). */
function factsOf(payload: Uint8Array, memo: WeakMap<object, object> | undefined): PayloadFacts {
  if (memo === undefined) return { parsed: null, signerKey: null };
  let facts = memo.get(payload) as PayloadFacts | undefined;
  if (facts === undefined) {
    facts = { parsed: null, signerKey: null };
    memo.set(payload, facts);
  }
  return facts;
}

/**
 * Parse a payload; it must be exactly seq | root key | root seq | signature. (The reference ignores
 * trailing bytes here; we reject them so that "message = all but the last 64 bytes" is the
 * protected payload the sender signed — a deliberate strictness, listed in the codec report.)
 * With a `memo` (the run's backend's, Ed25519.memo) a payload is parsed once per run.
 */
export function readBootstrapPayload(
  payload: Uint8Array,
  memo?: WeakMap<object, object>,
): BootstrapPayload | CodecError {
  const known = memo === undefined ? NO_FACTS : ((memo.get(payload) as PayloadFacts) ?? NO_FACTS);
  if (known.parsed !== null) return known.parsed;
  const parsed = parseBootstrapPayload(payload);
  if (memo !== undefined && !(parsed instanceof CodecError)) factsOf(payload, memo).parsed = parsed;
  return parsed;
}

function parseBootstrapPayload(payload: Uint8Array): BootstrapPayload | CodecError {
  const end = payload.length;
  const cursor = { pos: 0 };
  const seq = readVarU64Number(payload, cursor, end);
  if (seq < 0) return varU64Error(seq, 'bootstrap sequence', 0);
  const k = cursor.pos;
  if (end - k < KEY_LENGTH + 1) {
    return new CodecError('decode-error', 'bootstrap payload: truncated root key');
  }
  const rootKey = copyBytes(payload, k, k + KEY_LENGTH);
  cursor.pos = k + KEY_LENGTH;
  const rootSeq = readVarU64Number(payload, cursor, end);
  if (rootSeq < 0) return varU64Error(rootSeq, 'bootstrap root sequence', k + KEY_LENGTH);
  const s = cursor.pos;
  if (end - s !== SIGNATURE_LENGTH) {
    return new CodecError(
      'decode-error',
      `bootstrap payload: ${end - s} bytes after the root sequence, expected a 64-byte signature`,
    );
  }
  return { seq, rootKey, rootSeq };
}

/** True when the last 64 bytes are `signerKey`'s signature over everything before them. */
export function verifyBootstrapPayload(
  payload: Uint8Array,
  signerKey: PublicKey,
  crypto: Ed25519,
): boolean {
  if (payload.length < SIGNATURE_LENGTH) return false;
  const memo = crypto.memo;
  const known = memo === undefined ? undefined : (memo.get(payload) as PayloadFacts | undefined);
  if (known?.signerKey != null && keysEqual(known.signerKey, signerKey)) return true;
  settleBootstrapPayload(payload);
  const m = payload.length - SIGNATURE_LENGTH;
  if (!crypto.verify(signerKey, payload.subarray(0, m), payload.subarray(m))) return false;
  if (memo !== undefined) factsOf(payload, memo).signerKey = signerKey;
  return true;
}
