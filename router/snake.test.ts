import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { NO_PORT } from './decisions/links.ts';
import { compareKeys, FULL_MASK, keyPrefix, prefixLowerBound } from './keys.ts';
import { SnakeEntry, SnakeState } from './snake.ts';
import { FIELDS } from './table-run.ts';

const k = (b: number) => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};
const e = (key: number, src: number, dst: number, at = 0) =>
  new SnakeEntry(k(key), src, dst, 1, at, k(9), 1);

describe('SnakeState', () => {
  it('keeps entries in ascending key order and overwrites by key', () => {
    const s = new SnakeState(5);
    for (const key of [5, 1, 3, 7]) s.put(e(key, 1, 2));
    s.put(e(3, 4, NO_PORT));
    assert.deepEqual(
      s.entries.map((x) => x.key[0]),
      [1, 3, 5, 7],
    );
    assert.equal(s.get(k(3))?.sourcePort, 4);
    assert.equal(s.get(k(4)), null);
  });
  it('removes entries by source or destination port and by age (§4.5, §6.3)', () => {
    const s = new SnakeState(5);
    s.put(e(1, 1, 2));
    s.put(e(2, 3, 1));
    s.put(e(3, 3, 4, 5));
    s.removePort(1);
    assert.deepEqual(
      s.entries.map((x) => x.key[0]),
      [3],
    );
    s.removeExpired(14, 10);
    assert.equal(s.entries.length, 1);
    s.removeExpired(15, 10);
    assert.equal(s.entries.length, 0);
  });
  it('descending changes trigger bootstrap soon; same-key refresh does not; clearing always does', () => {
    const s = new SnakeState(5_000_000);
    s.lastBootstrap = 100;
    s.setDescending(e(2, 1, 2), 1_000);
    assert.equal(s.lastBootstrap, 1_000 - 5_000_000);
    s.lastBootstrap = 100;
    s.setDescending(e(2, 3, 2), 2_000);
    assert.equal(s.lastBootstrap, 100);
    s.setDescending(null, 3_000);
    assert.equal(s.lastBootstrap, 3_000 - 5_000_000);
    s.lastBootstrap = 100;
    s.setDescending(null, 4_000);
    assert.equal(s.lastBootstrap, 4_000 - 5_000_000);
  });
  it('counts installs of keys the table lacked: not replacements, not undone by a reset (§6.5 step 6)', () => {
    const s = new SnakeState(5);
    s.insert(e(1, 1, 2));
    s.put(e(2, 1, 2)); // a new key through put()
    s.put(e(1, 3, 2)); // replaces key 1
    assert.equal(s.installs, 2);
    s.removePort(1);
    s.removeExpired(100, 10);
    s.clear();
    s.insert(e(1, 1, 2)); // gone since: installed again
    assert.equal(s.installs, 3);
  });
  it('the descending pointer is a snapshot: deleting the table entry does not clear it (§6.1)', () => {
    const s = new SnakeState(5);
    const x = e(2, 1, 3);
    s.put(x);
    s.setDescending(x, 0);
    s.removePort(3);
    assert.equal(s.entries.length, 0);
    assert.equal(s.descending, x);
  });
});

