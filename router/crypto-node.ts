/**
 * router/crypto-node.ts — the node:crypto ed25519 backend (OpenSSL), the fast default.
 *
 * The ONLY file in router/ that imports node:* (it is injected by the host, never imported by the
 * router proper). Raw 32-byte seeds and keys become KeyObjects through fixed DER prefixes (PKCS#8
 * for private, SPKI for public); KeyObjects are cached per key because creating one costs about as
 * much as a verification. RFC 8032 signing is deterministic, so the bytes equal @noble/ed25519's
 * and the Go reference's (PROTOCOL.md §2).
 *
 * Private keys are imported as JWK {d} rather than PKCS#8 DER: OpenSSL 3's DER decoder
 * costs ~0.6–1 ms per key (7% of an fc00 run, minutes at 100k nodes), the JWK import ~55 µs, and
 * the public key then comes from the JWK export (~4 µs) instead of an SPKI round trip (~130 µs).
 * Node derives the key from `d` alone (the `x` we pass is a placeholder); a self-check at start-up
 * against the DER path, and a DER fallback per key if the JWK import throws, keep this safe on a
 * Node version that would validate `x`.
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

const JWK_X_PLACEHOLDER = Buffer.alloc(32).toString('base64url');

function importDer(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

function importJwk(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: view(seed).toString('base64url'), x: JWK_X_PLACEHOLDER },
    format: 'jwk',
  });
}

/** The public key of a private KeyObject, from its JWK `x` (derived from `d` by OpenSSL). */
function jwkPublicKey(key: KeyObject): Uint8Array {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('ed25519: JWK export has no x');
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

function derPublicKey(key: KeyObject): Uint8Array {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** True when the fast JWK import gives the same key pair as the DER path on this Node/OpenSSL. */
function jwkImportAgrees(): boolean {
  try {
    const seed = new Uint8Array(32).fill(1);
    const a = importJwk(seed);
    const b = importDer(seed);
    const msg = Buffer.from('pinelab jwk self-check');
    return (
      Buffer.from(jwkPublicKey(a)).equals(Buffer.from(derPublicKey(b))) &&
      nodeSign(null, msg, a).equals(nodeSign(null, msg, b))
    );
  } catch {
    return false;
  }
}

export function createNodeEd25519(): Ed25519 {
  // Checked per backend (one key import and two signatures, well under a millisecond), so no
  // answer is kept in the module between backends.
  const useJwk = jwkImportAgrees();
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject | null>();

  function importPrivate(seed: Uint8Array): KeyObject {
    if (seed.length !== 32)
      throw new RangeError(`ed25519 seed is ${seed.length} bytes, expected 32`);
    let imported: KeyObject | null = null;
    if (useJwk) {
      try {
        imported = importJwk(seed);
      } catch {
        imported = null;
      }
    }
    return imported ?? importDer(seed);
  }

  /** The seed's KeyObject for signing, kept per seed (an import costs about a verification). */
  function privateKey(seed: Uint8Array): KeyObject {
    const id = view(seed).toString('hex');
    let key = privateKeys.get(id);
    if (key === undefined) {
      key = importPrivate(seed);
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
      // Derived at each call and nothing kept for it: a run derives each node's key once
      // (crypto-cache.ts keeps it in the seed's record), and in object mode a node never signs
      // (signatures are made on first read), so a KeyObject and a key copy kept per seed were
      // ~0.5 KB of heap per node for nothing. A seed that signs keeps its KeyObject (privateKey).
      const id = view(seed).toString('hex');
      const key = privateKeys.get(id) ?? importPrivate(seed);
      return useJwk ? jwkPublicKey(key) : derPublicKey(key);
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
