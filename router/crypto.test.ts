import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Ed25519 } from './crypto.ts';
import { measureCrypto } from './crypto-bench.ts';
import { withVerificationCache } from './crypto-cache.ts';
import { createNobleEd25519 } from './crypto-noble.ts';
import { createNodeEd25519 } from './crypto-node.ts';
import { createTrustEd25519 } from './crypto-trust.ts';
import { toHex } from './keys.ts';

const node = createNodeEd25519();
const noble = createNobleEd25519();

test('crypto: keys of seeds 0x01 and 0x02 match PROTOCOL.md §3.9 (K1, K2) on both backends', () => {
  const K1 = '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';
  const K2 = '8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394';
  for (const backend of [node, noble]) {
    assert.equal(toHex(backend.publicKey(new Uint8Array(32).fill(1))), K1, backend.name);
    assert.equal(toHex(backend.publicKey(new Uint8Array(32).fill(2))), K2, backend.name);
  }
});

test('crypto: node and noble give identical keys and signatures and verify each other (property)', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.nat(),
      (seed, message, flip) => {
        const pk = node.publicKey(seed);
        assert.deepEqual(noble.publicKey(seed), pk);
        const sig = node.sign(seed, message);
        assert.equal(sig.length, 64);
        assert.deepEqual(noble.sign(seed, message), sig);
        assert.ok(node.verify(pk, message, sig));
        assert.ok(noble.verify(pk, message, sig));
        // One flipped bit in the signature, the message or the key is rejected by both.
        const badSig = sig.slice();
        badSig[flip % 64] = (badSig[flip % 64] as number) ^ (1 << (flip % 8));
        assert.equal(node.verify(pk, message, badSig), false);
        assert.equal(noble.verify(pk, message, badSig), false);
        if (message.length > 0) {
          const badMsg = message.slice();
          badMsg[flip % message.length] =
            (badMsg[flip % message.length] as number) ^ (1 << (flip % 8));
          assert.equal(node.verify(pk, badMsg, sig), false);
          assert.equal(noble.verify(pk, badMsg, sig), false);
        }
        const badKey = pk.slice();
        badKey[flip % 32] = (badKey[flip % 32] as number) ^ (1 << (flip % 8));
        assert.equal(node.verify(badKey, message, sig), false);
        assert.equal(noble.verify(badKey, message, sig), false);
      },
    ),
    { seed: 42, numRuns: 60 },
  );
});

test('crypto: garbage keys and signatures verify false and never throw', () => {
  const msg = new Uint8Array([1, 2, 3]);
  for (const b of [node, noble]) {
    assert.equal(b.verify(new Uint8Array(31), msg, new Uint8Array(64)), false);
    assert.equal(b.verify(new Uint8Array(32), msg, new Uint8Array(63)), false);
    assert.equal(b.verify(new Uint8Array(32).fill(0xff), msg, new Uint8Array(64)), false);
    assert.equal(b.verify(new Uint8Array(32), msg, new Uint8Array(64)), false);
  }
});

test('crypto: trust signs the real bytes but accepts anything', () => {
  const trust = createTrustEd25519(node);
  assert.equal(trust.name, 'trust');
  const seed = new Uint8Array(32).fill(7);
  assert.deepEqual(trust.sign(seed, Uint8Array.of(1)), node.sign(seed, Uint8Array.of(1)));
  assert.deepEqual(trust.publicKey(seed), node.publicKey(seed));
  assert.ok(trust.verify(new Uint8Array(32), Uint8Array.of(1), new Uint8Array(64)));
});

/** Counts inner verifications, to prove the cache answers repeats itself. */
function counting(inner: Ed25519): Ed25519 & { calls: number } {
  const c = {
    ...inner,
    calls: 0,
    verify: (k: Uint8Array, m: Uint8Array, s: Uint8Array) => {
      c.calls++;
      return inner.verify(k, m, s);
    },
  };
  return c;
}