test('SnakeState: two sorted runs with prefixes stay one table through puts, removals, merges and clears (property)', () => {
  let sideSeen = 0;
  // Keys from a tiny alphabet in bytes 0 and 31: many share their 6-byte prefix (keyPrefix ties).
  // Mostly puts, so that the side run grows past its merge threshold between removals.
  const op = fc.oneof(
    {
      weight: 60,
      arbitrary: fc.record({
        put: fc.integer({ min: 0, max: 15 }),
        low: fc.integer({ min: 0, max: 7 }),
        // The highest port a router can have, too: the ports share a double with the root.
        port: fc.constantFrom(1, 2, 3, 65535),
        // More roots than a run names before it drops unused ones (table-run.ts compactRoots).
        root: fc.integer({ min: 0, max: 11 }),
        at: fc.integer({ min: 0, max: 20 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ removePort: fc.constantFrom(1, 2, 3, 65535) }) },
    { weight: 1, arbitrary: fc.record({ expireAt: fc.integer({ min: 0, max: 30 }) }) },
    { weight: 1, arbitrary: fc.constant({ clear: true }) },
    { weight: 1, arbitrary: fc.constant({ merge: true }) },
  );
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 200, size: 'max' }),
      fc.constantFrom(0, 8, 256),
      (ops, sideFrom) => {
        // New keys to the side run from 0 or 8 entries (as in a big table, so that merges happen),
        // or all to the main run (256: a small table).
        const s = new SnakeState(5, { sideFrom });
        const model = new Map<string, SnakeEntry>();
        // One object per key, as a run's keys are the frames' own objects: TableRun.lowerBound
        // remembers its last key by identity, so a stale answer after a change would show below.
        const interned = new Map<number, Uint8Array>();
        const keyOf = (hi: number, lo: number) => {
          let a = interned.get(hi * 256 + lo);
          if (a === undefined) {
            a = new Uint8Array(32);
            a[0] = hi;
            a[31] = lo;
            interned.set(hi * 256 + lo, a);
          }
          return a;
        };
        let step = 0;
        for (const o of ops) {
          // A key looked up just before the change and again after it: a lookup remembered
          // across a change of the run's keys (TableRun.lowerBound) would give the old place.
          const probe = keyOf(step % 16, (7 * step++) % 8);
          for (const run of [s.main, s.side]) run.lowerBound(probe);
          if ('put' in o) {
            // Every field distinct from the others, so a column read for another shows.
            const entry = new SnakeEntry(
              keyOf(o.put, o.low),
              o.port,
              o.low % 3 === 0 ? NO_PORT : (o.port % 65535) + 1,
              3 * o.at + 1,
              o.at,
              k(o.root),
              o.low + 7,
            );
            // As bootstrap handling does: insert() for a key the table lacks, put() otherwise.
            if (s.get(entry.key) === null) s.insert(entry);
            else s.put(entry);
            model.set(`${o.put}.${o.low}`, entry);
          } else if ('removePort' in o) {
            s.removePort(o.removePort);
            for (const [id, x] of model)
              if (x.sourcePort === o.removePort || x.destinationPort === o.removePort)
                model.delete(id);
          } else if ('expireAt' in o) {
            s.removeExpired(o.expireAt, 10);
            for (const [id, x] of model) if (o.expireAt - x.lastSeen >= 10) model.delete(id);
          } else if ('merge' in o) {
            // Reading the entries does not move them (bootstrap handling holds a slot across it).
            const sizes = [s.main.length, s.side.length];
            const want = [...model.values()].sort((a, b) => compareKeys(a.key, b.key));
            assert.deepEqual(s.entries, want);
            assert.deepEqual([s.main.length, s.side.length], sizes);
            s.merge();
            assert.equal(s.side.length, 0);
            assert.deepEqual(s.entries, want);
          } else {
            s.clear();
            model.clear();
          }
          for (const run of [s.main, s.side])
            assert.equal(
              run.lowerBound(probe),
              prefixLowerBound(run.data, run.keys, run.length, probe),
            );
          const want = [...model.values()].sort((a, b) => compareKeys(a.key, b.key));
          // Each run sorted with its prefixes in step; every key found; before `entries` merges.
          const inRuns: SnakeEntry[] = [];
          for (const run of [s.main, s.side]) {
            assert.equal(run.keys.length, run.capacity);
            // Past the entries only the placeholder: a run keeps no key it does not hold.
            for (let i = run.length; i < run.capacity; i++) assert.equal(run.keys[i], FULL_MASK);
            // Each root named once (entryAt, below, checks every entry's root).
            const roots = run.roots.map((r) => `${Buffer.from(r.key).toString('hex')}/${r.seq}`);
            assert.equal(new Set(roots).size, roots.length);
            assert.ok(run.capacity >= run.length);
            assert.equal(run.data.length, run.capacity * (1 + FIELDS));
            for (let i = 0; i < run.length; i++) {
              const key = run.keys[i] as Uint8Array;
              assert.equal(run.data[i], keyPrefix(key));
              assert.equal(run.search(key), i);
              if (i > 0) assert.ok(compareKeys(run.keys[i - 1] as Uint8Array, key) < 0);
              inRuns.push(s.entryAt(run === s.main ? i : -2 - i));
            }
          }
          assert.equal(s.size, want.length);
          // The lazy view shows the table as it is now (made again after each change).
          assert.deepEqual([...s.view], want);
          assert.equal(s.view.length, want.length);
          for (const x of want) assert.deepEqual(s.get(x.key), x);
          assert.equal(s.get(keyOf(200, 0)), null);
          inRuns.sort((a, b) => compareKeys(a.key, b.key));
          assert.deepEqual(inRuns, want);
          sideSeen = Math.max(sideSeen, s.side.length);
        }
      },
    ),
    { seed: 11, numRuns: 300 },
  );
  // The side run really filled up to its merge threshold (16 below 256 entries), so puts merged.
  assert.equal(sideSeen, 16, `largest side run ${sideSeen}`);
});
