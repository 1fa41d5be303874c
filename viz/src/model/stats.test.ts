/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { NodeRow, PairRow } from '../../../results/schema.ts';
import {
  cdf,
  frameSeries,
  groupSeries,
  installSeries,
  splitSilent,
  stretchCdfs,
  tableSizeHistogram,
  topologyChanges,
} from './stats.ts';

test('cdf: steps at distinct values, last at 1, ignores non-finite', () => {
  assert.deepEqual(cdf([2, 1, 1, 3, Number.NaN]), [
    { x: 1, y: 0.5 },
    { x: 2, y: 0.75 },
    { x: 3, y: 1 },
  ]);
  assert.deepEqual(cdf([]), []);
});

test('cdf property: x strictly ascending, y non-decreasing in (0,1], ends at 1', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 60 }),
      (vals) => {
        const c = cdf(vals);
        for (let i = 1; i < c.length; i++) {
          assert.ok(c[i]!.x > c[i - 1]!.x);
          assert.ok(c[i]!.y > c[i - 1]!.y);
        }
        assert.equal(c[c.length - 1]!.y, 1);
        // y at each x = share of samples ≤ x
        for (const p of c) assert.equal(p.y, vals.filter((v) => v <= p.x).length / vals.length);
      },
    ),
    { seed: 42, numRuns: 200 },
  );
});

const pair = (
  mode: PairRow['mode'],
  stretch: number | '',
  outcome: PairRow['outcome'] = 'delivered',
): PairRow => ({
  mode,
  source: 'a',
  destination: 'b',
  shortest_hops: 1,
  hops: stretch === '' ? '' : stretch,
  stretch,
  outcome,
  reached: outcome === 'delivered' ? 'b' : '',
});

test('stretchCdfs: per mode, delivered only, mode order snek/hybrid/tree', () => {
  const m = stretchCdfs([
    pair('tree', 2),
    pair('snek', 1),
    pair('snek', 3),
    pair('snek', '', 'dropped'),
    pair('hybrid', 5, 'misdelivered'),
  ]);
  assert.deepEqual([...m.keys()], ['snek', 'tree']);
  assert.deepEqual(m.get('snek'), [
    { x: 1, y: 0.5 },
    { x: 3, y: 1 },
  ]);
});

test('groupSeries, topologyChanges, frameSeries', () => {
  const rows = [
    { time_s: 2, metric: 'tree_fraction', value: 1 },
    { time_s: 1, metric: 'tree_fraction', value: 0.5 },
    { time_s: 1, metric: 'frames_keepalive', value: 10 },
    { time_s: 1, metric: 'frames_announcement', value: 4 },
    { time_s: 3, metric: 'topology_change', value: 1 },
    { time_s: 3, metric: 'topology_change', value: 1 },
    { time_s: 1.5, metric: 'topology_change', value: 1 },
  ];
  const g = groupSeries(rows);
  assert.deepEqual(g.get('tree_fraction'), [
    { x: 1, y: 0.5 },
    { x: 2, y: 1 },
  ]);
  assert.deepEqual(topologyChanges(rows), [1.5, 3]);
  assert.deepEqual(
    frameSeries(g).map(([t]) => t),
    ['announcement', 'keepalive'],
  );
});

test('frameSeries by unit; splitSilent separates all-zero frame types', () => {
  const g = groupSeries([
    { time_s: 1, metric: 'frames_keepalive', value: 10 },
    { time_s: 2, metric: 'frames_keepalive', value: 0 },
    { time_s: 1, metric: 'frames_wakeup', value: 0 },
    { time_s: 2, metric: 'frames_wakeup', value: 0 },
    { time_s: 1, metric: 'bytes_keepalive', value: 120 },
  ]);
  assert.deepEqual(
    frameSeries(g, 'bytes').map(([t, p]) => [t, p.length]),
    [['keepalive', 1]],
  );
  const { active, silent } = splitSilent(frameSeries(g));
  assert.deepEqual(
    active.map(([t]) => t),
    ['keepalive'],
  );
  assert.deepEqual(silent, ['wakeup']);
});

test('installSeries: the table_installs points, or null when absent or all zero', () => {
  const pts = [
    { x: 1, y: 0 },
    { x: 2, y: 7 },
  ];
  assert.deepEqual(installSeries(new Map([['table_installs', pts]])), pts);
  assert.equal(installSeries(new Map([['table_installs', [{ x: 1, y: 0 }]]])), null);
  assert.equal(installSeries(new Map([['frames_bootstrap', pts]])), null);
});

test('tableSizeHistogram: one bin per size for small ranges, counts add up', () => {
  const rows = [3, 3, 4, 6].map((t) => ({ table_size: t }) as NodeRow);
  const bars = tableSizeHistogram(rows);
  assert.deepEqual(
    bars.map((b) => [b.x0, b.count]),
    [
      [3, 2],
      [4, 1],
      [5, 0],
      [6, 1],
    ],
  );
  const wide = tableSizeHistogram(
    Array.from({ length: 500 }, (_, i) => ({ table_size: i }) as NodeRow),
  );
  assert.ok(wide.length <= 41);
  assert.equal(
    wide.reduce((s, b) => s + b.count, 0),
    500,
  );
  assert.deepEqual(tableSizeHistogram([]), []);
});
