import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareKeys, fromHex, keyPrefix, toHex } from './keys.ts';

test('keys: toHex is lower-case hex of every byte, any length (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const hex = toHex(bytes);
      assert.equal(hex, Buffer.from(bytes).toString('hex'));
      assert.deepEqual(fromHex(hex), bytes);
    }),
    { seed: 42, numRuns: 500 },
  );
});

test('keys: toHex of a 32-byte key after a longer and a shorter input', () => {
  // The 32-byte path reuses one code array: lengths must not leak from call to call.
  const key = new Uint8Array(32).map((_, i) => i * 7);
  toHex(new Uint8Array(31).fill(0xab));
  toHex(new Uint8Array(3));
  assert.equal(toHex(key), Buffer.from(key).toString('hex'));
  assert.equal(toHex(new Uint8Array(0)), '');
});

test('keys: keyPrefix is the first 6 bytes and orders keys like compareKeys where it differs (property)', () => {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
  // Small byte alphabet so that equal prefixes (the fall-back case) occur often.
  const near = fc.array(fc.constantFrom(0, 0xff), { minLength: 32, maxLength: 32 });
  fc.assert(
    fc.property(
      fc.oneof(
        key,
        near.map((a) => Uint8Array.from(a)),
      ),
      fc.oneof(
        key,
        near.map((a) => Uint8Array.from(a)),
      ),
      (a, b) => {
        const pa = keyPrefix(a);
        const pb = keyPrefix(b);
        assert.equal(pa, Number.parseInt(Buffer.from(a.subarray(0, 6)).toString('hex'), 16));
        assert.ok(Number.isSafeInteger(pa) && pa >= 0 && pa < 2 ** 48);
        if (pa !== pb) assert.equal(Math.sign(pa - pb), Math.sign(compareKeys(a, b)));
        else assert.deepEqual(a.subarray(0, 6), b.subarray(0, 6));
      },
    ),
    { seed: 7, numRuns: 2000 },
  );
  assert.equal(keyPrefix(new Uint8Array(32).fill(0xff)), 2 ** 48 - 1);
  // Equal prefixes, different keys: the prefix cannot order them (callers compare whole keys).
  const x = new Uint8Array(32).fill(9);
  const y = x.slice();
  y[31] = 10;
  assert.equal(keyPrefix(x), keyPrefix(y));
  assert.ok(compareKeys(x, y) < 0);
});
