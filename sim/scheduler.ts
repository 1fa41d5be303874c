/**
 * sim/scheduler.ts — the discrete-event core: a binary min-heap of events ordered by
 * (virtual time, insertion sequence), on typed arrays.
 *
 * Why this shape (ENGINEERING.md: "a typed-array binary heap schedules 4.3–5.6 M events/s"):
 * - Every event is a few numbers (kind, node, port, aux) plus an optional payload object (a frame,
 *   a callback); no closure is created per event. The numbers live in slot columns; the heap
 *   itself only moves (time, seq, slot) triples, so a sift touches three typed arrays.
 * - Ties at one instant pop in insertion order (the `seq` column), as SimPy's `eid` does. That is
 *   what makes a run bit-identical: nothing depends on heap internals.
 * - Two heaps: the near one holds every event before a horizon, the far one the rest. Most
 *   events are frames a link delivers a few milliseconds on, while most pending ones are timers
 *   a second or more ahead and re-dials minutes ahead (sim-skitter: 51,000 pending, 1,500 within
 *   100 ms). In one heap, every pop sifted through all of them; the near heap is a few thousand
 *   entries that stay in the core's cache. When the near heap runs dry, the far heap's events
 *   within NEAR_SPAN of its earliest move over, in order. Every far event is at or after the
 *   horizon and every near one before it, so popping the near heap's top pops the earliest event.
 * - Cancellation is lazy: cancel() marks the slot and the entry is skipped when it surfaces.
 *   Event ids carry a per-slot generation so cancelling an event that already fired (its slot
 *   maybe reused) is a harmless no-op.
 */
import { asSmallInteger } from '../base/index.ts';
import type { Micros } from '../router/types.ts';

/** Slot kind of a cancelled event (kinds given by callers must be ≥ 0). */
const CANCELLED = -1;

/** Slots are < 2^24 so an id = generation * 2^24 + slot stays an exact double for 2^29 reuses. */
const SLOT_LIMIT = 1 << 24;

/**
 * How far past the far heap's earliest event the near heap's horizon is set when it is refilled
 * (µs). Deliveries a few milliseconds ahead land before it, timers a second ahead after it.
 */
const NEAR_SPAN = 100_000;

/**
 * A binary min-heap of (time, seq, slot) on typed arrays, ordered by (time, seq): a sift touches
 * three arrays and no object.
 */
class TimeHeap {
  time: Float64Array;
  seq: Float64Array;
  slot: Int32Array;
  size = 0;

  constructor(n: number) {
    this.time = new Float64Array(n);
    this.seq = new Float64Array(n);
    this.slot = new Int32Array(n);
  }

  push(time: number, seq: number, slot: number): void {
    if (this.size === this.time.length) this.grow();
    const heapTime = this.time;
    const heapSeq = this.seq;
    const heapSlot = this.slot;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = heapTime[parent] as number;
      if (pt < time || (pt === time && (heapSeq[parent] as number) < seq)) break;
      heapTime[i] = pt;
      heapSeq[i] = heapSeq[parent] as number;
      heapSlot[i] = heapSlot[parent] as number;
      i = parent;
    }
    heapTime[i] = time;
    heapSeq[i] = seq;
    heapSlot[i] = slot;
  }

  /** Drop the top entry (the caller has read it): the last entry sifts down from the root. */
  removeTop(): void {
    const last = --this.size;
    if (last === 0) return;
    const heapTime = this.time;
    const heapSeq = this.seq;
    const heapSlot = this.slot;
    const time = heapTime[last] as number;
    const seq = heapSeq[last] as number;
    const slot = heapSlot[last] as number;
    const n = last;
    const half = n >> 1;
    let i = 0;
    while (i < half) {
      let child = 2 * i + 1;
      let ct = heapTime[child] as number;
      let cs = heapSeq[child] as number;
      const right = child + 1;
      if (right < n) {
        const rt = heapTime[right] as number;
        if (rt < ct || (rt === ct && (heapSeq[right] as number) < cs)) {
          child = right;
          ct = rt;
          cs = heapSeq[right] as number;
        }
      }
      if (time < ct || (time === ct && seq < cs)) break;
      heapTime[i] = ct;
      heapSeq[i] = cs;
      heapSlot[i] = heapSlot[child] as number;
      i = child;
    }
    heapTime[i] = time;
    heapSeq[i] = seq;
    heapSlot[i] = slot;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n);
    t.set(this.time);
    this.time = t;
    const s = new Float64Array(n);
    s.set(this.seq);
    this.seq = s;
    const h = new Int32Array(n);
    h.set(this.slot);
    this.slot = h;
  }
}

