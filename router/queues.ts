/**
 * router/queues.ts — per-link send queues (PROTOCOL.md §7.3)
 * [router/queuefifo.go, router/queuefairfifo.go].
 *
 * Protocol frames: unbounded FIFO, never drops. Traffic: "fair FIFO" of `n` hashed buckets plus a
 * bucket 0, each holding `bucketSize` frames, head drop when full, round-robin service.
 */
import type { Frame, TrafficFrame } from './types.ts';

/**
 * Array-backed FIFO with a moving head (amortised O(1), no per-push allocation once grown). The
 * array is made at the first push: a link's protocol FIFO is used only while its writer is busy,
 * which links without a bandwidth never are, and an empty array per link was 32 B of idle heap.
 */
export class FrameFifo<T = Frame> {
  private items: (T | undefined)[] | null = null;
  private head = 0;

  get length(): number {
    return this.items === null ? 0 : this.items.length - this.head;
  }

  push(item: T): void {
    if (this.items === null) this.items = [item];
    else this.items.push(item);
  }

  peek(): T | undefined {
    const items = this.items;
    return items !== null && this.head < items.length ? items[this.head] : undefined;
  }

  shift(): T | undefined {
    const items = this.items;
    if (items === null || this.head >= items.length) return undefined;
    const item = items[this.head];
    items[this.head] = undefined;
    this.head++;
    if (this.head === items.length) {
      items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Remove everything, calling `each` on every item in FIFO order. */
  drain(each: (item: T) => void): void {
    const items = this.items;
    if (items === null) return;
    for (let i = this.head; i < items.length; i++) each(items[i] as T);
    items.length = 0;
    this.head = 0;
  }
}

/**
 * The traffic fair FIFO of §7.3. Push: into bucket 0 when the whole queue is empty, otherwise into
 * bucket 1 + (h mod n), h = per-queue random offset + Σ source coords + Σ destination coords +
 * Σ source key bytes + Σ destination key bytes. A full bucket drops its oldest frame.
 * Pop: bucket 0 first, otherwise round-robin over 1..n starting after the last served bucket.
 *
 * [DET] The reference draws a random uint64 offset and sums with 64-bit wrap-around; only
 * (offset mod n) matters unless the sum wraps, so we draw the offset in [0, n) from the router's
 * seeded stream, which is distributionally the same choice.
 */
/** A fair FIFO's random offset in [0, buckets), one draw from `random` (see FairFifo). */
export function fairFifoOffset(buckets: number, random: () => number): number {
  return Math.floor(random() * buckets) % buckets;
}

export class FairFifo {
  /**
   * Allocated at the first push: a holey 255-slot array per link was ~2 KB of every idle
   * router's heap per peering, and most links of a convergence run never queue traffic.
   */
  private buckets: (FrameFifo<TrafficFrame> | undefined)[] | null = null;
  private readonly n: number;
  private readonly size: number;
  private readonly offset: number;
  private lastServed = 0;
  private count = 0;

  /** `offset`: the queue's random offset, drawn by fairFifoOffset. */
  constructor(buckets: number, bucketSize: number, offset: number) {
    this.n = buckets;
    this.size = bucketSize;
    this.offset = offset;
  }

  get length(): number {
    return this.count;
  }

  bucketOf(frame: TrafficFrame): number {
    let h = this.offset;
    const dc = frame.destinationCoords;
    const sc = frame.sourceCoords;
    for (let i = 0; i < sc.length; i++) h += sc[i] as number;
    for (let i = 0; i < dc.length; i++) h += dc[i] as number;
    const sk = frame.sourceKey;
    const dk = frame.destinationKey;
    for (let i = 0; i < 32; i++) h += (sk[i] as number) + (dk[i] as number);
    return 1 + (h % this.n);
  }

  /** Enqueue; returns the head-dropped frame when the bucket was full, else null. */
  push(frame: TrafficFrame): TrafficFrame | null {
    const b = this.count === 0 ? 0 : this.bucketOf(frame);
    if (this.buckets === null) this.buckets = new Array(this.n + 1);
    let q = this.buckets[b];
    if (q === undefined) {
      q = new FrameFifo<TrafficFrame>();
      this.buckets[b] = q;
    }
    let dropped: TrafficFrame | null = null;
    if (q.length >= this.size) {
      dropped = q.shift() ?? null;
      this.count--;
    }
    q.push(frame);
    this.count++;
    return dropped;
  }

  pop(): TrafficFrame | undefined {
    if (this.count === 0 || this.buckets === null) return undefined;
    const zero = this.buckets[0];
    if (zero !== undefined && zero.length > 0) {
      this.count--;
      return zero.shift();
    }
    for (let i = 1; i <= this.n; i++) {
      const b = 1 + ((this.lastServed + i - 1) % this.n);
      const q = this.buckets[b];
      if (q !== undefined && q.length > 0) {
        this.lastServed = b;
        this.count--;
        return q.shift();
      }
    }
    return undefined;
  }

  drain(each: (frame: TrafficFrame) => void): void {
    const buckets = this.buckets;
    if (buckets !== null) for (let b = 0; b <= this.n; b++) buckets[b]?.drain(each);
    this.count = 0;
  }
}
