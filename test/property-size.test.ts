import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';

test('property tests run at the "medium" size (npm test loads test/property-size.ts)', () => {
  assert.equal(fc.readConfigureGlobal().baseSize, 'medium');
  let longest = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
      longest = Math.max(longest, b.length);
    }),
    { seed: 1, numRuns: 200 },
  );
  assert.ok(longest > 10, `longest drawn ${longest}: the default "small" size draws at most 10`);
});
