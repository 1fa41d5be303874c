/**
 * router/crypto-cache.ts — a verification cache shared by all routers of a run.
 *
 * PROTOCOL.md §9.1 item 8: every node re-verifies every hop of every announcement it receives, and
 * every bootstrap at every hop, although the same (key, message, signature) triples recur across
 * the network. Verifying each distinct triple once per run is safe because ed25519 verification is
 * a pure function of the triple.
 *
 * Cache key: SHA-256(signature ‖ public key ‖ message), kept as a 32-char string. Binding the key
 * and the whole message means a reused signature on a forged message (or under another key) is a
 * miss and gets verified for real; a false hit would need a SHA-256 collision. Hashing costs
 * ~2 µs for a bootstrap and ~8 µs for a 1.5 kB announcement against ~67 µs for a node-backend
 * verification (~0.9 ms for noble). Memory is bounded by `maxEntries` (≈ 100 bytes per entry);
 * when full the cache is cleared, which is deterministic (depends only on the call sequence).
 *
 * Signing (measured on fc00: signing was 16% and verification misses 20% of the run):
 * - Memo: RFC 8032 signing is deterministic (PROTOCOL.md §2), so the same message by the same seed
 *   always gives the same 64 bytes. "Announce to all" (§5.3) signs one identical message per peer
 *   (an entry's own port is covered only by the next signer, §3.7), so each seed remembers its
 *   last (message → signature) and answers a byte-equal repeat without signing.
 * - Provenance: a signature this backend just made verifies under the signer's key (RFC 8032
 *   §5.1.7 accepts every honestly generated signature; crypto.test.ts checks it on both backends),
 *   so the triple is entered as valid at once. Honest frames then never pay a real verification;
 *   anything altered or forged is still a miss and is verified for real.
 * - Memory: in object mode no receiver ever asks for a triple this backend signed (the codecs
 *   record their own signatures as verified per object, in `memo`), so entering every signature in
 *   the main cache only grew it: ~3.6 KB of heap per node at 10,000 nodes. Signed triples now go to a small separate cache
 *   (`recentSigned`, cleared when full) that serves --wire-encode runs, where the neighbours
 *   verify a fresh signature within a link latency; an older one is verified for real once and
 *   then answered by the main cache.
 * - Deferral: `signLater` answers with a signature made on first read when the seed's key is the
 *   one the codecs sign for, so they can record their entries as verified now and the signature
 *   is made only when something reads it (wire/announcement.ts LazySignature, wire/bootstrap.ts
 *   settleBootstrapPayload); in object mode that is never, for honest frames. The seed stays here
 *   (this cache's own copy): the codecs hold signatures, never seeds.
 * - Memo: the codecs' per-object facts (`memo`, see Ed25519.memo) live here too, so everything a
 *   run learns about its frames goes with the run's backend.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { DeferredSignature, Ed25519, SignedMessage } from './crypto.ts';

export type CachedEd25519 = Ed25519 & {
  /** Verifications answered from the cache. */
  hits: number;
  /** Verifications passed to the inner backend. */
  misses: number;
  /** Signatures answered from the per-seed memo (byte-equal repeat of the seed's last message). */
  signHits: number;
  /** Signatures made by the inner backend. */
  signs: number;
};

/**
 * One seed's record: its own copy of the seed and the seed's public key (derived once), in one
 * 64-byte array (seed | public key), and its last signature with the message signed (null before
 * the first). Serves publicKey, the sign memo, signedBy and signLater. One array rather than two:
 * each Uint8Array costs ~200 B of heap however short, and every node of a run has a record.
 */
interface SeedRecord {
  readonly pair: Uint8Array;
  message: Uint8Array | null;
  signature: Uint8Array | null;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `b` (32 bytes) equals the record's seed (half 0) or public key (half 1). */
function halfEquals(record: SeedRecord, half: 0 | 1, b: Uint8Array): boolean {
  if (b.length !== 32) return false;
  const pair = record.pair;
  const at = half * 32;
  for (let i = 0; i < 32; i++) if (pair[at + i] !== b[i]) return false;
  return true;
}

/** Signs `message` with the record's seed (the backend's memo and bookkeeping included). */
type SignWith = (record: SeedRecord, message: Uint8Array) => Uint8Array;

/** A signature by a SeedRecord's seed (its own copy) over `source`, made on first read. */
class Deferred implements DeferredSignature {
  private signWith: SignWith | null;
  private record: SeedRecord | null;
  private source: Uint8Array | SignedMessage | null;
  private signature: Uint8Array | null = null;

  constructor(signWith: SignWith, record: SeedRecord, source: Uint8Array | SignedMessage) {
    this.signWith = signWith;
    this.record = record;
    this.source = source;
  }

