/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Snapshot, TopologyFile } from '../../../results/schema.ts';
import { buildGraph, stateFromSnapshot } from './graph.ts';
import { arcHeight, componentsOf, keyspaceModel } from './keyspace.ts';

// Key order: d (11) < b (aa) < a (cc) < c (ff); e (22) sits alone in its own component.
const topo: TopologyFile = {
  nodes: [
    { name: 'a', key: 'cc' },
    { name: 'b', key: 'aa' },
    { name: 'c', key: 'ff' },
    { name: 'd', key: '11' },
    { name: 'e', key: '22' },
  ],
  links: [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
    { source: 'c', target: 'd' },
  ],
};
const g = buildGraph(topo);
const idx = (name: string): number => g.index.get(name)!;

const snap = (desc: Record<string, string | null>, extra: Snapshot['nodes'] = []): Snapshot => ({
  time_s: 1,
  nodes: [
    ...Object.entries(desc).map(([name, descending]) => ({
      name,
      root: 'ff',
      parent: null,
      descending,
      coords: [],
    })),
    ...extra,
  ],
  links: topo.links.map((l) => [l.source, l.target] as const),
});

test('true predecessors per component; a converged snake has no wrong pointer', () => {
  const st = stateFromSnapshot(g, snap({ a: 'b', b: 'd', c: 'a', d: null, e: null }));
  const m = keyspaceModel(g, st);
  assert.equal(m.pred[idx('a')], idx('b'));
  assert.equal(m.pred[idx('b')], idx('d'));
  assert.equal(m.pred[idx('c')], idx('a'));
  assert.equal(m.pred[idx('d')], -1);
  // e's key (22) is between d and b, but e is in another component: it has no predecessor.
  assert.equal(m.pred[idx('e')], -1);
  assert.equal(m.wrong, 0);
  assert.deepEqual(m.missing, []);
  assert.deepEqual(
    m.arcs.map((a) => [g.nodes[a.from]!.name, g.nodes[a.to]!.name, a.ranks, a.wrong]),
    [
      ['a', 'b', 1, false],
      ['b', 'd', 2, false], // e's rank lies between them
      ['c', 'a', 1, false],
    ],
  );
});

test('wrong, missing and should-be-none pointers are all counted; absent nodes are skipped', () => {
  const st = stateFromSnapshot(g, snap({ a: 'd', b: null, c: 'a', d: 'e' }));
  const m = keyspaceModel(g, st);
  // a → d skips b (wrong); b has none but d precedes it (missing); d points although smallest.
  assert.equal(m.wrong, 3);
  assert.deepEqual(m.missing, [idx('b')]);
  assert.deepEqual(
    m.arcs.filter((a) => a.wrong).map((a) => g.nodes[a.from]!.name),
    ['a', 'd'],
  );
  assert.equal(componentsOf(g.nodes.length, st)[idx('e')], -1, 'e is absent');
});

test('pointers to nodes topology.json does not list are unresolved, not wrong', () => {
  const st = stateFromSnapshot(
    g,
    snap({ a: 'b', b: 'gone', c: 'a', d: null }, [
      { name: 'gone', root: 'ff', parent: null, descending: 'd', coords: [] },
    ]),
  );
  assert.equal(st.unknown, 1);
  const m = keyspaceModel(g, st);
  assert.equal(m.unresolved, 1);
  assert.equal(m.wrong, 0);
  assert.equal(m.arcs.length, 2);
});

test('arcHeight: visible minimum for adjacent keys, monotone, capped at max', () => {
  assert.equal(arcHeight(1, 10_000, 16, 96), 16);
  assert.equal(arcHeight(9_999, 10_000, 16, 96), 96);
  assert.equal(arcHeight(5, 2, 16, 96), 16);
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 100_000 }),
      fc.integer({ min: 1, max: 100_000 }),
      fc.integer({ min: 1, max: 100_000 }),
      (n, r1, r2) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        const a = arcHeight(lo, n, 16, 96);
        const b = arcHeight(hi, n, 16, 96);
        return a >= 16 && b <= 96 && a <= b;
      },
    ),
    { seed: 42, numRuns: 500 },
  );
});
