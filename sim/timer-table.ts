/**
 * sim/timer-table.ts — the armed router timers of every node of a host: timer id → the scheduler
 * event that fires it, so that a re-armed timer's pending event can be cancelled.
 *
 * The fixed ids router/router.ts uses (0..4: tree, snake, coordinates cache, wakeup, ports) have
 * a slot each per node in one Float64Array (−1: not armed); any other id (hold-down instances) goes
 * in a Map per node, made on first use. One array for all nodes rather than a record and an array
 * per node: every timer event and every re-arm read the node's record, its array and the array's
 * elements, three objects, each a likely cache miss in a big run, where they now read one slot
 * (and an idle node keeps 40 B here rather than about 90 B in three objects).
 *
 * Only lookups by id: nothing iterates in an order that could matter (cancel is idempotent).
 */

/** Timer ids below this have a slot of their own per node. */
const DENSE = 5;

export class TimerTable {
  /** DENSE event ids per node (an id is an exact integer below 2^53), −1 for none. */
  private dense = new Float64Array(DENSE * 64).fill(-1);
  /** Armed timers per node. */
  private counts = new Int32Array(64);
  /** Per node, the other ids' events, or null. */
  private readonly other: (Map<number, number> | null)[] = [];

  /** Nodes added so far; node ids are 0 .. nodes − 1. */
  get nodes(): number {
    return this.other.length;
  }

  /** Room for one more node, with no timer armed; returns its id. */
  addNode(): number {
    const node = this.other.length;
    if (node === this.counts.length) {
      const dense = new Float64Array(2 * this.dense.length).fill(-1);
      dense.set(this.dense);
      this.dense = dense;
      const counts = new Int32Array(2 * this.counts.length);
      counts.set(this.counts);
      this.counts = counts;
    }
    this.other.push(null);
    return node;
  }

  /** Timers of `node` armed and not yet fired. */
  count(node: number): number {
    return this.counts[node] as number;
  }

  /** Record `event` for `node`'s `timer`; returns the event it replaces, or −1. */
  set(node: number, timer: number, event: number): number {
    let previous: number;
    if (timer >= 0 && timer < DENSE) {
      const at = node * DENSE + timer;
      previous = this.dense[at] as number;
      this.dense[at] = event;
    } else {
      let other = this.other[node] as Map<number, number> | null;
      if (other === null) {
        other = new Map();
        this.other[node] = other;
      }
      previous = other.get(timer) ?? -1;
      other.set(timer, event);
    }
    if (previous < 0) this.counts[node] = (this.counts[node] as number) + 1;
    return previous;
  }

  /** Forget `node`'s `timer` (it fired). */
  delete(node: number, timer: number): void {
    if (timer >= 0 && timer < DENSE) {
      const at = node * DENSE + timer;
      if ((this.dense[at] as number) >= 0) {
        this.dense[at] = -1;
        this.counts[node] = (this.counts[node] as number) - 1;
      }
      return;
    }
    const other = this.other[node] as Map<number, number> | null;
    if (other?.delete(timer) === true) {
      this.counts[node] = (this.counts[node] as number) - 1;
      // Hold-down instances are one-shot: drop the emptied Map rather than keep its table.
      if (other.size === 0) this.other[node] = null;
    }
  }

  /** Every armed event id of `node` (any order), then forget them all. */
  clear(node: number, each: (event: number) => void): void {
    for (let at = node * DENSE; at < (node + 1) * DENSE; at++) {
      const event = this.dense[at] as number;
      if (event >= 0) each(event);
      this.dense[at] = -1;
    }
    const other = this.other[node] as Map<number, number> | null;
    if (other !== null) for (const event of other.values()) each(event);
    this.other[node] = null;
    this.counts[node] = 0;
  }
}
