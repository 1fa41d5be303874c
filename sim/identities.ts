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

  identity(nodeName: string): Identity {
    const seed = this.explicit.get(nodeName) ?? deriveNodeSeed(this.runSeed, nodeName);
    return { seed, publicKey: this.crypto.publicKey(seed) };
  }
}

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