test('crypto cache: repeats hit, forged messages and other keys miss, results stay correct', () => {
  const inner = counting(node);
  const cache = withVerificationCache(inner);
  const seed = new Uint8Array(32).fill(3);
  const pk = node.publicKey(seed);
  const msg = new Uint8Array([1, 2, 3, 4]);
  const sig = node.sign(seed, msg);
  assert.ok(cache.verify(pk, msg, sig));
  assert.ok(cache.verify(pk, msg.slice(), sig.slice()));
  assert.equal(cache.hits, 1);
  assert.equal(cache.misses, 1);
  // The same signature on a forged message must be checked for real, and fail.
  assert.equal(cache.verify(pk, Uint8Array.of(1, 2, 3, 5), sig), false);
  assert.equal(cache.verify(pk, Uint8Array.of(1, 2, 3), sig), false);
  assert.equal(cache.verify(node.publicKey(new Uint8Array(32).fill(4)), msg, sig), false);
  assert.equal(cache.misses, 4);
  // A cached failure stays a failure.
  assert.equal(cache.verify(pk, Uint8Array.of(1, 2, 3, 5), sig), false);
  assert.equal(cache.hits, 2);
  assert.equal(inner.calls, 4);
  // Malformed lengths bypass the cache (no ambiguous concatenations).
  assert.equal(cache.verify(pk, msg, sig.subarray(0, 63)), false);
  assert.equal(cache.name, 'node');
});

test('crypto cache: bounded, cleared when full, deterministic', () => {
  const inner = counting(node);
  const cache = withVerificationCache(inner, 2);
  const seed = new Uint8Array(32).fill(5);
  const pk = node.publicKey(seed);
  const msgs = [1, 2, 3].map((i) => Uint8Array.of(i));
  const sigs = msgs.map((m) => node.sign(seed, m));
  for (let i = 0; i < 3; i++)
    assert.ok(cache.verify(pk, msgs[i] as Uint8Array, sigs[i] as Uint8Array));
  // Full at the third insert: cleared, so only the third is cached now.
  assert.ok(cache.verify(pk, msgs[2] as Uint8Array, sigs[2] as Uint8Array));
  assert.ok(cache.verify(pk, msgs[0] as Uint8Array, sigs[0] as Uint8Array));
  assert.equal(cache.hits, 1);
  assert.equal(inner.calls, 4);
  assert.throws(() => withVerificationCache(node, 0), RangeError);
});

test('crypto: measureCrypto reports positive rates for a backend', () => {
  let t = 0;
  // A fake clock advancing 1 ms per reading makes the figure deterministic.
  const r = measureCrypto(node, () => (t += 1), 20);
  assert.equal(r.backend, 'node');
  assert.ok(r.signPerSecond > 0 && r.verifyPerSecond > 0);
});

test('crypto: every public key handed out is the caller’s own array', () => {
  // The node backend derives the key at each call rather than keeping a copy per seed: a caller
  // writing into its array must not change what the next caller gets.
  const K1 = '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';
  for (const backend of [createNodeEd25519(), noble, withVerificationCache(createNodeEd25519())]) {
    const seed = new Uint8Array(32).fill(1);
    const first = backend.publicKey(seed);
    first.fill(0);
    const second = backend.publicKey(seed);
    assert.notEqual(second, first, backend.name);
    assert.equal(toHex(second), K1, backend.name);
  }
});

test('crypto cache: a seed’s public key is derived once, for the identity and for signing', () => {
  // Every node derives its key (sim/identities.ts) and then signs with the same seed: one
  // derivation, kept in the seed's record, serves both.
  const inner = createNodeEd25519();
  let derived = 0;
  const cached = withVerificationCache({
    ...inner,
    publicKey: (seed) => {
      derived++;
      return inner.publicKey(seed);
    },
  });
  const seed = new Uint8Array(32).fill(3);
  const publicKey = cached.publicKey(seed);
  const again = cached.publicKey(seed);
  assert.notEqual(again, publicKey);
  assert.deepEqual(again, publicKey);
  const message = new Uint8Array([1, 2, 3]);
  const deferred = cached.signLater?.(seed, publicKey, message);
  assert.ok(deferred);
  assert.deepEqual(deferred.bytes(), inner.sign(seed, message));
  assert.ok(cached.verify(publicKey, message, deferred.bytes()));
  assert.equal(cached.signLater?.(seed, new Uint8Array(32), message), null);
  assert.equal(derived, 1);
});
