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

/** Receives one event. Monomorphic and allocation-free: the payload is passed by reference. */
export type EventHandler = (
  kind: number,
  node: number,
  port: number,
  aux: number,
  payload: unknown,
) => void;

export class Scheduler {
  // Heap columns (index = heap position).
  private heapTime: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  private size = 0;
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

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity);
    this.heapTime = new Float64Array(n);
    this.heapSeq = new Float64Array(n);
    this.heapSlot = new Int32Array(n);
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
    return this.size;
  }

  /** Time of the earliest entry (maybe a cancelled one), or Infinity when empty. */
  peekTime(): Micros {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.heapTime[0] as number);
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
    if (this.size === this.heapTime.length) this.growHeap();
    this.siftUp(this.size++, at, this.nextSeq++, slot);
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
    while (this.size > 0 && (this.heapTime[0] as number) <= until) {
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
    while (
      this.size > 0 &&
      (this.heapTime[0] as number) <= until &&
      this.dispatched - before < maxEvents
    ) {
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
    if (this.size === 0) return false;
    const time = this.heapTime[0] as number;
    const slot = this.heapSlot[0] as number;
    const last = --this.size;
    if (last > 0) {
      this.siftDown(
        this.heapTime[last] as number,
        this.heapSeq[last] as number,
        this.heapSlot[last] as number,
      );
    }
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

  private siftUp(position: number, time: number, seq: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    let i = position;
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

  /** Place (time, seq, slot) starting from the root hole, moving smaller children up. */
  private siftDown(time: number, seq: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    const n = this.size;
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

  private growHeap(): void {
    const n = this.heapTime.length * 2;
    const t = new Float64Array(n);
    t.set(this.heapTime);
    this.heapTime = t;
    const s = new Float64Array(n);
    s.set(this.heapSeq);
    this.heapSeq = s;
    const h = new Int32Array(n);
    h.set(this.heapSlot);
    this.heapSlot = h;
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