  bytes(): Uint8Array {
    if (this.signature === null) {
      const source = this.source as Uint8Array | SignedMessage;
      const message = source instanceof Uint8Array ? source : source.message();
      this.signature = (this.signWith as SignWith)(this.record as SeedRecord, message);
      // What the signature was made from is no longer needed.
      this.signWith = null;
      this.record = null;
      this.source = null;
    }
    return this.signature;
  }
}

function digestKey(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): string {
  const d = sha256.create().update(signature).update(publicKey).update(message).digest();
  // 32 code units < 256: an injective string form of the digest, cheap to hash as a Map key.
  return String.fromCharCode.apply(null, d as unknown as number[]);
}

export function withVerificationCache(
  inner: Ed25519,
  maxEntries = 1 << 20,
  recentSigned = 1 << 15,
): CachedEd25519 {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(
      `withVerificationCache: maxEntries must be a positive integer, got ${maxEntries}`,
    );
  }
  if (!Number.isInteger(recentSigned) || recentSigned < 1) {
    throw new RangeError(
      `withVerificationCache: recentSigned must be a positive integer, got ${recentSigned}`,
    );
  }
  const results = new Map<string, boolean>();
  const recent = new Set<string>();
  // Keyed by the seed object (a router signs with its identity's one seed array for its lifetime;
  // deferred signatures hold their record). The bytes are checked too: a caller that refills its
  // seed array gets a fresh record.
  const records = new WeakMap<Uint8Array, SeedRecord>();
  const recordFor = (seed: Uint8Array): SeedRecord => {
    let record = records.get(seed);
    if (record === undefined || !halfEquals(record, 0, seed)) {
      const publicKey = inner.publicKey(seed);
      const pair = new Uint8Array(64);
      pair.set(seed.subarray(0, 32));
      if (publicKey.length === 32) pair.set(publicKey, 32);
      record = { pair, message: null, signature: null };
      records.set(seed, record);
    }
    return record;
  };
  // The one signing path: sign() with the caller's seed and deferred signatures with the record's
  // copy (signing with the record's bytes is signing with the seed as it was, whatever the caller
  // does with its array later).
  const signWith = (record: SeedRecord, seed: Uint8Array, message: Uint8Array): Uint8Array => {
    if (record.message !== null && bytesEqual(record.message, message)) {
      cached.signHits++;
      return record.signature as Uint8Array;
    }
    const signature = inner.sign(seed, message);
    cached.signs++;
    // Copied: callers may reuse or fill the buffer they signed from (bootstrap payloads do).
    record.message = message.slice();
    record.signature = signature;
    if (signature.length === 64) {
      if (recent.size >= recentSigned) recent.clear();
      recent.add(digestKey(record.pair.subarray(32), message, signature));
    }
    return signature;
  };
  const signDeferred: SignWith = (record, message) =>
    signWith(record, record.pair.subarray(0, 32), message);
  const cached: CachedEd25519 = {
    name: inner.name,
    hits: 0,
    misses: 0,
    signHits: 0,
    signs: 0,
    // From the seed's record (derived once per seed: a node's identity and its signing share
    // one derivation); a copy, so callers own the array they get.
    publicKey: (seed) =>
      seed.length === 32 ? recordFor(seed).pair.slice(32) : inner.publicKey(seed),
    sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
      if (seed.length !== 32) return inner.sign(seed, message);
      return signWith(recordFor(seed), seed, message);
    },
    signedBy(seed: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean {
      const record = records.get(seed);
      return (
        record !== undefined &&
        record.signature === signature &&
        halfEquals(record, 0, seed) &&
        halfEquals(record, 1, publicKey)
      );
    },
    signLater(
      seed: Uint8Array,
      publicKey: Uint8Array,
      source: Uint8Array | SignedMessage,
    ): DeferredSignature | null {
      if (seed.length !== 32) return null;
      const record = recordFor(seed);
      return halfEquals(record, 1, publicKey) ? new Deferred(signDeferred, record, source) : null;
    },
    memo: new WeakMap<object, object>(),
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      // Fixed lengths keep the concatenation unambiguous; anything else is invalid anyway.
      if (publicKey.length !== 32 || signature.length !== 64)
        return inner.verify(publicKey, message, signature);
      const id = digestKey(publicKey, message, signature);
      const known = results.get(id);
      if (known !== undefined) {
        cached.hits++;
        return known;
      }
      if (recent.has(id)) {
        cached.hits++;
        return true;
      }
      cached.misses++;
      const ok = inner.verify(publicKey, message, signature);
      if (results.size >= maxEntries) results.clear();
      results.set(id, ok);
      return ok;
    },
  };
  return cached;
}
