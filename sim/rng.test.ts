import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RandomStreams } from './rng.ts';

test('same seed and name give the same numbers; golden values pin them across machines', () => {
  const a = new RandomStreams(7).stream('links');
  const b = new RandomStreams('7').stream('links');
  const xs = [a.next(), a.next(), a.next()];
  assert.deepEqual(xs, [b.next(), b.next(), b.next()]);
  assert.deepEqual(xs, GOLDEN);
});

const GOLDEN = [0.922347872518003, 0.7469273013994098, 0.018370633712038398];

test('different names and seeds are different streams', () => {
  const s = new RandomStreams(1);
  const x = s.stream('a');
  const y = s.stream('b');
  const z = new RandomStreams(2).stream('a');
  const xs = Array.from({ length: 8 }, () => x.next());
  assert.notDeepEqual(
    xs,
    Array.from({ length: 8 }, () => y.next()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 8 }, () => z.next()),
  );
});

test('int, exponential and pareto have the right ranges and rough means', () => {
  const r = new RandomStreams('dist').stream('x');
  let sumExp = 0;
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) {
    const k = r.int(5);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 5);
    counts[k] = (counts[k] as number) + 1;
    const e = r.exponential(3);
    assert.ok(e >= 0 && Number.isFinite(e));
    sumExp += e;
    assert.ok(r.pareto(2, 1.5) >= 2);
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
  }
  assert.ok(Math.abs(sumExp / 20000 - 3) < 0.15);
  for (const c of counts) assert.ok(c > 3600 && c < 4400);
});

test('sparse(name) draws the numbers stream(name) does, keeping only the state between draws', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 12 }),
      fc.integer({ min: 1, max: 40 }),
      (seed, name, draws) => {
        const streams = new RandomStreams(seed);
        const live = streams.stream(name).fn;
        const sparse = streams.sparse(name);
        for (let i = 0; i < draws; i++) assert.equal(sparse(), live());
      },
    ),
    { seed: 21, numRuns: 200 },
  );
  // Two sparse views of one name are independent copies, as two streams are.
  const streams = new RandomStreams('s');
  const a = streams.sparse('router:n1');
  const first = a();
  a();
  assert.equal(streams.sparse('router:n1')(), first);
});
