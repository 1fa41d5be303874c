/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../../../results/schema.ts';
import { interpolatePositions, snapshotIndexAt, sortSnapshots, step } from './timeline.ts';

const snap = (time_s: number, nodes: Snapshot['nodes'] = []): Snapshot => ({
  time_s,
  nodes,
  links: [],
});

test('snapshotIndexAt: last snapshot at or before t', () => {
  const s = [snap(1), snap(3), snap(3), snap(8)];
  assert.equal(snapshotIndexAt(s, 0.5), -1);
  assert.equal(snapshotIndexAt(s, 1), 0);
  assert.equal(snapshotIndexAt(s, 3), 2);
  assert.equal(snapshotIndexAt(s, 7.9), 2);
  assert.equal(snapshotIndexAt(s, 100), 3);
  assert.equal(snapshotIndexAt([], 1), -1);
});

test('sortSnapshots is stable by time', () => {
  const a = { ...snap(2), label: 'a' };
  const b = { ...snap(1), label: 'b' };
  const c = { ...snap(2), label: 'c' };
  assert.deepEqual(
    sortSnapshots([a, b, c]).map((s) => s.label),
    ['b', 'a', 'c'],
  );
});

test('step clamps, or wraps for play', () => {
  assert.equal(step(0, -1, 5), 0);
  assert.equal(step(4, 1, 5), 4);
  assert.equal(step(2, 1, 5), 3);
  assert.equal(step(4, 1, 5, true), 0);
  assert.equal(step(0, -1, 5, true), 4);
  assert.equal(step(3, 1, 0), 0);
});

test('interpolatePositions: linear where both have x,y, else whichever has one', () => {
  const a = snap(0, [
    { name: 'p', root: '', parent: null, descending: null, coords: [], x: 0, y: 0 },
    { name: 'q', root: '', parent: null, descending: null, coords: [], x: 5, y: 5 },
  ]);
  const b = snap(1, [
    { name: 'p', root: '', parent: null, descending: null, coords: [], x: 10, y: -10 },
    { name: 'r', root: '', parent: null, descending: null, coords: [], x: 1, y: 2 },
  ]);
  const m = interpolatePositions(a, b, 0.25);
  assert.deepEqual(m.get('p'), [2.5, -2.5]);
  assert.deepEqual(m.get('q'), [5, 5]);
  assert.deepEqual(m.get('r'), [1, 2]);
  assert.deepEqual(interpolatePositions(a, b, 7).get('p'), [10, -10]);
});
