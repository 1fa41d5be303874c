/**
 * router/double-arena.ts — where the routing tables' rows live: Float64Arrays cut from shared
 * slabs and recycled by length, so that a table growing allocates no buffer of its own.
 *
 * Why: every `new Float64Array(n)` longer than 64 bytes is an ArrayBuffer with its own backing
 * store outside V8's heap (a calloc, external-memory accounting that paces the GC, a sweep to free
 * it). A table grows by a quarter at a time (table-run.ts reserve), so a table of a hundred
 * entries has had ten of them, and in a run where bootstrap paths move, tables grow and shrink
 * all the time: at 100,000 nodes the allocations alone were 4.3% of the profile, and a run cut from
 * slabs took 18% less CPU (docs/large-networks.md, "Rows from slabs").
 *
 * A run's arena is shared by its routers (the host gives each one the same; two runs never share
 * one): what one table gives back, another takes. Chunks are views of a slab; a slab lives while
 * any chunk of it does. Arrays longer than MAX_POOLED (hubs' tables) are allocated on their own,
 * as before: they are few, and would leave a slab's tail unused.
 *
 * A chunk given back must not be read or written by its old owner again: the next alloc of its
 * length hands it out, zeroed. TableRun, the one user, drops its reference in the same step.
 */

/** Longest chunk cut from a slab (doubles): a table of 2,048 entries. */
const MAX_POOLED = 8192;
/** The first slab's length (doubles); each next one is twice the last, up to MAX_SLAB. */
const FIRST_SLAB = 4096;
/** 1 MB: a slab's unusable tail is at most 1/16 of it (a chunk of MAX_POOLED that did not fit). */
const MAX_SLAB = 131_072;

/** Allocates and takes back the Float64Arrays of a run's tables. */
export interface DoubleStore {
  /** A zeroed array of exactly `length` doubles. */
  alloc(length: number): Float64Array;
  /** `a` (from alloc) will not be used again by its holder. */
  release(a: Float64Array): void;
}

/** No pooling: a fresh array per alloc (a router on its own: tests, a live node). */
export const DIRECT_DOUBLES: DoubleStore = Object.freeze({
  alloc: (length: number): Float64Array => new Float64Array(length),
  release: (): void => {},
});

export class DoubleArena implements DoubleStore {
  private slab: Float64Array = new Float64Array(0);
  private used = 0;
  private nextSlab = FIRST_SLAB;
  /** Chunks given back, by length. */
  private readonly free = new Map<number, Float64Array[]>();
  /** Doubles in slabs made so far (for the heap bench and tests). */
  slabbed = 0;

  alloc(length: number): Float64Array {
    if (length <= 0) return new Float64Array(0);
    if (length > MAX_POOLED) return new Float64Array(length);
    const back = this.free.get(length);
    if (back !== undefined && back.length > 0) {
      const a = back.pop() as Float64Array;
      a.fill(0);
      return a;
    }
    if (this.used + length > this.slab.length) {
      // The old slab's tail (shorter than this chunk) stays unused.
      const size = Math.max(this.nextSlab, length);
      this.slab = new Float64Array(size);
      this.slabbed += size;
      this.nextSlab = Math.min(MAX_SLAB, this.nextSlab * 2);
      this.used = 0;
    }
    const a = this.slab.subarray(this.used, this.used + length);
    this.used += length;
    return a;
  }

  release(a: Float64Array): void {
    const length = a.length;
    if (length === 0 || length > MAX_POOLED) return;
    let back = this.free.get(length);
    if (back === undefined) {
      back = [];
      this.free.set(length, back);
    }
    back.push(a);
  }

  /** Doubles held in chunks given back and not yet handed out again. */
  get idle(): number {
    let n = 0;
    for (const [length, back] of this.free) n += length * back.length;
    return n;
  }
}
