/**
 * router/crypto.ts — the ed25519 interface the router signs and verifies through.
 *
 * Backends (router/crypto-node.ts: node:crypto, the fast default; router/crypto-noble.ts:
 * @noble/ed25519, portable and used by the browser) must give byte-identical signatures (RFC 8032
 * is deterministic). `trust` skips verification (PROTOCOL.md §2, "insecure" option) and says so.
 */

/** What a deferred signature signs, asked for once, when the signature is first read. */
export interface SignedMessage {
  message(): Uint8Array;
}

/** A signature made when first read (Ed25519.signLater). */
export interface DeferredSignature {
  /** The 64 signature bytes: made on the first call, the same array after. */
  bytes(): Uint8Array;
}

export interface Ed25519 {
  /** Backend name recorded in run manifests: 'node' | 'noble' | 'trust'. */
  readonly name: string;
  /** The 32-byte public key of a 32-byte seed. */
  publicKey(seed: Uint8Array): Uint8Array;
  /** 64-byte RFC 8032 signature of `message` by the key of `seed`. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** True when `signature` is `publicKey`'s valid signature over `message`. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Optional (router/crypto-cache.ts): true when this backend's last sign() with `seed` returned
   * `signature` and `publicKey` is the key of `seed`, i.e. verify(publicKey, message, signature)
   * is known to be true for the message just signed. Lets codecs record their own signatures as
   * verified without trusting a caller-supplied key/seed pairing.
   */
  signedBy?(seed: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Optional (router/crypto-cache.ts): when `publicKey` is the key of `seed`, the signature of
   * `source` (the message, or what makes it: source.message()) by it, made only when something first reads it (RFC 8032 signing is
   * deterministic, PROTOCOL.md §2: the same bytes as signing now); else null. The backend keeps
   * the seed (its own copy, so a caller cannot change it meanwhile); the codecs that defer a
   * signature nobody may ever read (wire/announcement.ts, wire/bootstrap.ts) hold only this.
   * Such a signature verifies under `publicKey` (RFC 8032 §5.1.7), so the codecs may record it
   * as verified at once.
   */
  signLater?(
    seed: Uint8Array,
    publicKey: Uint8Array,
    source: Uint8Array | SignedMessage,
  ): DeferredSignature | null;
  /**
   * Optional: facts the codecs established under this backend about immutable objects (an
   * announcement entry verified, a bootstrap payload parsed and verified), kept for the run that
   * owns the backend (one per run: run/execute.ts createCrypto), never between runs.
   * Weak: a fact goes with its object.
   */
  readonly memo?: WeakMap<object, object>;
}
