import assert from 'node:assert/strict';
import { it, describe as suite } from 'node:test';
import fc from 'fast-check';
import { bootstrapDiffCi, bootstrapMeanCi, cohensD, describe, permutationTest } from './stats.ts';

const close = (a: number | null, b: number, eps = 1e-9) =>
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≉ ${b}`);

suite('stats (hand-computed cases)', () => {
  it('describe [1, 2, 3, 4]: mean 2.5, sd √(5/3), median 2.5, CI inside [1, 4]', () => {
    const d = describe([1, 2, 3, 4], 't');
    assert.equal(d.n, 4);
    close(d.mean, 2.5);
    close(d.sd, Math.sqrt(5 / 3));
    close(d.median, 2.5);
    assert.ok((d.ciLow as number) >= 1 && (d.ciLow as number) < 2.5);
    assert.ok((d.ciHigh as number) <= 4 && (d.ciHigh as number) > 2.5);
  });
  it('one value: sd null, CI [x, x]; none: all null', () => {
    assert.deepEqual(describe([7], 't'), {
      n: 1,
      mean: 7,
      sd: null,
      median: 7,
      ciLow: 7,
      ciHigh: 7,
    });
    assert.equal(describe([], 't').mean, null);
  });
  it('exact permutation test: [1,2] vs [3,4] is 2 of the 6 splits, p = 1/3', () => {
    const t = permutationTest([1, 2], [3, 4], 't');
    assert.equal(t.exact, true);
    assert.equal(t.permutations, 6);
    close(t.p, 1 / 3);
  });
  it('4 vs 4 fully separated: p = 2/70; identical groups: p = 1', () => {
    close(permutationTest([1, 2, 3, 4], [5, 6, 7, 8], 't').p, 2 / 70);
    close(permutationTest([1, 2, 3, 4], [1, 2, 3, 4], 't').p, 1);
  });
  it("Cohen's d: [1,2] vs [3,4] = 2 / √0.5", () => {
    close(cohensD([1, 2], [3, 4]), 2 / Math.sqrt(0.5));
    assert.equal(cohensD([1, 1], [1, 1]), 0);
    assert.equal(cohensD([1, 1], [2, 2]), null);
  });
  it('bootstrap intervals are seeded: same label, same interval; constant data, a point', () => {
    assert.deepEqual(bootstrapMeanCi([1, 5, 2, 8], 'x'), bootstrapMeanCi([1, 5, 2, 8], 'x'));
    assert.deepEqual(bootstrapMeanCi([3, 3, 3], 'x'), [3, 3]);
    assert.deepEqual(bootstrapDiffCi([1, 1], [4, 4], 'x'), [3, 3]);
  });
  it('Monte Carlo permutation test when exact is too big: seeded, p in (0, 1]', () => {
    const a = Array.from({ length: 15 }, (_, i) => i);
    const b = Array.from({ length: 15 }, (_, i) => i + 0.5);
    const t = permutationTest(a, b, 'mc');
    assert.equal(t.exact, false);
    assert.equal(t.p, permutationTest(a, b, 'mc').p);
    assert.ok(t.p > 0.5 && t.p <= 1);
  });
  it('property: the mean CI lies within [min, max] and contains no value outside it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (xs) => {
          const [lo, hi] = bootstrapMeanCi(xs, 'p');
          const min = Math.min(...xs);
          const max = Math.max(...xs);
          return lo >= min - 1e-6 && hi <= max + 1e-6 && lo <= hi;
        },
      ),
      { seed: 18, numRuns: 100 },
    );
  });
});
