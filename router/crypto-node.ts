/**
 * router/crypto-node.ts — the node:crypto ed25519 backend (OpenSSL), the fast default.
 *
 * The ONLY file in router/ that imports node:* (it is injected by the host, never imported by the
 * router proper). Raw 32-byte seeds and keys become KeyObjects through fixed DER prefixes (PKCS#8
 * for private, SPKI for public); KeyObjects are cached per key because creating one costs about as
 * much as a verification. RFC 8032 signing is deterministic, so the bytes equal @noble/ed25519's
 * and the Go reference's (PROTOCOL.md §2).
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import type { Ed25519 } from './crypto.ts';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Bound on each KeyObject cache (cleared when full: deterministic and cheap to refill). */
const MAX_CACHED_KEYS = 1 << 18;

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function createNodeEd25519(): Ed25519 {
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject | null>();

  function privateKey(seed: Uint8Array): KeyObject {
    if (seed.length !== 32)
      throw new RangeError(`ed25519 seed is ${seed.length} bytes, expected 32`);
    const id = view(seed).toString('hex');
    let key = privateKeys.get(id);
    if (key === undefined) {
      key = createPrivateKey({
        key: Buffer.concat([PKCS8_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      });
      if (privateKeys.size >= MAX_CACHED_KEYS) privateKeys.clear();
      privateKeys.set(id, key);
    }
    return key;
  }

  /** null for a key OpenSSL refuses (not a point): it verifies nothing. */
  function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
    const id = view(publicKey).toString('hex');
    let key = publicKeys.get(id);
    if (key === undefined) {
      try {
        key = createPublicKey({
          key: Buffer.concat([SPKI_PREFIX, publicKey]),
          format: 'der',
          type: 'spki',
        });
      } catch {
        key = null;
      }
      if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
      publicKeys.set(id, key);
    }
    return key;
  }

  return {
    name: 'node',
    publicKey(seed: Uint8Array): Uint8Array {
      const der = createPublicKey(privateKey(seed)).export({ format: 'der', type: 'spki' });
      return new Uint8Array(der.subarray(der.length - 32));
    },
    sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
      // Copy out of Buffer's shared pool so a kept signature does not pin an 8 KiB slab.
      return new Uint8Array(nodeSign(null, message, privateKey(seed)));
    },
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      const key = publicKeyObject(publicKey);
      if (key === null) return false;
      try {
        return nodeVerify(null, message, key, signature);
      } catch {
        return false;
      }
    },
  };
}
