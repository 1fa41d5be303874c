import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from './keys.ts';

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
