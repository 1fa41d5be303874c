/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeRow, Snapshot, TopologyFile } from '../../../results/schema.ts';
import {
  bounds,
  buildGraph,
  layout,
  layoutTicks,
  ModelError,
  snakeLinks,
  stateFromNodes,
  stateFromSnapshot,
  treeLinks,
} from './graph.ts';

const topo: TopologyFile = {
  nodes: [
    { name: 'a', key: 'CC' },
    { name: 'b', key: 'aa' },
    { name: 'c', key: 'ff' },
    { name: 'd', key: '11' },
  ],
  links: [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
    { source: 'c', target: 'd' },
  ],
};

const row = (
  node: string,
  key: string,
  parent: string,
  descending: string,
  depth: number,
  root = 'ff',
): NodeRow => ({
  node,
  key,
  root,
  root_seq: 1,
  parent,
  coords: '[]',
  depth,
  bfs_depth: depth,
  descending,
  table_size: 1,
  coords_cache_size: 0,
  tree_converged_at: 1,
  snake_converged_at: 2,
  snake_losses: 0,
  table_installs: 0,
});

test('buildGraph: key ranks by byte order (case-insensitive hex), links as indices', () => {
  const g = buildGraph(topo);
  assert.deepEqual(
    g.nodes.map((n) => n.keyRank),
    [2, 1, 3, 0],
  );
  assert.deepEqual(g.links, [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  assert.throws(
    () => buildGraph({ nodes: topo.nodes, links: [{ source: 'a', target: 'zz' }] }),
    (e: unknown) => e instanceof ModelError && /unknown node "zz"/.test(e.message),
  );
  assert.throws(
    () => buildGraph({ nodes: [...topo.nodes, { name: 'a', key: '00' }], links: [] }),
    /listed twice/,
  );
});

test('tree and snake links from nodes.csv; root = node whose root key is its own', () => {
  const g = buildGraph(topo);
  const st = stateFromNodes(g, [
    row('c', 'ff', '', 'a', 0),
    row('b', 'aa', 'c', 'd', 1),
    row('a', 'cc', 'b', 'b', 2),
    row('d', '11', 'c', '', 1),
  ]);
  assert.deepEqual(treeLinks(st), [
    [0, 1],
    [1, 2],
    [3, 2],
  ]);
  assert.deepEqual(snakeLinks(st), [
    [0, 1],
    [1, 3],
    [2, 0],
  ]);
  assert.deepEqual([...st.isRoot], [0, 0, 1, 0]);
  assert.deepEqual([...st.depth], [2, 1, 0, 1]);
  assert.deepEqual([...st.present], [1, 1, 1, 1]);
});

test('stateFromSnapshot: absent nodes, partial tree, snapshot links', () => {
  const g = buildGraph(topo);
  const snap: Snapshot = {
    time_s: 2,
    label: 'after remove-link b c',
    nodes: [
      { name: 'a', root: 'cc', parent: null, descending: null, coords: [] },
      { name: 'c', root: 'ff', parent: null, descending: 'a', coords: [] },
      { name: 'd', root: 'ff', parent: 'c', descending: null, coords: [1] },
    ],
    links: [
      ['c', 'd'],
      ['a', 'b'],
    ],
  };
  const st = stateFromSnapshot(g, snap);
  assert.equal(st.label, 't = 2 s — after remove-link b c');
  assert.deepEqual([...st.present], [1, 0, 1, 1]);
  assert.deepEqual(treeLinks(st), [[3, 2]]);
  assert.deepEqual(snakeLinks(st), [[2, 0]]);
  assert.deepEqual([...st.isRoot], [1, 0, 1, 0]);
  assert.equal(st.links.length, 2);
});

test('layout: deterministic, finite, keeps recorded positions, linked nodes end closer than average', () => {
  const ring: TopologyFile = {
    nodes: Array.from({ length: 30 }, (_, i) => ({
      name: `n${i}`,
      key: i.toString(16).padStart(2, '0'),
    })),
    links: Array.from({ length: 30 }, (_, i) => ({ source: `n${i}`, target: `n${(i + 1) % 30}` })),
  };
  const g1 = buildGraph(ring);
  const g2 = buildGraph(ring);
  layout(g1);
  layout(g2);
  assert.deepEqual(
    g1.nodes.map((n) => [n.x, n.y]),
    g2.nodes.map((n) => [n.x, n.y]),
  );
  for (const n of g1.nodes) assert.ok(Number.isFinite(n.x) && Number.isFinite(n.y));
  const d = (a: number, b: number) =>
    Math.hypot(g1.nodes[a]!.x - g1.nodes[b]!.x, g1.nodes[a]!.y - g1.nodes[b]!.y);
  const linked = g1.links.reduce((s, [a, b]) => s + d(a, b), 0) / g1.links.length;
  let all = 0;
  for (let a = 0; a < 30; a++) for (let b = a + 1; b < 30; b++) all += d(a, b);
  assert.ok(linked < all / ((30 * 29) / 2) / 2, 'neighbours are placed close together');

  const fixed = buildGraph({
    nodes: topo.nodes.map((n, i) => ({ ...n, x: i * 10, y: 5 - i })),
    links: topo.links,
  });
  layout(fixed);
  assert.deepEqual(
    fixed.nodes.map((n) => [n.x, n.y]),
    [
      [0, 5],
      [10, 4],
      [20, 3],
      [30, 2],
    ],
  );
  const [x0, y0, x1, y1] = bounds(fixed);
  assert.ok(x0 < 0 && y0 < 2 && x1 > 30 && y1 > 5);
  assert.equal(layoutTicks(100), 300);
  assert.ok(layoutTicks(10_000) >= 10 && layoutTicks(10_000) < 300);
});
