import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../keys.ts';
import { CodecError } from './errors.ts';
import {
  decodeVarU64,
  encodeVarU64,
  readVarU64Number,
  varU64Length,
  writeVarU64,
} from './varu64.ts';

const SPEC: [number | bigint, string][] = [
  [0, '00'],
  [127, '7f'],
  [128, '8100'],
  [200, '8148'],
  [253, '817d'],
  [300, '822c'],
  [16383, 'ff7f'],
  [16384, '818000'],
  [1664280000000, 'b0b7f6c5ec00'],
  [2n ** 32n, '9080808000'],
  [2n ** 63n - 1n, 'ffffffffffffffff7f'],
  [2n ** 64n - 1n, '81ffffffffffffffff7f'],
];

test('varu64: the examples of PROTOCOL.md §3.4 encode and decode', () => {
  for (const [value, hex] of SPEC) {
    assert.equal(toHex(encodeVarU64(value)), hex, `encode ${value}`);
    const d = decodeVarU64(fromHex(hex) as Uint8Array, 0);
    assert.ok(!(d instanceof CodecError), `decode ${hex}`);
    assert.equal(d.value, BigInt(value));
    assert.equal(d.next, hex.length / 2);
  }
});

test('varu64: non-canonical, truncated and over-64-bit inputs are rejected', () => {
  for (const hex of ['8005', '8000', '808100', '81', 'ff', '', '82808080808080808000']) {
    const d = decodeVarU64(fromHex(hex) as Uint8Array, 0);
    assert.ok(d instanceof CodecError, `should reject ${hex}`);
    assert.equal(d.reason, 'decode-error');
  }
  const cur = { pos: 0 };
  assert.equal(readVarU64Number(fromHex('8005') as Uint8Array, cur, 2), -2);
  assert.equal(readVarU64Number(fromHex('81') as Uint8Array, cur, 1), -1);
  // 2^53 is above MAX_SAFE_INTEGER: not a frame field.
  const big = encodeVarU64(2n ** 53n);
  assert.equal(readVarU64Number(big, cur, big.length), -3);
  assert.equal(cur.pos, 0, 'cursor untouched on error');
});

test('varu64: encoders refuse values they cannot represent', () => {
  assert.throws(() => encodeVarU64(-1), RangeError);
  assert.throws(() => encodeVarU64(1.5), RangeError);
  assert.throws(() => encodeVarU64(2n ** 64n), RangeError);
});

test('varu64: number and bigint encoders agree and round-trip (property)', () => {
  fc.assert(
    fc.property(fc.maxSafeNat(), (n) => {
      const a = encodeVarU64(n);
      assert.deepEqual(a, encodeVarU64(BigInt(n)));
      assert.equal(a.length, varU64Length(n));
      const out = new Uint8Array(a.length + 3);
      assert.equal(writeVarU64(out, 2, n), 2 + a.length);
      assert.deepEqual(out.subarray(2, 2 + a.length), a);
      const d = decodeVarU64(a, 0);
      assert.ok(!(d instanceof CodecError));
      assert.equal(d.value, BigInt(n));
      const cur = { pos: 0 };
      assert.equal(readVarU64Number(a, cur, a.length), n);
      assert.equal(cur.pos, a.length);
    }),
    { seed: 42, numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
      const d = decodeVarU64(encodeVarU64(v), 0);
      assert.ok(!(d instanceof CodecError));
      assert.equal(d.value, v);
    }),
    { seed: 42, numRuns: 1000 },
  );
});

test('varu64: decoding random bytes never throws', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 14 }), fc.nat(14), (bytes, off) => {
      const d = decodeVarU64(bytes, off);
      if (!(d instanceof CodecError))
        assert.deepEqual(encodeVarU64(d.value), bytes.subarray(off, d.next));
    }),
    { seed: 42, numRuns: 3000 },
  );
});
