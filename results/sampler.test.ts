import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConvergenceTracker } from '../sim/convergence.ts';
import { FRAME_TYPE_NAMES } from '../sim/host.ts';
import { ConvergenceSampler, OverheadSampler } from './sampler.ts';
import type { TimeseriesRow } from './schema.ts';

/** A tracker whose readings the test sets before each sample. */
function fakeTracker() {
  return {
    snakeLosses: 0,
    liveNodes: 3,
    links: 2,
    treeFraction: 1,
    snakeFraction: 1,
    coordsFraction: 1,
    rootRefreshes: 0,
    sample(): void {},
  };
}

test('convergence sampler: one sample per instant; router closes, their re-peering and other changes open episodes', () => {
  const tr = fakeTracker();
  const rows: TimeseriesRow[] = [];
  const drops = new Map<string, number>();
  const told: string[] = [];
  const sampler = new ConvergenceSampler(
    tr as unknown as ConvergenceTracker,
    (r) => rows.push(r),
    () => drops,
    (label) => told.push(label),
  );
  assert.equal(sampler.sample(0), true);
  assert.equal(sampler.sample(0), false, 'one sample per instant');
  assert.deepEqual(
    rows.map((r) => r.metric),
    ['tree_fraction', 'snake_fraction', 'coords_fraction', 'nodes', 'nodes_up', 'links_up'],
  );
  drops.set('keepalive-timeout', 1);
  tr.links = 1;
  sampler.sample(1_000_000);
  tr.links = 2;
  sampler.sample(2_000_000);
  // Links coming up with no router close to repair belong to the episode that asked for them.
  tr.links = 3;
  sampler.sample(3_000_000);
  sampler.topologyChanged(3_500_000, 'cut a-b');
  tr.links = 2;
  sampler.sample(4_000_000);
  tr.liveNodes = 2;
  sampler.sample(5_000_000);
  assert.deepEqual(told, ['link drop: keepalive-timeout ×1', 're-peer: links up 1→2', 'nodes 3→2']);
  assert.deepEqual(
    sampler.changes.map((c) => [c.time, c.kind]),
    [
      [0, 'start-up'],
      [1_000_000, 'link-drop'],
      [2_000_000, 'topology'],
      [3_500_000, 'scenario'],
      [5_000_000, 'topology'],
    ],
  );
  assert.equal(sampler.changes.length, sampler.changeLosses.length);
});

test('overhead sampler: rows per frame type and bin, the last partial bin as a rate, filter counts when no counters', () => {
  const rows: TimeseriesRow[] = [];
  const frames = new Float64Array(FRAME_TYPE_NAMES.length);
  const bytes = new Float64Array(FRAME_TYPE_NAMES.length);
  const o = new OverheadSampler((r) => rows.push(r), { frames, bytes, installs: () => 4 });
  frames[0] = 10;
  bytes[0] = 1000;
  o.bin(1_000_000);
  frames[0] = 15;
  o.bin(1_500_000);
  o.bin(1_500_000);
  const keepalive = rows.filter((r) => r.metric === 'frames_keepalive').map((r) => r.value);
  assert.deepEqual(keepalive, [10, 10], '5 frames in half a second: 10 per second');
  assert.deepEqual(
    rows.filter((r) => r.metric === 'table_installs').map((r) => r.value),
    [4, 0],
  );
  assert.equal(rows.length, 2 * (2 * FRAME_TYPE_NAMES.length + 1));
  const counted: TimeseriesRow[] = [];
  const f = new OverheadSampler((r) => counted.push(r));
  f.countOut(1);
  f.countOut(99);
  f.bin(2_000_000);
  assert.equal(counted.find((r) => r.metric === 'frames_announcement')?.value, 0.5);
  assert.equal(f.filterCounts[FRAME_TYPE_NAMES.length], 1, 'unknown types counted apart');
  assert.ok(counted.every((r) => !r.metric.startsWith('bytes_')));
});
