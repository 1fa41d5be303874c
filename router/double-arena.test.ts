import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DIRECT_DOUBLES, DoubleArena } from './double-arena.ts';

test('DoubleArena: live chunks never share a double, and a chunk handed out again is zeroed (property)', () => {
  const op = fc.oneof(
    // Table-sized chunks (from slabs), bigger ones (arrays of their own, kept for reuse while
    // few are idle), a few hub-sized ones (past the pooled limit: arrays of their own).
    { weight: 6, arbitrary: fc.record({ alloc: fc.integer({ min: 1, max: 600 }) }) },
    { weight: 2, arbitrary: fc.record({ alloc: fc.integer({ min: 1100, max: 3000 }) }) },
    { weight: 1, arbitrary: fc.record({ alloc: fc.integer({ min: 8000, max: 9000 }) }) },
    { weight: 5, arbitrary: fc.record({ release: fc.nat() }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
      const arena = new DoubleArena();
      // Each live chunk filled with its own mark: a chunk cut over another shows a foreign mark.
      const live: { a: Float64Array; mark: number }[] = [];
      let mark = 0;
      for (const o of ops) {
        if ('alloc' in o) {
          const a = arena.alloc(o.alloc);
          // At most a quarter more than asked (a class length), or exactly (past the pooled).
          assert.ok(a.length >= o.alloc && a.length <= Math.max(o.alloc * 1.25 + 4, o.alloc + 32));
          assert.ok(
            a.every((x) => x === 0),
            'handed out zeroed',
          );
          a.fill(++mark);
          live.push({ a, mark });
        } else if (live.length > 0) {
          const [gone] = live.splice(o.release % live.length, 1);
          arena.release((gone as { a: Float64Array }).a);
        }
        for (const { a, mark: m } of live) assert.ok(a[0] === m && a[a.length - 1] === m);
      }
    }),
    { seed: 17, numRuns: 300 },
  );
});

test('DoubleArena: a chunk given back is the next of its class; slabs grow, long arrays stand alone', () => {
  const arena = new DoubleArena();
  const a = arena.alloc(40);
  assert.equal(a.length, 64, 'the least class that holds 40');
  const b = arena.alloc(40);
  assert.equal(a.buffer, b.buffer, 'cut from one slab');
  a.fill(3);
  arena.release(a);
  assert.equal(arena.idle, 64);
  // An array not cut here (no class length) is not taken.
  arena.release(new Float64Array(40));
  assert.equal(arena.idle, 64);
  const c = arena.alloc(40);
  assert.equal(c, a, 'the chunk given back');
  assert.equal(c[0], 0);
  assert.equal(arena.idle, 0);
  assert.equal(arena.alloc(64).length, 64);
  assert.equal(arena.alloc(65).length, 96);
  // Past the first slab's 4,096 doubles, the next is twice as long.
  for (let i = 0; i < 110; i++) arena.alloc(40);
  assert.equal(arena.slabbed, 4096 + 8192);
  const big = arena.alloc(10_000);
  assert.equal(big.length, 10_000);
  assert.equal(big.buffer.byteLength, 80_000, 'an array of its own');
  arena.release(big);
  assert.equal(arena.idle, 0, 'not kept');
  assert.equal(arena.alloc(0).length, 0);
  // Past SLAB_MAX (1,024 doubles): arrays of their own, kept for reuse only while the idle ones of
  // a length are fewer than an eighth of those in use.
  const held = Array.from({ length: 16 }, () => arena.alloc(2000));
  const length = (held[0] as Float64Array).length;
  assert.ok(length >= 2000 && length < 2500);
  assert.notEqual((held[0] as Float64Array).buffer, (held[1] as Float64Array).buffer);
  assert.equal((held[0] as Float64Array).buffer.byteLength, length * 8, 'an array of its own');
  const before = arena.idle;
  // Given back one by one: kept while idle × 8 < in use (16 → 15 in use: 0 idle, kept; 14: 1,
  // kept; 13: 2, dropped; and so on).
  for (const h of held) arena.release(h);
  assert.equal(arena.idle - before, 2 * length, 'two kept, fourteen left to the GC');
  const again = arena.alloc(2000);
  assert.ok(held.includes(again), 'a kept one handed out again');
  assert.ok(
    again.every((x) => x === 0),
    'zeroed',
  );
  // Without an arena (a router on its own): a fresh array each time, nothing kept.
  const d = DIRECT_DOUBLES.alloc(40);
  DIRECT_DOUBLES.release(d);
  assert.notEqual(DIRECT_DOUBLES.alloc(40), d);
});
