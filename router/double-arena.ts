/**
 * router/double-arena.ts — where the routing tables' rows live: Float64Arrays cut from shared
 * slabs and recycled by length, so that a table growing allocates no buffer of its own.
 *
 * Why: every `new Float64Array(n)` longer than 64 bytes is an ArrayBuffer with its own backing
 * store outside V8's heap (a calloc, external-memory accounting that paces the GC, a sweep to free
 * it). A table grows by a quarter at a time (table-run.ts reserve), so a table of a hundred
 * entries has had ten of them, and in a run where bootstrap paths move, tables grow and shrink
 * all the time: at 100,000 nodes the allocations alone were 4.3% of the profile, and a run cut from
 * slabs took 18% less CPU in its first 25 s of virtual time.
 *
 * A run's arena is shared by its routers (the host gives each one the same; two runs never share
 * one): what one table gives back, another of about its size takes. Chunks come in a few lengths
 * (CLASSES), in two tiers:
 * - up to SLAB_MAX (tables of up to about 250 entries): views of a slab, kept for reuse once
 *   given back (a slab lives while any chunk of it does, so room cut from one could not go back
 *   to the system anyway);
 * - up to MAX_POOLED (up to 2,048 entries): arrays of their own, kept for reuse only while the
 *   idle ones of a length are fewer than an eighth of those in use. Tables grow as bootstrap paths
 *   settle and shrink again, and an arena that kept every big chunk given back, cut from slabs,
 *   held their room idle to the end: at the end of a `ba:100000,m=2` quorum, 15% more peak memory
 *   than no arena at all (docs/large-networks.md).
 * Longer arrays (hubs' tables) are allocated on their own, as before.
 *
 * A chunk given back must not be read or written by its old owner again: the next alloc of its
 * length hands it out, zeroed. TableRun, the one user, drops its reference in the same step.
 */

/** Longest chunk recycled (doubles): a table of 2,048 entries. */
const MAX_POOLED = 8192;
/** Longest chunk cut from a slab (doubles): the longest class under it holds 243 entries. */
const SLAB_MAX = 1024;
/**
 * The lengths chunks come in (doubles): from 32, each a quarter longer than the last (at least 32
 * more), in multiples of 4, up to MAX_POOLED. A request gets the least that holds it, so that a
 * chunk given back fits the next table of about its size: with exact lengths, the ones a table
 * shrinking to fit its entries asked for were seldom asked for again, and a long run's arena kept
 * growing (`ba:20000,m=2` to its quorum: 84 MB more peak memory than without an arena).
 */
const CLASSES: readonly number[] = Object.freeze(
  (() => {
    const out = [32];
    for (;;) {
      const last = out[out.length - 1] as number;
      const next = last + Math.max(32, Math.ceil(last / 16) * 4);
      if (next >= MAX_POOLED) break;
      out.push(next);
    }
    out.push(MAX_POOLED);
    return out;
  })(),
);

/** Index in CLASSES of the least length ≥ `length` (≤ MAX_POOLED). */
function classOf(length: number): number {
  let c = 0;
  while ((CLASSES[c] as number) < length) c++;
  return c;
}
/** The first slab's length (doubles); each next one is twice the last, up to MAX_SLAB. */
const FIRST_SLAB = 4096;
/** 1 MB: a slab's unusable tail is at most 1/16 of it (a chunk of MAX_POOLED that did not fit). */
const MAX_SLAB = 131_072;

/** Allocates and takes back the Float64Arrays of a run's tables. */
export interface DoubleStore {
  /** A zeroed array of at least `length` doubles (its length says how many). */
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
  /** Chunks given back, by index in CLASSES. */
  private readonly free: Float64Array[][] = CLASSES.map(() => []);
  /** Chunks handed out and not given back, by index in CLASSES (the big classes' bound). */
  private readonly live: Int32Array = new Int32Array(CLASSES.length);
  /** Doubles in slabs made so far (for the heap bench and tests). */
  slabbed = 0;

  alloc(wanted: number): Float64Array {
    if (wanted <= 0) return new Float64Array(0);
    if (wanted > MAX_POOLED) return new Float64Array(wanted);
    const c = classOf(wanted);
    const back = this.free[c] as Float64Array[];
    (this.live[c] as number)++;
    if (back.length > 0) {
      const a = back.pop() as Float64Array;
      a.fill(0);
      return a;
    }
    const length = CLASSES[c] as number;
    if (length > SLAB_MAX) return new Float64Array(length);
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
    const c = classOf(length);
    // Only chunks of a class length are ours (anything else, say a DIRECT_DOUBLES array, is not).
    if (CLASSES[c] !== length) return;
    (this.live[c] as number)--;
    const back = this.free[c] as Float64Array[];
    if (length <= SLAB_MAX || back.length * 8 < (this.live[c] as number)) back.push(a);
  }

  /** Doubles held in chunks given back and not yet handed out again. */
  get idle(): number {
    let n = 0;
    for (let c = 0; c < CLASSES.length; c++)
      n += (CLASSES[c] as number) * (this.free[c] as Float64Array[]).length;
    return n;
  }
}
