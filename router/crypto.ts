/**
 * router/crypto.ts — the ed25519 interface the router signs and verifies through.
 *
 * Backends (router/crypto-node.ts: node:crypto, the fast default; router/crypto-noble.ts:
 * @noble/ed25519, portable and used by the browser) must give byte-identical signatures (RFC 8032
 * is deterministic). `trust` skips verification (PROTOCOL.md §2, "insecure" option) and says so.
 */

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
   * verified (issue 7) without trusting a caller-supplied key/seed pairing.
   */
  signedBy?(seed: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Optional (router/crypto-cache.ts): when `publicKey` is the key of `seed`, the backend's own
   * unchanging copy of `seed` (the same object while the seed's bytes stay the same), else null.
   * Any signature this backend makes with it verifies under `publicKey` (RFC 8032 §5.1.7). Lets
   * codecs defer a signature nobody may ever read (wire/announcement.ts LazySignature, issue 7),
   * record it as verified now, and make it later from bytes the caller cannot change meanwhile.
   */
  vouchedSeed?(seed: Uint8Array, publicKey: Uint8Array): Uint8Array | null;
}
