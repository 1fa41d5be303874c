/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathRecord } from '../../../results/schema.ts';
import { buildGraph } from './graph.ts';
import { bfsPath, formatHop, indexPaths, namesToLinks, pathNodes, pathsFor } from './paths.ts';

const rec = (mode: PathRecord['mode'], source = 'a', destination = 'c'): PathRecord => ({
  mode,
  source,
  destination,
  outcome: 'delivered',
  hops: [
    { node: 'a', port: 2, next: 'b', reason: 'tree: parent is closer' },
    { node: 'b', port: 1, next: 'c', reason: 'tree: destination is a direct peer' },
    { node: 'c', port: 0, next: null, reason: 'delivered' },
  ],
  shortest: ['a', 'b', 'c'],
});

test('indexPaths / pathsFor: per pair, modes in snek, hybrid, tree order', () => {
  const idx = indexPaths([rec('tree'), rec('snek'), rec('hybrid'), rec('snek', 'c', 'a')]);
  assert.deepEqual(
    pathsFor(idx, 'a', 'c').map((r) => r.mode),
    ['snek', 'hybrid', 'tree'],
  );
  assert.equal(pathsFor(idx, 'c', 'a').length, 1);
  assert.deepEqual(pathsFor(idx, 'a', 'b'), []);
});

test('formatHop and pathNodes', () => {
  const r = rec('tree');
  assert.equal(formatHop(r.hops[0]!, 0), '1. a → b (port 2): tree: parent is closer');
  assert.equal(formatHop(r.hops[2]!, 2), '3. c delivers locally: delivered');
  assert.deepEqual(pathNodes(r), ['a', 'b', 'c']);
  // A dropped path that ends on a forwarding hop still shows where it went.
  const dropped: PathRecord = { ...r, outcome: 'dropped', hops: r.hops.slice(0, 1) };
  assert.deepEqual(pathNodes(dropped), ['a', 'b']);
});

test('namesToLinks and bfsPath', () => {
  const g = buildGraph({
    nodes: ['a', 'b', 'c', 'd', 'e'].map((name, i) => ({ name, key: `0${i}` })),
    links: [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'a', target: 'd' },
      { source: 'd', target: 'c' },
    ],
  });
  assert.deepEqual(namesToLinks(g, ['a', 'b', 'zz', 'c']), [[0, 1]]);
  assert.equal(bfsPath(g, g.links, 0, 2).length, 3);
  assert.deepEqual(bfsPath(g, g.links, 0, 0), [0]);
  assert.deepEqual(bfsPath(g, g.links, 0, 4), []);
});
