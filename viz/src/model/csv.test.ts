/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvError, parseCoords, parseNodes, parsePairs, parseTimeseries } from './csv.ts';

const NODES = `node,key,root,root_seq,parent,coords,depth,bfs_depth,descending,table_size,coords_cache_size,tree_converged_at,snake_converged_at
a,AB01,ff00,3,,[],0,0,,4,2,0.5,
b,cd02,ff00,3,a,[1 2],2,1,a,7,3,1.25,2`;

test('parseNodes: numbers, empty cells kept as empty, keys lower-cased', () => {
  const rows = parseNodes(NODES);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], {
    node: 'a',
    key: 'ab01',
    root: 'ff00',
    root_seq: 3,
    parent: '',
    coords: '[]',
    depth: 0,
    bfs_depth: 0,
    descending: '',
    table_size: 4,
    coords_cache_size: 2,
    tree_converged_at: 0.5,
    snake_converged_at: '',
    snake_losses: '', // a results folder from before the column
    table_installs: '', // likewise
  });
  assert.equal(rows[1]!.parent, 'a');
  assert.equal(rows[1]!.snake_converged_at, 2);
  const withLosses = parseNodes(`${NODES.replace('\n', ',snake_losses\n').replace(/2$/, '2,3')}`);
  assert.equal(withLosses[1]!.snake_losses, 3);
  const withInstalls = parseNodes(
    `${NODES.replace('\n', ',snake_losses,table_installs\n').replace(/2$/, '2,3,41')}`,
  );
  assert.equal(withInstalls[1]!.table_installs, 41);
});

test('parseNodes: missing column and non-number name the file and line', () => {
  assert.throws(
    () => parseNodes('node,key\na,b'),
    (e: unknown) =>
      e instanceof CsvError && /nodes\.csv:1: missing column\(s\) root/.test(e.message),
  );
  const bad = NODES.replace('a,AB01,ff00,3,,[],0,', 'a,AB01,ff00,3,,[],zero,');
  assert.throws(
    () => parseNodes(bad),
    /nodes\.csv:2: expected a number in column depth, got "zero"/,
  );
});

test('parseTimeseries and parsePairs', () => {
  const ts = parseTimeseries('time_s,metric,value\n0.5,tree_fraction,0.25\n1,topology_change,1\n');
  assert.deepEqual(ts, [
    { time_s: 0.5, metric: 'tree_fraction', value: 0.25 },
    { time_s: 1, metric: 'topology_change', value: 1 },
  ]);
  const pairs = parsePairs(
    'mode,source,destination,shortest_hops,hops,stretch,outcome,reached\nsnek,a,b,2,3,1.5,delivered,b\ntree,a,c,1,,,dropped,\n',
  );
  assert.equal(pairs[0]!.stretch, 1.5);
  assert.equal(pairs[1]!.hops, '');
  assert.equal(pairs[1]!.stretch, '');
  assert.throws(
    () => parsePairs('mode,source,destination,hops,stretch,outcome\nfast,a,b,1,1,delivered'),
    /pairs\.csv:2: expected mode/,
  );
  assert.throws(
    () => parsePairs('mode,source,destination,hops,stretch,outcome\nsnek,a,b,1,1,gone'),
    /pairs\.csv:2: expected an outcome/,
  );
});

test('parseCoords', () => {
  assert.deepEqual(parseCoords('[]'), []);
  assert.deepEqual(parseCoords('[1 2 3]'), [1, 2, 3]);
  assert.deepEqual(parseCoords(' [4] '), [4]);
});
