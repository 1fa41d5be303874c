/**
 * router/crypto-trust.ts — the "insecure" verification mode (PROTOCOL.md §2): signs for real, so
 * the frames stay byte-identical to a secure run, but `verify` always says yes. Recorded in run
 * manifests as 'trust' so a result can never be mistaken for a verified one.
 */
import type { Ed25519 } from './crypto.ts';

export function createTrustEd25519(inner: Ed25519): Ed25519 {
  return {
    name: 'trust',
    publicKey: (seed) => inner.publicKey(seed),
    sign: (seed, message) => inner.sign(seed, message),
    verify: () => true,
    // Parse facts of the codecs (verification facts are moot: everything verifies).
    memo: new WeakMap<object, object>(),
  };
}
