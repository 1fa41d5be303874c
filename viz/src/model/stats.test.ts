/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { NodeRow, PairRow, RunSummary, TimeseriesRow } from '../../../results/schema.ts';
import {
  cdf,
  episodeSpans,
  frameSeries,
  groupSeries,
  installSeries,
  sharedBins,
  splitSilent,
  stretchCdfs,
  stretchOverTime,
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

test('sharedBins: one bin per value over the union of the groups, counts per group', () => {
  assert.deepEqual(sharedBins([[1, 2, 2], [3]]), [
    { x0: 1, x1: 2, counts: [1, 0] },
    { x0: 2, x1: 3, counts: [2, 0] },
    { x0: 3, x1: 4, counts: [0, 1] },
  ]);
  assert.deepEqual(sharedBins([[], []]), []);
});

test('sharedBins property: every value counted once per group, bins contiguous', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 80 }), {
        minLength: 1,
        maxLength: 3,
      }),
      (groups) => {
        const bins = sharedBins(groups);
        groups.forEach((g, j) => {
          assert.equal(
            bins.reduce((s, b) => s + (b.counts[j] ?? 0), 0),
            g.length,
          );
        });
        for (let i = 1; i < bins.length; i++) assert.equal(bins[i]!.x0, bins[i - 1]!.x1);
        assert.ok(bins.length <= 41);
      },
    ),
    { seed: 20, numRuns: 200 },
  );
});

const ts = (rows: [number, string, number][]): TimeseriesRow[] =>
  rows.map(([time_s, metric, value]) => ({ time_s, metric, value }));

test('stretchOverTime: earlier measurements plus the final one (the summary) at the end', () => {
  const summary = {
    virtualSeconds: 30,
    stretch: { snek: { mean: 1.5, pairs: 10 } },
    delivery: { snek: { sent: 10, delivered: 9 } },
  } as unknown as RunSummary;
  const m = stretchOverTime(
    ts([
      [10, 'stretch_snek_mean', 1.2],
      [10, 'delivery_snek', 1],
      [20, 'stretch_snek_mean', 1.3],
      [20, 'delivery_snek', 0.5],
      [20, 'tree_fraction', 1],
    ]),
    summary,
  );
  assert.deepEqual([...m.keys()], ['snek']);
  assert.deepEqual(m.get('snek'), {
    stretch: [
      { x: 10, y: 1.2 },
      { x: 20, y: 1.3 },
      { x: 30, y: 1.5 },
    ],
    delivery: [
      { x: 10, y: 1 },
      { x: 20, y: 0.5 },
      { x: 30, y: 0.9 },
    ],
  });
  assert.equal(stretchOverTime(ts([[1, 'tree_fraction', 1]]), summary).size, 0);
});

test('episodeSpans: scenario episodes until converged (or the next one); start-up left out', () => {
  const summary = {
    virtualSeconds: 90,
    episodes: [
      { start: 0, kind: 'start-up', cause: 'start-up', tree: 3, snake: 20 },
      { start: 35, kind: 'scenario', cause: 'partition', tree: 2, snake: 14 },
      { start: 55, kind: 'scenario', cause: 'heal', tree: null, snake: null },
      { start: 60, kind: 'root-refresh', cause: 'root refresh', tree: 1, snake: 1 },
    ],
  } as unknown as RunSummary;
  const spans = episodeSpans(summary);
  assert.deepEqual(
    spans.map((s) => [s.x0, s.x1]),
    [
      [35, 49],
      [55, 60],
    ],
  );
  assert.match(spans[0]!.label, /scenario: partition at 35 s — converged after 14 s/);
  assert.match(spans[1]!.label, /not converged/);
  assert.deepEqual(episodeSpans(null), []);
});
