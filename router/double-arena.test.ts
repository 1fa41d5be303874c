import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DIRECT_DOUBLES, DoubleArena } from './double-arena.ts';

test('DoubleArena: live chunks never share a double, a chunk is zeroed when handed out, and all room comes back (property)', () => {
  const op = fc.oneof(
    // Table-sized chunks (from slabs) and a few hub-sized ones (past the pooled limit: arrays of
    // their own).
    { weight: 6, arbitrary: fc.record({ alloc: fc.integer({ min: 1, max: 3000 }) }) },
    { weight: 1, arbitrary: fc.record({ alloc: fc.integer({ min: 16_000, max: 17_000 }) }) },
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
          // Whole entries of four doubles: at most three more than asked.
          assert.ok(a.length >= o.alloc && a.length < o.alloc + 4);
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
        for (const { a, mark: m } of live) assert.ok(a.every((x) => x === m));
        // Every double of the slabs held is either handed out or free.
        let out = 0;
        for (const { a } of live) if (a.length <= 16_384) out += a.length;
        assert.equal(arena.slabbed, out + arena.idle);
      }
      // Everything given back: every slab but the newest goes back to the GC, and the newest is
      // one free block again.
      for (const { a } of live) arena.release(a);
      assert.equal(arena.idle, arena.slabbed);
      if (arena.slabbed > 0) assert.ok(arena.alloc(arena.slabbed).length === arena.slabbed);
    }),
    { seed: 17, numRuns: 300 },
  );
});

test('DoubleArena: room given back joins its free neighbours and is handed out again whatever length is asked', () => {
  const arena = new DoubleArena();
  const a = arena.alloc(40);
  const b = arena.alloc(40);
  const c = arena.alloc(40);
  assert.equal(a.length, 40);
  assert.equal(a.buffer, b.buffer, 'cut from one slab');
  assert.equal(b.byteOffset, a.byteOffset + 320);
  assert.equal(arena.alloc(41).length, 44, 'whole entries of four doubles');
  a.fill(3);
  b.fill(4);
  arena.release(a);
  arena.release(b);
  // a and b joined: a request for both lands where a was, zeroed.
  const ab = arena.alloc(80);
  assert.equal(ab.buffer, a.buffer);
  assert.equal(ab.byteOffset, a.byteOffset);
  assert.ok(ab.every((x) => x === 0));
  // Best fit: a hole of 40 between two live chunks takes a request of 36, not the slab's tail.
  arena.release(ab);
  const d = arena.alloc(40);
  const e = arena.alloc(40);
  arena.release(d);
  const f = arena.alloc(36);
  assert.equal(f.byteOffset, d.byteOffset);
  void [c, e];
  // An array not cut here is not taken.
  const idle = arena.idle;
  arena.release(new Float64Array(40));
  assert.equal(arena.idle, idle);
  // Past the first slab's 4,096 doubles, the next is twice as long; a slab with nothing handed out
  // goes back to the GC unless it is the newest.
  const first = new DoubleArena();
  const chunks = Array.from({ length: 110 }, () => first.alloc(40));
  assert.equal(first.slabbed, 4096 + 8192);
  for (const x of chunks.slice(0, 102)) first.release(x);
  assert.equal(first.slabbed, 8192, 'the first slab given back');
  for (const x of chunks.slice(102)) first.release(x);
  assert.equal(first.slabbed, 8192, 'the newest kept');
  assert.equal(first.idle, 8192);
  // Long arrays stand alone.
  const big = arena.alloc(20_000);
  assert.equal(big.length, 20_000);
  assert.equal(big.buffer.byteLength, 160_000, 'an array of its own');
  assert.equal(arena.alloc(0).length, 0);
  // Without an arena (a router on its own): a fresh array each time, nothing kept.
  const g = DIRECT_DOUBLES.alloc(40);
  DIRECT_DOUBLES.release(g);
  assert.notEqual(DIRECT_DOUBLES.alloc(40), g);
});
