/**
 * Tests of results/convergence-series.ts: episodes by cause, the lowest fractions, and root
 * refreshes (PROTOCOL.md §5.3.1) that do not break a run's headline convergence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bridgeNode, type Change, episodes, finalConvergence } from './convergence-series.ts';

const S = (time: number, tree: number, snake: number) => ({ time, tree, snake });

// A static run: converged at 3 (tree 2), a refresh at 10 dips the snake to 0.7 and it is back at 12.
const STATIC = [
  S(0, 0, 0),
  S(1, 0.5, 0.2),
  S(2, 1, 0.5),
  S(3, 1, 1),
  S(5, 1, 1),
  S(10, 1, 0.9),
  S(11, 1, 0.7),
  S(12, 1, 1),
  S(14, 1, 1),
];
const REFRESH: Change[] = [
  { time: 0, label: 'start-up', kind: 'start-up' },
  { time: 10, label: 'root refresh', kind: 'root-refresh' },
];

test('a root refresh is an episode of its own, with its lowest fractions', () => {
  const eps = episodes(STATIC, REFRESH);
  assert.equal(eps.length, 2);
  assert.deepEqual(
    eps.map((e) => [e.kind, e.start, e.tree, e.snake, e.treeMin, e.snakeMin, e.end]),
    [
      ['start-up', 0, 2, 3, 0, 0, 10],
      ['root-refresh', 10, 0, 2, 1, 0.7, Number.POSITIVE_INFINITY],
    ],
  );
});

test("a refresh that re-converged does not move a static run's headline convergence", () => {
  const eps = episodes(STATIC, REFRESH);
  assert.equal(finalConvergence(STATIC, 'snake', 1, eps), 3);
  assert.equal(finalConvergence(STATIC, 'tree', 1, eps), 2);
  // Without the episodes (the old rule) the refresh hides the convergence at 3.
  assert.equal(finalConvergence(STATIC, 'snake'), 12);
  // Thresholds below 1 (snakeHeld, --snake-quorum): ≥ 0.8 bridged too, ≥ 0.95 as well.
  assert.equal(finalConvergence(STATIC, 'snake', 0.8, eps), 3);
  assert.equal(finalConvergence(STATIC, 'snake', 0.95, eps), 3);
});

test('a refresh still under way at the end is not bridged: not converged at the end', () => {
  const cut = STATIC.slice(0, 7); // ends at 11 with 0.7
  const eps = episodes(cut, REFRESH);
  assert.equal(eps[1]?.snake, null);
  assert.equal(finalConvergence(cut, 'snake', 1, eps), null);
  // The tree never dipped: it held from 2 on.
  assert.equal(finalConvergence(cut, 'tree', 1, eps), 2);
});

test('a topology change is never bridged, and a refresh merged with one is a topology episode', () => {
  const changes: Change[] = [
    { time: 0, label: 'start-up', kind: 'start-up' },
    { time: 10, label: 'link drop: keepalive-timeout ×1', kind: 'link-drop' },
    { time: 10, label: 'root refresh', kind: 'root-refresh' },
  ];
  const eps = episodes(STATIC, changes);
  assert.equal(eps[1]?.kind, 'link-drop');
  assert.equal(eps[1]?.label, 'link drop: keepalive-timeout ×1; root refresh');
  assert.equal(finalConvergence(STATIC, 'snake', 1, eps), 12);
});

test('a scenario change at 60 s: episode 2 starts at 60 s and converges', () => {
  const samples = [
    S(0, 0, 0),
    S(30, 1, 1),
    S(60, 0.8, 0.5),
    S(61, 1, 0.9),
    S(65, 1, 1),
    S(90, 1, 1),
  ];
  const eps = episodes(samples, [
    { time: 0, label: 'start-up' },
    { time: 60, label: 'remove-link a b' },
  ]);
  assert.deepEqual(
    eps.map((e) => [e.label, e.kind, e.start, e.tree, e.snake, e.snakeMin]),
    [
      ['start-up', 'start-up', 0, 30, 30, 0],
      ['remove-link a b', 'scenario', 60, 1, 5, 0.5],
    ],
  );
  assert.equal(finalConvergence(samples, 'snake', 1, eps), 65);
});

test('per node: right before a refresh and right again in its episode counts from before', () => {
  const eps = episodes(STATIC, REFRESH);
  const before = new Map([[10, 3]]);
  assert.equal(
    bridgeNode(11, eps, (at) => before.get(at)),
    3,
  );
  // Not right before the refresh (−1): counts from its recovery.
  assert.equal(
    bridgeNode(11, eps, () => -1),
    11,
  );
  // Right since before the refresh anyway, or not right at the end: unchanged.
  assert.equal(
    bridgeNode(3, eps, (at) => before.get(at)),
    3,
  );
  assert.equal(
    bridgeNode(-1, eps, (at) => before.get(at)),
    -1,
  );
  // Inside a topology episode: no bridging.
  const topo = episodes(STATIC, [
    { time: 0, label: 'start-up' },
    { time: 10, label: 'remove-node x' },
  ]);
  assert.equal(
    bridgeNode(11, topo, (at) => before.get(at)),
    11,
  );
});

test('property: without refresh episodes the headline is the old final-convergence rule', () => {
  const sample = fc.record({
    tree: fc.constantFrom(0, 0.5, 0.9, 1),
    snake: fc.constantFrom(0, 0.5, 0.9, 1),
  });
  fc.assert(
    fc.property(
      fc.array(sample, { maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 29 }), { maxLength: 4 }),
      (values, at) => {
        const samples = values.map((v, i) => S(i, v.tree, v.snake));
        const changes: Change[] = [
          { time: 0, label: 'start-up', kind: 'start-up' },
          ...[...new Set(at)]
            .sort((a, b) => a - b)
            .map((t) => ({ time: t, label: `x${t}`, kind: 'scenario' as const })),
        ];
        const eps = episodes(samples, changes);
        for (const m of ['tree', 'snake'] as const)
          for (const q of [1, 0.9])
            assert.equal(finalConvergence(samples, m, q, eps), finalConvergence(samples, m, q));
      },
    ),
    { seed: 16, numRuns: 300 },
  );
});

test('property: bridging only ever moves the headline earlier, and only with a refresh', () => {
  const sample = fc.constantFrom(0.5, 0.9, 1);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(sample, sample), { minLength: 1, maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 29 }), { maxLength: 4 }),
      (values, at) => {
        const samples = values.map(([t, s], i) => S(i, t, s));
        const changes: Change[] = [
          { time: 0, label: 'start-up', kind: 'start-up' },
          ...[...new Set(at)]
            .sort((a, b) => a - b)
            .map((t) => ({ time: t, label: 'root refresh', kind: 'root-refresh' as const })),
        ];
        const eps = episodes(samples, changes);
        for (const m of ['tree', 'snake'] as const) {
          const plain = finalConvergence(samples, m);
          const bridged = finalConvergence(samples, m, 1, eps);
          // Converged at the end either way or neither (the last sample decides both).
          assert.equal(bridged === null, plain === null);
          if (plain !== null && bridged !== null) assert.ok(bridged <= plain);
        }
      },
    ),
    { seed: 16, numRuns: 300 },
  );
});
