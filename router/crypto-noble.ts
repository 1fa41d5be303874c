/**
 * router/crypto-noble.ts — the @noble/ed25519 backend: pure JS, portable (the browser viewer uses
 * it), about 10× slower than node:crypto. Verification uses RFC 8032 rules (`zip215: false`), as
 * OpenSSL and Go's crypto/ed25519 do, so both backends accept exactly the same signatures;
 * noble's default ZIP-215 rules would accept some non-canonical encodings the reference rejects.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Ed25519 } from './crypto.ts';

// The sync API needs a sha512 hook (node_modules/@noble/ed25519/README.md).
ed.hashes.sha512 = sha512;

const STRICT = { zip215: false } as const;

export function createNobleEd25519(): Ed25519 {
  return {
    name: 'noble',
    publicKey(seed: Uint8Array): Uint8Array {
      return ed.getPublicKey(seed);
    },
    sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
      return ed.sign(message, seed);
    },
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        return ed.verify(signature, message, publicKey, STRICT);
      } catch {
        // noble throws on keys that are not curve points; garbage never throws across the router.
        return false;
      }
    },
  };
}
