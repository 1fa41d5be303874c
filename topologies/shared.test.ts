/**
 * Every file of shared/topologies must load with the figures of the table in its README.
 * These tests need the shared folder beside the repo (/work/shared); they skip without it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveTopology } from './index.ts';
import { topologyStats } from './stats.ts';

const DIR = fileURLToPath(new URL('../../shared/topologies/', import.meta.url));
const skip = existsSync(DIR) ? false : `no ${DIR}`;

// file, N, E, CC, D, mean dist, degree min/median/mean/max — copied from shared/topologies/README.md
const TABLE: readonly [
  string,
  number,
  number,
  number,
  number,
  number,
  [number, number, number, number],
][] = [
  ['sim.txt', 26, 48, 1, 5, 2.64, [1, 4, 3.69, 7]],
  ['line-0050.txt', 50, 49, 1, 49, 17.0, [1, 2, 1.96, 2]],
  ['rtree-0050.txt', 50, 49, 1, 11, 5.18, [1, 2, 1.96, 7]],
  ['grid4-0049.txt', 49, 84, 1, 12, 4.67, [2, 4, 3.43, 4]],
  ['sim-medium.txt', 91, 125, 1, 9, 4.6, [1, 2, 2.75, 8]],
  ['freifunk-bielefield.txt', 246, 483, 1, 2, 1.98, [1, 2, 3.93, 245]],
  ['graph-250.txt', 248, 500, 1, 9, 4.12, [1, 4, 4.03, 11]],
  ['dn42.txt', 261, 336, 1, 8, 3.8, [1, 1, 2.58, 46]],
  ['fc00.txt', 598, 1593, 1, 12, 4.06, [1, 3, 5.33, 117]],
  ['sim-large.txt', 600, 20000, 1, 3, 1.89, [48, 67, 66.7, 96]],
  ['grid4-2025.txt', 2025, 3960, 1, 88, 30.0, [2, 4, 3.91, 4]],
  ['yggdrasil.txt', 2478, 8253, 1, 9, 3.27, [1, 3, 6.66, 791]],
  ['sim-skitter.txt', 9204, 28959, 3, 7, 3.09, [1, 2, 6.29, 2070]],
];

/** README figures are rounded (sim-large's 66.7 is 66.67; dn42's 2.58 is 672/261 = 2.5747). */
const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs README ${expected}`);

describe('shared/topologies match their README (needs ../shared)', { skip }, () => {
  for (const [file, n, e, cc, d, mean, [dmin, dmed, dmean, dmax]] of TABLE) {
    it(`${file} (needs ../shared)`, () => {
      const topo = resolveTopology(`${DIR}${file}`, { seed: 'test' });
      assert.equal(topo.graph.order, n, 'nodes');
      assert.equal(topo.graph.size, e, 'links');
      assert.match(topo.digest, /^[0-9a-f]{64}$/);
      const s = topologyStats(topo.graph, { seed: 'test' });
      assert.equal(s.components, cc, 'components');
      assert.equal(s.degree.min, dmin, 'degree min');
      assert.equal(s.degree.median, dmed, 'degree median');
      close(s.degree.mean, dmean, 0.035, 'degree mean');
      assert.equal(s.degree.max, dmax, 'degree max');
      if (n <= 3000) {
        assert.ok(s.exact);
        assert.equal(s.diameter, d, 'diameter');
        close(s.meanDistance, mean, 0.005, 'mean distance');
      } else {
        // Sampled: the diameter is a lower bound, the mean an estimate.
        assert.equal(s.exact, false);
        assert.equal(s.sources, 1000);
        assert.ok(s.diameter <= d && s.diameter >= d - 1, `sampled diameter ${s.diameter}`);
        close(s.meanDistance, mean, 0.05, 'sampled mean distance');
      }
    });
  }
  it('sim-skitter.txt exact all pairs (needs ../shared)', () => {
    const topo = resolveTopology(`${DIR}sim-skitter.txt`, { seed: 'test' });
    const s = topologyStats(topo.graph, { exactLimit: Number.POSITIVE_INFINITY });
    assert.equal(s.exact, true);
    assert.equal(s.sources, 9204);
    assert.equal(s.diameter, 7);
    // Exact mean over connected ordered pairs is 3.118; the README's 3.09 is presumably sampled.
    close(s.meanDistance, 3.118, 0.0005, 'exact mean distance');
    assert.equal(s.largestComponent, 9200);
    assert.equal(s.overPortLimit, 18);
  });
  it('dn42.txt reads paths with prepending (needs ../shared)', () => {
    // Lines of 1–7 tokens; "a a b" must give one link a–b and no self loop.
    const topo = resolveTopology(`${DIR}dn42.txt`, { seed: 'test' });
    assert.ok(topo.graph.everyEdge((_e, _a, s, t) => s !== t));
  });
});
