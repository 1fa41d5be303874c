import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Scheduler } from './scheduler.ts';

type Op =
  | { op: 'push'; dt: number }
  | { op: 'cancel'; k: number }
  | { op: 'pop' }
  | { op: 'run'; by: number };

// Delays: a few that recur (ties at one time) and a wider spread (deep heaps).
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('push' as const), dt: fc.integer({ min: 0, max: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('push' as const), dt: fc.integer({ min: 0, max: 40 }) }),
  },
  // Time passing with no event at its end (runUntil): `now` moves on by itself.
  { weight: 1, arbitrary: fc.record({ op: fc.constant('run' as const), by: fc.nat({ max: 6 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('cancel' as const), k: fc.nat({ max: 200 }) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
);

/**
 * Run ops against the scheduler; returns the popped labels. `nearSpan` (µs) sets how far the
 * near heap reaches: small ones move events from the far heap at almost every pop.
 */
function runOps(ops: readonly Op[], nearSpan?: number): number[] {
  const s = new Scheduler(16, nearSpan);
  const ids: number[] = [];
  const popped: number[] = [];
  let label = 0;
  const handler = (_k: number, node: number): void => {
    popped.push(node);
  };
  for (const o of ops) {
    if (o.op === 'push') ids.push(s.schedule(s.now + o.dt, 1, label++, 0, 0));
    else if (o.op === 'cancel') {
      if (ids.length > 0) s.cancel(ids[o.k % ids.length] as number);
    } else if (o.op === 'run') s.runUntil(s.now + o.by, handler);
    else while (s.pending > 0 && !s.step(handler)) {}
  }
  while (s.pending > 0) s.step(handler);
  return popped;
}

/** Reference model: a sorted list. */
function model(ops: readonly Op[]): number[] {
  let now = 0;
  const pending: { time: number; label: number }[] = [];
  const cancelled = new Set<number>();
  const fired = new Set<number>();
  const all: number[] = [];
  const popped: number[] = [];
  let label = 0;
  const popOne = (): boolean => {
    pending.sort((a, b) => a.time - b.time || a.label - b.label);
    const e = pending.shift();
    if (e === undefined) return false;
    now = e.time;
    if (cancelled.has(e.label)) return false;
    fired.add(e.label);
    popped.push(e.label);
    return true;
  };
  for (const o of ops) {
    if (o.op === 'push') {
      pending.push({ time: now + o.dt, label });
      all.push(label++);
    } else if (o.op === 'cancel') {
      if (all.length > 0) {
        const l = all[o.k % all.length] as number;
        if (!fired.has(l)) cancelled.add(l);
      }
    } else if (o.op === 'run') {
      const until = now + o.by;
      for (;;) {
        pending.sort((a, b) => a.time - b.time || a.label - b.label);
        if (pending.length === 0 || (pending[0] as { time: number }).time > until) break;
        popOne();
      }
      now = until;
    } else while (pending.length > 0 && !popOne()) {}
  }
  while (pending.length > 0) popOne();
  return popped;
}

test('pops in (time, seq) order for any schedule sequence, with ties and cancels', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 300, size: 'max' }), (ops) => {
      assert.deepEqual(runOps(ops), model(ops));
    }),
    { seed: 42, numRuns: 300 },
  );
});

test('the order is the same whatever the near heap spans (events moved between the heaps)', () => {
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 300, size: 'max' }),
      fc.constantFrom(1, 2, 5, 17, 40),
      (ops, span) => {
        assert.deepEqual(runOps(ops, span), model(ops));
      },
    ),
    { seed: 42, numRuns: 300 },
  );
  assert.throws(() => new Scheduler(16, 0), RangeError);
});

test('same inputs give the same order', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 200, size: 'max' }), (ops) => {
      assert.deepEqual(runOps(ops), runOps(ops));
    }),
    { seed: 42, numRuns: 100 },
  );
});

test('runUntil is inclusive, advances now, honours stop; cancel of a fired id is a no-op', () => {
  const s = new Scheduler();
  const seen: number[] = [];
  const h = (_k: number, node: number): void => {
    seen.push(node);
  };
  const a = s.schedule(10, 0, 1, 0, 0);
  s.schedule(20, 0, 2, 0, 0);
  s.schedule(30, 0, 3, 0, 0);
  s.runUntil(20, h);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(s.now, 20);
  s.cancel(a); // fired already; its slot is reused below
  const b = s.schedule(25, 0, 4, 0, 0);
  s.cancel(a);
  assert.notEqual(a, b);
  s.runUntil(100, h, () => seen.length === 3);
  assert.deepEqual(seen, [1, 2, 4]);
  assert.equal(s.now, 25);
  s.runUntil(100, h);
  assert.deepEqual(seen, [1, 2, 4, 3]);
  assert.equal(s.now, 100);
  assert.throws(() => s.schedule(50, 0, 0, 0, 0), RangeError);
});

test('payloads and columns survive growth', () => {
  const s = new Scheduler(16);
  for (let i = 0; i < 5000; i++) s.schedule((i * 7919) % 1000, 2, i, i % 254, i * 3, { i });
  let last = -1;
  let count = 0;
  s.runUntil(Number.POSITIVE_INFINITY, (kind, node, port, aux, payload) => {
    assert.equal(kind, 2);
    assert.equal(port, node % 254);
    assert.equal(aux, node * 3);
    assert.deepEqual(payload, { i: node });
    assert.ok(s.now >= last);
    last = s.now;
    count++;
  });
  assert.equal(count, 5000);
});

test('the clock is exact on both sides of the small-integer range (about 1,073 s)', () => {
  // The scheduler hands times out as small integers while they fit (asSmallInteger): a time past
  // 2^30 − 1 µs, or past 2^31 where `t | 0` wraps, must come back unchanged.
  const times = [2 ** 30 - 1, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, 2 ** 40, 2 ** 53 - 1];
  const s = new Scheduler();
  for (const t of [...times].reverse()) s.schedule(t, 0, 0, 0, 0);
  const seen: number[] = [];
  s.runUntil(2 ** 31 + 5, () => seen.push(s.now));
  assert.deepEqual(seen, times.slice(0, 5));
  s.runUntil(2 ** 35, () => seen.push(s.now));
  assert.equal(s.now, 2 ** 35);
  s.runUntil(2 ** 53 - 1, () => seen.push(s.now));
  assert.deepEqual(seen, times);
  // A run's end need not be a whole number of µs: it is kept as given.
  const t = new Scheduler();
  t.runUntil(2.5, () => {});
  assert.equal(t.now, 2.5);
});
