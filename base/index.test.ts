import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { asSmallInteger } from './index.ts';

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