/** Receives one event. Monomorphic and allocation-free: the payload is passed by reference. */
export type EventHandler = (
  kind: number,
  node: number,
  port: number,
  aux: number,
  payload: unknown,
) => void;

export class Scheduler {
  /** The events before `horizon`, and the rest (see the module comment). */
  private near: TimeHeap;
  private far: TimeHeap;
  private horizon = 0;
  private readonly nearSpan: number;
  // Slot columns (index = slot).
  private kind: Int32Array;
  private node: Int32Array;
  private port: Int32Array;
  private aux: Float64Array;
  private generation: Int32Array;
  private payload: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;
  private nextSeq = 0;
  private current: Micros = 0;
  /** Events popped and dispatched (cancelled ones not counted). */
  dispatched = 0;
  /** Set by stop() during a dispatch: the running runUntil/runBatch returns after that event. */
  private halted = false;

  /** `nearSpan` (µs, ≥ 1) is for tests: how often events move between the heaps. */
  constructor(initialCapacity = 1024, nearSpan = NEAR_SPAN) {
    const n = Math.max(16, initialCapacity);
    if (!(nearSpan >= 1)) throw new RangeError(`scheduler: nearSpan ${nearSpan} must be ≥ 1 µs`);
    this.nearSpan = nearSpan;
    // Most pending events are far; the near heap grows as it needs.
    this.near = new TimeHeap(Math.min(n, 4096));
    this.far = new TimeHeap(n);
    this.kind = new Int32Array(n);
    this.node = new Int32Array(n);
    this.port = new Int32Array(n);
    this.aux = new Float64Array(n);
    this.generation = new Int32Array(n);
    this.payload = new Array<unknown>(n).fill(undefined);
    this.freeSlots = new Int32Array(n);
  }

  /** Current virtual time (µs): the time of the event being (or last) dispatched. */
  get now(): Micros {
    return this.current;
  }

  /** Entries in the heap, including cancelled ones not yet skipped. */
  get pending(): number {
    return this.near.size + this.far.size;
  }

  /** Time of the earliest entry (maybe a cancelled one), or Infinity when empty. */
  peekTime(): Micros {
    if (this.near.size > 0) return this.near.time[0] as number;
    return this.far.size > 0 ? (this.far.time[0] as number) : Number.POSITIVE_INFINITY;
  }

  /**
   * Some entry (maybe a cancelled one) is at or before `until`. The count first: peekTime's
   * Infinity for no entry is ≤ an `until` of Infinity.
   */
  private dueBy(until: Micros): boolean {
    return this.pending > 0 && this.peekTime() <= until;
  }

