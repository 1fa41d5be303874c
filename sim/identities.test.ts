import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { InputError } from '../base/index.ts';
import { createNobleEd25519 } from '../router/crypto-noble.ts';
import { toHex } from '../router/keys.ts';
import { deriveNodeSeed, IdentitySource, parseKeysFile } from './identities.ts';

test('seed = sha256("pinelab/node-key\\0" + runSeed + "\\0" + name)', () => {
  const expected = sha256(new TextEncoder().encode('pinelab/node-key\u00001\u0000alice'));
  assert.equal(toHex(deriveNodeSeed('1', 'alice')), toHex(expected));
  assert.notEqual(toHex(deriveNodeSeed('2', 'alice')), toHex(expected));
  assert.notEqual(toHex(deriveNodeSeed('1', 'bob')), toHex(expected));
});

test('explicit keys override derivation; public keys come from the backend', () => {
  const crypto = createNobleEd25519();
  const seed = new Uint8Array(32).fill(1);
  const ids = new IdentitySource('9', crypto, new Map([['a', seed]]));
  const a = ids.identity('a');
  assert.equal(toHex(a.seed), toHex(seed));
  assert.equal(toHex(a.publicKey), toHex(crypto.publicKey(seed)));
  const b = ids.identity('b');
  assert.equal(toHex(b.seed), toHex(deriveNodeSeed('9', 'b')));
  assert.equal(b.publicKey.length, 32);
});

test('identities kept in shared buffers keep their own bytes, across buffers', () => {
  const crypto = createNobleEd25519();
  const ids = new IdentitySource('7', crypto);
  // More than a buffer's 1,024 identities, each checked after all are made (no overlap).
  const names = Array.from({ length: 1100 }, (_, i) => `n${i}`);
  const made = names.map((n) => ids.identity(n));
  for (const i of [0, 1, 1023, 1024, 1099]) {
    const seed = deriveNodeSeed('7', names[i] as string);
    assert.equal(toHex(made[i]!.seed), toHex(seed));
    assert.equal(toHex(made[i]!.publicKey), toHex(crypto.publicKey(seed)));
  }
  assert.equal(new Set(made.map((m) => toHex(m.publicKey))).size, names.length);
});

test('keys files: valid entries parse, bad ones name file, line and entry', () => {
  const good = parseKeysFile(`{\n  "a": "${'01'.repeat(32)}"\n}`, 'k.json');
  assert.equal(toHex(good.get('a')!), '01'.repeat(32));
  const check = (text: string, pattern: RegExp): void => {
    assert.throws(
      () => parseKeysFile(text, 'k.json'),
      (e: unknown) => e instanceof InputError && pattern.test(e.message),
    );
  };
  check(
    `{\n  "a": "${'01'.repeat(32)}",\n  "bad": "xyz"\n}`,
    /^k\.json:3: key of node "bad".*64 hex/,
  );
  check(`{\n  "b": "${'zz'.repeat(32)}"\n}`, /^k\.json:2: key of node "b".*not hexadecimal/);
  check('[1, 2]', /^k\.json:1: expected a JSON object/);
  check('{\n "a": \n', /^k\.json(:\d+)?: not valid JSON/);
});
