import assert from 'node:assert/strict';
import { test } from 'node:test';
import { episodes, finalConvergence } from './convergence-series.ts';
import {
  DeliveryCounter,
  depthSummary,
  distribution,
  percentile,
  reached,
  stretchSummary,
} from './metrics.ts';

test('percentile (nearest rank) and distribution', () => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(s, 50), 5);
  assert.equal(percentile(s, 95), 10);
  assert.equal(percentile(s, 0), 1);
  assert.deepEqual(distribution([3, 1, 2]), { mean: 2, p50: 2, p95: 3, max: 3 });
  assert.deepEqual(distribution([]), { mean: 0, p50: 0, p95: 0, max: 0 });
});

test('reached: the time by which ⌈q·n⌉ nodes had converged; never-converged nodes count', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // node i converged at i + 1 s
  const table: [(number | '')[], { p50: number | null; p90: number | null; p99: number | null }][] =
    [
      [hundred, { p50: 50, p90: 90, p99: 99 }],
      // Unsorted input; the two slowest never converged: 99% (99 nodes) is out of reach.
      [[...hundred.slice(0, 98).reverse(), '', ''], { p50: 50, p90: 90, p99: null }],
      // 10 nodes: 50% = 5th, 90% = 9th, 99% = ⌈9.9⌉ = all 10.
      [[7, 1, 2, 3, 4, 5, 6, 8, 9, 10], { p50: 5, p90: 9, p99: 10 }],
      // 6 nodes: 90% = ⌈5.4⌉ = all 6 (rounding would say 5).
      [[1, 2, 3, 4, 5, 6], { p50: 3, p90: 6, p99: 6 }],
      [[4], { p50: 4, p90: 4, p99: 4 }],
      [[''], { p50: null, p90: null, p99: null }],
      [[], { p50: null, p90: null, p99: null }],
    ];
  for (const [times, want] of table) assert.deepEqual(reached(times), want, JSON.stringify(times));
});

test('stretchSummary: ratios, shortest share, pairs', () => {
  const table: [
    { hops: number; shortest: number }[],
    { mean: number; shortestShare: number; max: number },
  ][] = [
    [[{ hops: 2, shortest: 2 }], { mean: 1, shortestShare: 1, max: 1 }],
    [
      [
        { hops: 2, shortest: 1 },
        { hops: 3, shortest: 3 },
      ],
      { mean: 1.5, shortestShare: 0.5, max: 2 },
    ],
    [
      [
        { hops: 5, shortest: 4 },
        { hops: 4, shortest: 4 },
        { hops: 4, shortest: 2 },
        { hops: 1, shortest: 1 },
      ],
      { mean: 1.3125, shortestShare: 0.5, max: 2 },
    ],
  ];
  for (const [input, want] of table) {
    const s = stretchSummary(input, true);
    assert.equal(s.mean, want.mean);
    assert.equal(s.shortestShare, want.shortestShare);
    assert.equal(s.max, want.max);
    assert.equal(s.pairs, input.length);
    assert.equal(s.sampled, true);
  }
});

test('DeliveryCounter: lost = sent − delivered − misdelivered − dropped; reasons sorted', () => {
  const c = new DeliveryCounter();
  c.add({ kind: 'delivered' });
  c.add({ kind: 'dropped', reason: 'watermark' });
  c.add({ kind: 'dropped', reason: 'no-route' });
  c.add({ kind: 'dropped', reason: 'no-route' });
  c.add({ kind: 'misdelivered' });
  c.add({ kind: 'lost' });
  const s = c.summary();
  assert.deepEqual(s, {
    sent: 6,
    delivered: 1,
    misdelivered: 1,
    dropped: { 'no-route': 2, watermark: 1 },
    lost: 1,
  });
  assert.deepEqual(Object.keys(s.dropped), ['no-route', 'watermark']);
});

test('depthSummary: tree depth against BFS depth', () => {
  const d = depthSummary([
    { depth: 0, bfsDepth: 0 },
    { depth: 2, bfsDepth: 1 },
    { depth: 2, bfsDepth: 2 },
    { depth: 5, bfsDepth: -1 }, // other component: ignored
  ]);
  assert.equal(d.ratioMean, 1.5);
  assert.equal(d.shortestShare, 0.5);
  assert.equal(d.depth.max, 2);
});

test('episodes: time to reach 1 and stay there until the next change', () => {
  const S = (time: number, tree: number, snake: number) => ({ time, tree, snake });
  const samples = [
    S(0, 0, 0),
    S(1, 0.5, 0),
    S(2, 1, 0.5),
    S(3, 1, 1),
    S(4, 0.8, 0.9),
    S(5, 1, 0.9),
    S(6, 0.9, 1),
    S(7, 1, 1),
  ];
  const eps = episodes(samples, [
    { time: 0, label: 'start-up' },
    { time: 4, label: 'remove-node x' },
    { time: 4, label: 'remove-node y' },
  ]);
  assert.deepEqual(eps, [
    {
      start: 0,
      label: 'start-up',
      kind: 'start-up',
      tree: 2,
      snake: 3,
      treeMin: 0,
      snakeMin: 0,
      end: 4,
    },
    {
      start: 4,
      label: 'remove-node x; remove-node y',
      kind: 'scenario',
      tree: 3,
      snake: 2,
      treeMin: 0.8,
      snakeMin: 0.9,
      end: Number.POSITIVE_INFINITY,
    },
  ]);
  assert.equal(finalConvergence(samples, 'tree'), 7);
  assert.equal(finalConvergence(samples.slice(0, 7), 'snake'), 6);
  assert.equal(finalConvergence(samples.slice(0, 5), 'tree'), null);
  // At a share below 1 (summary snakeHeld, --snake-quorum): ≥ 0.9 from 3 on, ≥ 0.95 from 6 on.
  assert.equal(finalConvergence(samples, 'snake', 0.9), 3);
  assert.equal(finalConvergence(samples, 'snake', 0.95), 6);
  assert.equal(finalConvergence(samples, 'tree', 0.85), 5);
});
