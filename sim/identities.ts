/**
 * sim/identities.ts — node identities: a 32-byte ed25519 seed per node, derived from the run seed
 * and the node's name, or given explicitly with `--keys FILE`.
 *
 * Derivation: seed = sha256("pinelab/node-key\0" + runSeed + "\0" + nodeName). Deterministic, so
 * the same run seed names the same keys on every machine and in every run; a different run seed
 * reshuffles the key order (and with it the root and the snake).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InputError, locate } from '../base/index.ts';
import type { Ed25519 } from '../router/crypto.ts';
import { fromHex } from '../router/keys.ts';
import type { Identity } from '../router/types.ts';
import { readCapped } from './read-file.ts';

/** The 32-byte seed of `nodeName` in a run with seed `runSeed`. */
export function deriveNodeSeed(runSeed: string, nodeName: string): Uint8Array {
  return sha256(utf8ToBytes(`pinelab/node-key\0${runSeed}\0${nodeName}`));
}

/** Identities for a run: explicit seeds first (--keys), else derived; public keys via `crypto`. */
export class IdentitySource {
  private readonly runSeed: string;
  private readonly crypto: Ed25519;
  private readonly explicit: ReadonlyMap<string, Uint8Array>;

  constructor(
    runSeed: string,
    crypto: Ed25519,
    explicit: ReadonlyMap<string, Uint8Array> = new Map(),
  ) {
    this.runSeed = runSeed;
    this.crypto = crypto;
    this.explicit = explicit;
  }

  /** Where identities' bytes are kept (see identity), and how much of it is used. */
  private slab: Uint8Array = new Uint8Array(0);
  private used = 0;

  identity(nodeName: string): Identity {
    const given = this.explicit.get(nodeName) ?? deriveNodeSeed(this.runSeed, nodeName);
    // The seed and the public key are views into one shared buffer, 64 bytes an identity: a
    // Uint8Array of its own is ~240 B of heap for 32 bytes (the array, an ArrayBuffer, its
    // backing store), a view ~100 B less, and every node keeps both. The seed is copied before
    // the key is derived from it, as a crypto backend may remember the seed object it saw.
    if (this.used === this.slab.length) {
      this.slab = new Uint8Array(IDENTITY_BYTES * IDENTITIES_PER_SLAB);
      this.used = 0;
    }
    const at = this.used;
    this.used += IDENTITY_BYTES;
    const seed = this.slab.subarray(at, at + 32);
    seed.set(given);
    const derived = this.crypto.publicKey(seed);
    if (derived.length !== 32) return { seed, publicKey: derived };
    const publicKey = this.slab.subarray(at + 32, at + 64);
    publicKey.set(derived);
    return { seed, publicKey };
  }
}

/** Bytes of an identity in IdentitySource's buffers (its seed, then its public key). */
const IDENTITY_BYTES = 64;
/** Identities per buffer: 64 KiB each. */
const IDENTITIES_PER_SLAB = 1024;

/** 1-based line of character offset `at`. */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** 1-based line of the first occurrence of `needle` in `text`, or undefined. */
function lineOf(text: string, needle: string): number | undefined {
  const at = text.indexOf(needle);
  return at < 0 ? undefined : lineAt(text, at);
}

/**
 * Parse a keys file: a JSON object mapping node name → 64 hex digits (the 32-byte ed25519 seed).
 * `file` names the source in error messages.
 */
export function parseKeysFile(text: string, file: string): Map<string, Uint8Array> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position?.[1] === undefined ? undefined : lineAt(text, Number(position[1]));
    throw new InputError(
      locate(
        file,
        line,
        `not valid JSON (${message}); expected an object {"node name": "64 hex digits", …}`,
      ),
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      locate(
        file,
        1,
        'expected a JSON object {"node name": "64 hex digits (the 32-byte ed25519 seed)", …}',
      ),
    );
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, hex] of Object.entries(value as Record<string, unknown>)) {
    const line = lineOf(text, JSON.stringify(name));
    if (typeof hex !== 'string' || hex.length !== 64) {
      throw new InputError(
        locate(
          file,
          line,
          `key of node ${JSON.stringify(name)}: expected a string of 64 hex digits (32-byte seed), got ${JSON.stringify(hex)}`,
        ),
      );
    }
    const bytes = fromHex(hex);
    if (bytes === null) {
      throw new InputError(
        locate(
          file,
          line,
          `key of node ${JSON.stringify(name)}: ${JSON.stringify(hex)} is not hexadecimal`,
        ),
      );
    }
    out.set(name, bytes);
  }
  return out;
}

/** A keys file holds ~80 bytes per node: this is millions of nodes, the same cap as topologies. */
const MAX_KEYS_BYTES = 512 * 1024 * 1024;

export function loadKeysFile(path: string): Map<string, Uint8Array> {
  // Devices refused and the cap counted while reading (/dev/zero never ends).
  const text = readCapped(path, MAX_KEYS_BYTES, 'a keys file').toString('utf8');
  return parseKeysFile(text, path);
}
