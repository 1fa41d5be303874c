import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGraph, stateFromSnapshot } from './graph.ts';
import { formatHop, namesInReason } from './paths.ts';
import {
  countByType,
  inFlight,
  LOST_FLIGHT,
  noteAt,
  parseEvents,
  stateAt,
  stepTime,
} from './replay.ts';

const lines = (...objs: object[]): string => `${objs.map((o) => JSON.stringify(o)).join('\n')}\n`;

const LOG = lines(
  { t: 0, e: 'state', node: 'a', root: 'a', rootSeq: 0, parent: null, descending: null },
  { t: 1, e: 'send', node: 'a', peer: 'b', frame: 'announcement' },
  { t: 1, e: 'send', node: 'a', peer: 'b', frame: 'announcement' },
  { t: 1.002, e: 'recv', node: 'b', peer: 'a', frame: 'announcement' },
  { t: 1.004, e: 'recv', node: 'b', peer: 'a', frame: 'announcement' },
  { t: 1.004, e: 'state', node: 'b', root: 'a', rootSeq: 1, parent: 'a', descending: null },
  { t: 2, e: 'send', node: 'b', peer: 'a', frame: 'bootstrap' },
  { t: 2.5, e: 'topology', label: 'remove-link a b' },
);

test('parseEvents matches each reception with the earliest open send of its link and type', () => {
  const r = parseEvents(`${LOG}not json\n`);
  assert.equal(r.skipped, 1);
  assert.deepEqual(
    r.flights.map((f) => [f.t0, f.t1, f.from, f.to, f.type, f.lost]),
    [
      [1, 1.002, 'a', 'b', 'announcement', false],
      [1, 1.004, 'a', 'b', 'announcement', false],
      // Never received: drawn for LOST_FLIGHT.
      [2, 2 + LOST_FLIGHT, 'b', 'a', 'bootstrap', true],
    ],
  );
  assert.equal(r.start, 0);
  assert.equal(r.end, 2.5);
  assert.ok(Math.abs(r.maxFlight - 0.004) < 1e-12);
});

test('inFlight: frames in the air at a time, with the fraction of the way done', () => {
  const r = parseEvents(LOG);
  assert.deepEqual(inFlight(r, 0.5), []);
  const at = inFlight(r, 1.001);
  assert.equal(at.length, 2);
  assert.deepEqual(
    at.map((x) => Number(x.f.toFixed(3))),
    [0.5, 0.25],
  );
  assert.deepEqual(countByType(at), { announcement: 2 });
  // A frame is in the air from t0 (inclusive) to t1 (exclusive).
  assert.equal(inFlight(r, 1.002).length, 1);
  assert.equal(inFlight(r, 1.004).length, 0);
});

test('stepTime goes frame by frame, each shown half way along its link', () => {
  const r = parseEvents(LOG);
  const first = stepTime(r, 0, 1);
  assert.equal(first, 1.001);
  assert.equal(stepTime(r, first as number, 1), 1.002);
  assert.ok(Math.abs((stepTime(r, 1.002, 1) ?? 0) - (2 + LOST_FLIGHT / 2)) < 1e-12);
  assert.equal(stepTime(r, 3, 1), null);
  assert.equal(stepTime(r, 1.002, -1), 1.001);
  assert.equal(stepTime(r, 1.001, -1), null);
  assert.equal(noteAt(r, 2), null);
  assert.equal(noteAt(r, 3), 'topology: remove-link a b');
});

test('stateAt applies state lines up to the cursor and links with a frame in the air', () => {
  const g = buildGraph({
    nodes: [
      { name: 'a', key: 'ff'.repeat(32) },
      { name: 'b', key: '01'.repeat(32) },
    ],
    links: [{ source: 'a', target: 'b' }],
  });
  const base = stateFromSnapshot(g, {
    time_s: 0,
    nodes: [
      { name: 'a', root: 'ff'.repeat(32), parent: null, descending: null, coords: [] },
      { name: 'b', root: '01'.repeat(32), parent: null, descending: null, coords: [] },
    ],
    links: [],
  });
  const r = parseEvents(LOG);
  const early = stateAt(g, base, r, 1.001);
  assert.equal(early.parent[1], -1);
  assert.equal(early.links.length, 1, 'a frame in the air on a–b: the link is up');
  const later = stateAt(g, base, r, 1.5);
  assert.equal(later.parent[1], 0, 'b took a as parent at 1.004');
  assert.equal(later.isRoot[1], 0);
  assert.equal(later.links.length, 0, 'nothing in the air, the snapshot has no link');
  assert.equal(base.parent[1], -1, 'the snapshot state is not changed');
});

test('hop reasons: the nodes named by key prefix come first', () => {
  const g = buildGraph({
    nodes: [
      { name: 'n7', key: `6790${'0'.repeat(60)}` },
      { name: 'x', key: `1234${'0'.repeat(60)}` },
      { name: 'y', key: `1234${'1'.repeat(60)}` },
    ],
    links: [],
  });
  const reason = "SNEK: parent's ancestor 6790… is closer to the destination";
  assert.deepEqual(namesInReason(g, reason), ['n7']);
  assert.deepEqual(namesInReason(g, 'table entry for key 1234…'), [], 'ambiguous: left out');
  assert.equal(
    formatHop({ node: 'a', port: 1, next: 'b', reason }, 0, namesInReason(g, reason)),
    `1. a → b (port 1), towards n7: ${reason}`,
  );
});
