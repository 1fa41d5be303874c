/**
 * router/double-arena.ts — where the routing tables' rows live: Float64Arrays cut from a run's
 * slabs, the room given back joined with its free neighbours and handed out again whatever length
 * is asked next.
 *
 * Why: every `new Float64Array(n)` longer than 64 bytes is an ArrayBuffer with its own backing
 * store outside V8's heap, counted as external memory, and V8 starts a major GC whenever external
 * memory has grown by 64 MB since the last one. A table grows by a quarter at a time (table-run.ts
 * reserve), so its stores, live and dropped, add up to several times its size; at 100,000 nodes
 * the tables' stores made a mark-compact of the whole heap every few seconds, each freeing a
 * twentieth of it (docs/large-networks.md). Slabs are counted once each. Arenas that kept chunks
 * by length held the room of lengths no table asked for again (15% more peak memory); here room
 * given back is joined with the free room either side of it, best fit picks the least free block
 * that holds a request, and a slab with nothing handed out is given back to the GC.
 *
 * A run's arena is shared by its routers (the host gives each one the same; two runs never share
 * one). A chunk given back must not be read or written by its old owner again: the next alloc
 * that lands on it hands it out, zeroed. TableRun, the one user, drops its reference in the same
 * step.
 */

/** Doubles per allocation unit: one table entry (its prefix and its row of three). */
const GRANULE = 4;
/** Longest chunk cut from a slab (doubles: 4,096 entries); longer ones are arrays of their own. */
const MAX_POOLED = 16_384;
/** The first slab's length (doubles); each next one is twice the last, up to MAX_SLAB. */
const FIRST_SLAB = 4096;
/** 2 MB. */
const MAX_SLAB = 262_144;
/** Addresses of free blocks: slab index · ADDR + offset in granules (a slab has fewer). */
const ADDR = 2 ** 20;

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
  /** The slabs, by index (null once given back to the GC). */
  private readonly slabs: (Float64Array | null)[] = [];
  /** Granules handed out and not given back, per slab. */
  private readonly inUse: number[] = [];
  private readonly slabIndex = new Map<ArrayBufferLike, number>();
  /** Free blocks: size in granules by start address, start by end address, starts by size. */
  private readonly sizeAt = new Map<number, number>();
  private readonly startEndingAt = new Map<number, number>();
  private readonly bySize = new Map<number, Set<number>>();
  /** The sizes bySize holds, ascending, for the best fit's binary search. */
  private readonly sizes: number[] = [];
  private nextSlab = FIRST_SLAB;
  /** Doubles in slabs held (for the heap bench and tests). */
  slabbed = 0;

  alloc(wanted: number): Float64Array {
    if (wanted <= 0) return new Float64Array(0);
    if (wanted > MAX_POOLED) return new Float64Array(wanted);
    const g = Math.ceil(wanted / GRANULE);
    let k = lowerBound(this.sizes, g);
    if (k === this.sizes.length) {
      this.addSlab(g);
      k = lowerBound(this.sizes, g);
    }
    const size = this.sizes[k] as number;
    const start = (this.bySize.get(size) as Set<number>).values().next().value as number;
    this.removeFree(start, size);
    if (size > g) this.addFree(start + g, size - g);
    const slab = Math.floor(start / ADDR);
    (this.inUse[slab] as number) += g;
    const at = (start - slab * ADDR) * GRANULE;
    const a = (this.slabs[slab] as Float64Array).subarray(at, at + g * GRANULE);
    a.fill(0);
    return a;
  }

  release(a: Float64Array): void {
    if (a.length === 0 || a.length > MAX_POOLED) return;
    const slab = this.slabIndex.get(a.buffer);
    // Only chunks of our slabs are ours (anything else, say a DIRECT_DOUBLES array, is not).
    if (slab === undefined) return;
    let start = slab * ADDR + a.byteOffset / (8 * GRANULE);
    let size = a.length / GRANULE;
    (this.inUse[slab] as number) -= size;
    const left = this.startEndingAt.get(start);
    if (left !== undefined) {
      const leftSize = this.sizeAt.get(left) as number;
      this.removeFree(left, leftSize);
      start = left;
      size += leftSize;
    }
    const rightSize = this.sizeAt.get(start + size);
    if (rightSize !== undefined) {
      this.removeFree(start + size, rightSize);
      size += rightSize;
    }
    // A slab with nothing handed out is the one free block: it goes back to the GC, unless it is
    // the newest (a run at the edge of a slab would make and drop one per growth).
    if (this.inUse[slab] === 0 && slab !== this.slabs.length - 1) {
      const s = this.slabs[slab] as Float64Array;
      this.slabIndex.delete(s.buffer);
      this.slabs[slab] = null;
      this.slabbed -= s.length;
      return;
    }
    this.addFree(start, size);
  }

  /** Doubles in free blocks of the slabs held. */
  get idle(): number {
    let n = 0;
    for (const size of this.sizeAt.values()) n += size;
    return n * GRANULE;
  }

  private addSlab(granules: number): void {
    const length = Math.max(this.nextSlab, granules * GRANULE);
    this.nextSlab = Math.min(MAX_SLAB, this.nextSlab * 2);
    const s = new Float64Array(length);
    const index = this.slabs.length;
    this.slabs.push(s);
    this.inUse.push(0);
    this.slabIndex.set(s.buffer, index);
    this.slabbed += length;
    this.addFree(index * ADDR, Math.floor(length / GRANULE));
  }

  private addFree(start: number, size: number): void {
    this.sizeAt.set(start, size);
    this.startEndingAt.set(start + size, start);
    let starts = this.bySize.get(size);
    if (starts === undefined) {
      starts = new Set();
      this.bySize.set(size, starts);
      this.sizes.splice(lowerBound(this.sizes, size), 0, size);
    }
    starts.add(start);
  }

  private removeFree(start: number, size: number): void {
    this.sizeAt.delete(start);
    this.startEndingAt.delete(start + size);
    const starts = this.bySize.get(size) as Set<number>;
    starts.delete(start);
    if (starts.size === 0) {
      this.bySize.delete(size);
      this.sizes.splice(lowerBound(this.sizes, size), 1);
    }
  }
}

/** Index of the first of `sorted` (ascending) that is ≥ `x`. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