  /**
   * Schedule an event at virtual time `at` (≥ now, integer µs). Returns an id for cancel().
   * `kind` must be ≥ 0; the meaning of kind/node/port/aux/payload belongs to the caller.
   */
  schedule(
    at: Micros,
    kind: number,
    node: number,
    port: number,
    aux: number,
    payload?: unknown,
  ): number {
    if (!(at >= this.current) || !Number.isInteger(at)) {
      throw new RangeError(
        `scheduler: event time ${at} must be an integer ≥ now (${this.current})`,
      );
    }
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount] as number;
    } else {
      if (this.slotCount === this.kind.length) this.growSlots();
      slot = this.slotCount++;
    }
    this.kind[slot] = kind;
    this.node[slot] = node;
    this.port[slot] = port;
    this.aux[slot] = aux;
    this.payload[slot] = payload;
    if (at < this.horizon) this.near.push(at, this.nextSeq++, slot);
    else this.far.push(at, this.nextSeq++, slot);
    return (this.generation[slot] as number) * SLOT_LIMIT + slot;
  }

  /** Lazily cancel a pending event. Unknown, fired or already cancelled ids are ignored. */
  cancel(id: number): void {
    const slot = id % SLOT_LIMIT;
    if (slot >= this.slotCount) return;
    if (this.generation[slot] !== (id - slot) / SLOT_LIMIT) return;
    // A slot's generation is bumped when it is freed, so a matching generation means pending.
    this.kind[slot] = CANCELLED;
    this.payload[slot] = undefined;
  }

  /**
   * Dispatch events in (time, seq) order while the next one is at or before `until` (inclusive)
   * and `stop` (checked after each event) is false. Afterwards `now` is `until` when the run was
   * not stopped early (time passes even when nothing happens). Returns events dispatched.
   */
  runUntil(until: Micros, handler: EventHandler, stop?: () => boolean): number {
    const before = this.dispatched;
    while (this.dueBy(until)) {
      if (this.step(handler) && (this.takeHalt() || stop?.())) return this.dispatched - before;
    }
    if (until > this.current && until !== Number.POSITIVE_INFINITY)
      this.current = asSmallInteger(until);
    return this.dispatched - before;
  }

  /**
   * Dispatch at most `maxEvents` events not later than `until`, or until an event calls stop();
   * returns how many ran.
   */
  runBatch(until: Micros, maxEvents: number, handler: EventHandler): number {
    const before = this.dispatched;
    while (this.dueBy(until) && this.dispatched - before < maxEvents) {
      if (this.step(handler) && this.takeHalt()) break;
    }
    return this.dispatched - before;
  }

  /**
   * Stop the run from inside an event (SimPy's run(until=event)): the runUntil or runBatch
   * dispatching it returns right after it, with `now` at its time; the next run goes on from there.
   * Stopping is thus an event in the queue like any other, ordered with the rest, not a flag that
   * the caller polls. Outside a dispatch it stops the next run after its first event.
   */
  stop(): void {
    this.halted = true;
  }

  private takeHalt(): boolean {
    if (!this.halted) return false;
    this.halted = false;
    return true;
  }

  /** Pop the earliest entry; dispatch it unless cancelled. True when an event was dispatched. */
  step(handler: EventHandler): boolean {
    const near = this.near;
    if (near.size === 0) {
      if (this.far.size === 0) return false;
      this.refill();
    }
    const time = near.time[0] as number;
    const slot = near.slot[0] as number;
    near.removeTop();
    const kind = this.kind[slot] as number;
    const payload = this.payload[slot];
    const node = this.node[slot] as number;
    const port = this.port[slot] as number;
    const aux = this.aux[slot] as number;
    // Free the slot before dispatch so the handler can reuse it; bumping the generation makes
    // the old id dead for cancel().
    this.payload[slot] = undefined;
    this.generation[slot] = ((this.generation[slot] as number) + 1) & 0x1fffffff;
    this.freeSlots[this.freeCount++] = slot;
    // A time read from the heap's Float64Array is a heap number; every field it is stored in
    // (the routers' `now`, the links' clocks, each time derived from them) would then hold a boxed
    // double. So the clock is a small integer while it fits: up to 2^30 − 1 µs, about 1,073
    // virtual seconds (base/index.ts asSmallInteger).
    this.current = asSmallInteger(time);
    if (kind === CANCELLED) return false;
    this.dispatched++;
    handler(kind, node, port, aux, payload);
    return true;
  }

  /**
   * The near heap is empty: move the far heap's events before (its earliest + nearSpan) over, in
   * order, and make that the horizon.
   */
  private refill(): void {
    const far = this.far;
    const near = this.near;
    const horizon = (far.time[0] as number) + this.nearSpan;
    this.horizon = horizon;
    // The earliest moves whatever the sum gave: past 2^69 µs, adding the span changes nothing.
    do {
      near.push(far.time[0] as number, far.seq[0] as number, far.slot[0] as number);
      far.removeTop();
    } while (far.size > 0 && (far.time[0] as number) < horizon);
  }

  private growSlots(): void {
    const n = this.kind.length * 2;
    if (n > SLOT_LIMIT) throw new RangeError(`scheduler: more than ${SLOT_LIMIT} pending events`);
    const grow32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.kind = grow32(this.kind);
    this.node = grow32(this.node);
    this.port = grow32(this.port);
    this.generation = grow32(this.generation);
    this.freeSlots = grow32(this.freeSlots);
    const aux = new Float64Array(n);
    aux.set(this.aux);
    this.aux = aux;
    const payload = new Array<unknown>(n).fill(undefined);
    for (let i = 0; i < this.payload.length; i++) payload[i] = this.payload[i];
    this.payload = payload;
  }
}
