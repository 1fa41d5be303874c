import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NO_PORT } from './decisions/links.ts';
import { destinationPortOf, PORTS, sourcePortOf, TableRun } from './table-run.ts';

const keyOf = (hi: number, lo = 0) => {
  const a = new Uint8Array(32);
  a[0] = hi;
  a[31] = lo;
  return a;
};

test('TableRun: a row gives back the ports and root it was written with, at every port (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: NO_PORT, max: 65535 }),
      fc.integer({ min: 0, max: 255 }),
      fc.double({ min: 0, max: 2 ** 53, noNaN: true }),
      (source, destination, root, seq) => {
        const run = new TableRun();
        run.insertAt(0, keyOf(1), source, destination, seq, 5, keyOf(root, 7), seq);
        assert.equal(run.sourcePort(0), source);
        assert.equal(run.destinationPort(0), destination);
        assert.deepEqual(run.rootKey(0), keyOf(root, 7));
        assert.equal(run.seq(0), seq);
        assert.equal(run.rootSeq(0), seq);
        const ports = run.data[run.row(0) + PORTS] as number;
        assert.equal(sourcePortOf(ports), source);
        assert.equal(destinationPortOf(ports), destination);
      },
    ),
    { seed: 21, numRuns: 2000 },
  );
});

test('TableRun: roots no entry names are dropped, and every entry keeps its own', () => {
  const run = new TableRun();
  // Two entries that keep root (100, 1) throughout, one whose root changes 40 times.
  run.insertAt(0, keyOf(1), 1, 2, 1, 0, keyOf(100), 1);
  run.insertAt(1, keyOf(2), 2, NO_PORT, 1, 0, keyOf(100), 1);
  run.insertAt(2, keyOf(3), 3, 1, 1, 0, keyOf(0), 1);
  for (let r = 1; r <= 40; r++) {
    run.write(2, 3, 1, r, r, keyOf(r), r);
    assert.ok(run.roots.length <= 8, `${run.roots.length} roots named after ${r} changes`);
    assert.deepEqual(run.rootKey(0), keyOf(100));
    assert.deepEqual(run.rootKey(1), keyOf(100));
    assert.deepEqual(run.rootKey(2), keyOf(r));
    assert.deepEqual([run.rootSeq(0), run.rootSeq(2)], [1, r]);
    assert.deepEqual([run.sourcePort(2), run.destinationPort(2)], [3, 1]);
    assert.deepEqual([run.sourcePort(1), run.destinationPort(1)], [2, NO_PORT]);
  }
});

test('TableRun: a root is its key and sequence: a new sequence of the same key is another root', () => {
  const run = new TableRun();
  run.insertAt(0, keyOf(1), 1, 2, 1, 0, keyOf(100), 4);
  run.insertAt(1, keyOf(2), 1, 2, 1, 0, keyOf(100), 5);
  assert.deepEqual([run.rootSeq(0), run.rootSeq(1)], [4, 5]);
  assert.equal(run.roots.length, 2);
  run.write(0, 1, 2, 2, 1, keyOf(100), 5);
  assert.deepEqual([run.rootSeq(0), run.rootSeq(1)], [5, 5]);
  assert.equal(run.roots.length, 2, 'the unused root stays until a compaction is due');
});

test('TableRun: a merge names the other run’s roots in its own', () => {
  const main = new TableRun();
  const side = new TableRun();
  main.insertAt(0, keyOf(10), 1, 2, 1, 0, keyOf(200), 1);
  main.insertAt(1, keyOf(30), 1, 2, 1, 0, keyOf(200), 1);
  // The side run names two roots in another order: index 0 there is not index 0 here.
  side.insertAt(0, keyOf(20), 4, 5, 1, 0, keyOf(201), 1);
  side.insertAt(1, keyOf(40), 6, NO_PORT, 1, 0, keyOf(200), 1);
  main.mergeFrom(side);
  assert.equal(side.length, 0);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => [main.keys[i]?.[0], main.rootKey(i)[0], main.sourcePort(i)]),
    [
      [10, 200, 1],
      [20, 201, 4],
      [30, 200, 1],
      [40, 200, 6],
    ],
  );
  assert.equal(main.destinationPort(3), NO_PORT);
});

test('TableRun: the last lookup is remembered only until the keys change', () => {
  const run = new TableRun();
  const other = new TableRun();
  const probe = keyOf(50);
  run.insertAt(0, keyOf(60), 1, 2, 1, 0, keyOf(200), 1);
  assert.equal(run.lowerBound(probe), 0);
  // A key inserted before the probe's place moves it, though the probe was not the key inserted.
  run.insertAt(0, keyOf(40), 1, 2, 1, 0, keyOf(200), 1);
  assert.equal(run.lowerBound(probe), 1);
  // A merge moves it too.
  other.insertAt(0, keyOf(10), 1, 2, 1, 0, keyOf(200), 1);
  run.mergeFrom(other);
  assert.equal(run.lowerBound(probe), 2);
  // And a removal.
  run.removePort(1);
  assert.equal(run.lowerBound(probe), 0);
  // An equal key that is another object is looked up, not taken for the one remembered.
  run.insertAt(0, keyOf(50), 3, 4, 1, 0, keyOf(200), 1);
  assert.equal(run.lowerBound(keyOf(50)), 0);
  assert.equal(run.lowerBound(keyOf(51)), 1);
});
