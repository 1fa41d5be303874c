/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../results/schema.ts';
import {
  differences,
  HEADLINE_METRICS,
  pointLabel,
  type SweepPair,
  summaryFigures,
  sweepDistributions,
} from './compare.ts';

test('summaryFigures: numeric leaves by dotted path; arrays, strings and wallSeconds left out', () => {
  const f = summaryFigures({
    treeConvergedAt: 3.5,
    wallSeconds: 0.8,
    root: 'n1',
    episodes: [{ start: 0 }],
    stretch: { snek: { mean: 1.4, sampled: false } },
  });
  assert.deepEqual(
    [...f.entries()],
    [
      ['stretch.snek.mean', 1.4],
      ['treeConvergedAt', 3.5],
    ],
  );
});

test('differences: A, B, B − A and % for every figure either side has', () => {
  const a = { treeConvergedAt: 4, snakeConvergedAt: 0, framesByType: { bootstrap: 10 } };
  const b = { treeConvergedAt: 5, snakeConvergedAt: 2, tableInstalls: 7 };
  const rows = differences(a as unknown as RunSummary, b as unknown as RunSummary);
  assert.deepEqual(rows, [
    { metric: 'framesByType.bootstrap', a: 10, b: null, diff: null, pct: null },
    { metric: 'snakeConvergedAt', a: 0, b: 2, diff: 2, pct: null },
    { metric: 'tableInstalls', a: null, b: 7, diff: null, pct: null },
    { metric: 'treeConvergedAt', a: 4, b: 5, diff: 1, pct: 25 },
  ]);
  assert.deepEqual(differences(null, null), []);
});

const run = (id: string, latency: string, tree: number, flat = 1) => ({
  id,
  params: { latency, seed: id },
  metrics: { treeConvergedAt: tree, events: flat, 'zzz.other': tree * 2 },
});

const pair: SweepPair = {
  a: { name: 'A', runs: [run('1', '1ms', 3), run('2', '1ms', 4), run('3', '5ms', 6)] },
  b: { name: 'B', runs: [run('1', '1ms', 5), run('2', '5ms', 7), run('3', '5ms', 8)] },
  gridParams: ['latency'],
  rows: [],
};

test('pointLabel: grid parameters as name=value, or all runs', () => {
  assert.equal(pointLabel({ latency: '1ms', seed: '2' }, ['latency']), 'latency=1ms');
  assert.equal(pointLabel({ seed: '2' }, []), 'all runs');
});

test('sweepDistributions: per metric and grid point, the values of each side; constant metrics left out', () => {
  const d = sweepDistributions(pair);
  assert.deepEqual(d.points, ['latency=1ms', 'latency=5ms']);
  assert.ok(HEADLINE_METRICS.includes('treeConvergedAt'));
  assert.deepEqual(
    d.metrics.map((m) => m.metric),
    ['treeConvergedAt', 'zzz.other'],
    'headline first, then the rest that vary (events is the same everywhere)',
  );
  assert.deepEqual(d.metrics[0], {
    metric: 'treeConvergedAt',
    a: [[3, 4], [6]],
    b: [[5], [7, 8]],
  });
});
