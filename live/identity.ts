/**
 * live/identity.ts — a live node's ed25519 identity: from --key-seed HEX (32 bytes), or from
 * --key-file FILE (the seed as 64 hex digits; generated from the OS's randomness and saved with
 * mode 0600 when the file does not exist yet), else a fresh random one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../base/index.ts';
import type { Ed25519 } from '../router/crypto.ts';
import { fromHex } from '../router/keys.ts';
import type { Identity } from '../router/types.ts';

function seedOf(hex: string, where: string): Uint8Array {
  const seed = fromHex(hex.trim());
  if (seed === null || seed.length !== 32) {
    throw new InputError(`${where}: expected a 32-byte ed25519 seed as 64 hex digits`);
  }
  return seed;
}

export function loadIdentity(
  crypto: Ed25519,
  keySeed: string | undefined,
  keyFile: string | undefined,
): { identity: Identity; source: string } {
  if (keySeed !== undefined && keyFile !== undefined) {
    throw new InputError('--key-seed and --key-file: give one of them, not both');
  }
  let seed: Uint8Array;
  let source: string;
  if (keySeed !== undefined) {
    seed = seedOf(keySeed, '--key-seed');
    source = 'key-seed';
  } else if (keyFile !== undefined) {
    if (existsSync(keyFile)) {
      let text: string;
      try {
        text = readFileSync(keyFile, 'utf8').slice(0, 1000);
      } catch (error) {
        throw new InputError(`--key-file ${keyFile}: cannot read it (${(error as Error).message})`);
      }
      seed = seedOf(text, `--key-file ${keyFile}`);
      source = `key-file ${keyFile}`;
    } else {
      seed = new Uint8Array(randomBytes(32));
      try {
        writeFileSync(keyFile, `${Buffer.from(seed).toString('hex')}\n`, {
          mode: 0o600,
          flag: 'wx',
        });
      } catch (error) {
        throw new InputError(
          `--key-file ${keyFile}: cannot create it (${(error as Error).message})`,
        );
      }
      source = `key-file ${keyFile} (generated)`;
    }
  } else {
    seed = new Uint8Array(randomBytes(32));
    source = 'random (not saved)';
  }
  return { identity: { seed, publicKey: crypto.publicKey(seed) }, source };
}
