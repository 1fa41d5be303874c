import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { asSmallInteger, withSlot } from './index.ts';

test('asSmallInteger gives back the same value, whatever the number (property)', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: 0, max: 2 ** 30 + 10 }),
        fc.integer({ min: 2 ** 31 - 10, max: 2 ** 31 + 10 }),
        fc.integer({ min: -(2 ** 31) - 10, max: 10 }),
        fc.maxSafeInteger(),
        fc.double({ noNaN: true }),
      ),
      (x) => {
        // === rather than Object.is: −0 becomes 0 (times are sums of non-negative numbers, never
        // −0, and 0 === −0 in every comparison they take part in).
        assert.ok(asSmallInteger(x) === x, `${x} became ${asSmallInteger(x)}`);
      },
    ),
    { seed: 3, numRuns: 3000 },
  );
  // Where `x | 0` alone would wrap or truncate.
  for (const x of [2 ** 30, 2 ** 31, 2 ** 32 + 1, 2.5, -0.5, Number.POSITIVE_INFINITY])
    assert.equal(asSmallInteger(x), x);
  assert.ok(Number.isNaN(asSmallInteger(Number.NaN)));
});

test('withSlot stores as a plain store past the end would, growing only when it must (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.option(fc.integer(), { nil: undefined }), { maxLength: 20 }),
      fc.nat({ max: 40 }),
      fc.integer(),
      (start, index, value) => {
        const plain = start.slice();
        plain[index] = value;
        const given = start.slice();
        const out = withSlot(given, index, value);
        // Same elements, gaps read as undefined, and no hole left: every index is present.
        assert.deepEqual([...out], Array.from(plain));
        assert.equal(out.length, Math.max(start.length, index + 1));
        for (let i = 0; i < out.length; i++) assert.ok(i in out, `hole at ${i}`);
        // Inside the array: stored in place; past its end: a new array, the old one untouched.
        if (index < start.length) assert.equal(out, given);
        else {
          assert.notEqual(out, given);
          assert.deepEqual(given, start);
        }
      },
    ),
    { seed: 5, numRuns: 2000 },
  );
});
