/**
 * sim/convergence.ts — when did the tree and the snake converge?
 *
 * Definitions, per connected component of the up links (union-find):
 * - tree converged ⇔ every node's root key is the component's greatest key and every node reports
 *   the root sequence that greatest node reports for itself (PROTOCOL.md §1.2, §5.7; checklist 22);
 * - snake converged ⇔ every node's descending key is the next lower key in its component, and the
 *   component's smallest key has none (§6.1; checklist 30, 35).
 * The tracker is sampled at a fixed virtual interval chosen by the caller (pinelab run: 50 ms for
 * networks up to 5,000 nodes, coarser above, see cli/run.ts), so every reported time is a sample
 * time: the true instant lies within one interval before it. "Converged at" is the first sample
 * from which the property held at every later sample until the end of the run.
 *
 * A sample is O(N + E) only when the topology changed (components are rebuilt), O(N) otherwise,
 * with preallocated typed arrays. Routers that offer `convergenceView` (router/router.ts) fill one
 * reused object per node instead of allocating a full snapshot() (issue 7: sampling was 10% of a
 * yggdrasil run); others (test fakes) are read through snapshot().
 */
import { compareKeys, keysEqual } from '../router/keys.ts';
import type { ConvergenceView } from '../router/router.ts';
import type { Micros, PublicKey, RouterLike } from '../router/types.ts';
import type { Host } from './host.ts';

/** A router that can fill a ConvergenceView without allocating (router/router.ts Router). */
interface ViewSource {
  convergenceView(out: ConvergenceView): ConvergenceView;
}

function hasConvergenceView(r: RouterLike): r is RouterLike & ViewSource {
  return typeof (r as Partial<ViewSource>).convergenceView === 'function';
}

const EMPTY_KEY: PublicKey = new Uint8Array(0);

function newView(): ConvergenceView {
  return { rootKey: EMPTY_KEY, rootSeq: 0, parentPort: null, descendingKey: null };
}

export class ConvergenceTracker {
  private readonly host: Host;
  private capacity = 0;
  private topologyVersion = -1;
  private sortedNodeCount = -1;
  private component: Int32Array = new Int32Array(0);
  private sorted: Int32Array = new Int32Array(0);
  private last: Int32Array = new Int32Array(0);
  private predecessor: Int32Array = new Int32Array(0);
  /** Per node: its reused view object, or null when it has no router. */
  private views: (ConvergenceView | null)[] = [];
  private viewPool: ConvergenceView[] = [];
  // Previous state per node, for "time it reached its final state".
  private prevRootKey: (PublicKey | null)[] = [];
  private prevRootSeq: Float64Array = new Float64Array(0);
  private prevParent: Int32Array = new Int32Array(0);
  private prevDescending: (PublicKey | null)[] = [];
  private seen: Uint8Array = new Uint8Array(0);
  private treeOkNow: Uint8Array = new Uint8Array(0);
  private snakeOkNow: Uint8Array = new Uint8Array(0);
  /** Per node: virtual time (µs) of the sample where its current tree / snake state first appeared. */
  treeChangedAt: Float64Array = new Float64Array(0);
  snakeChangedAt: Float64Array = new Float64Array(0);
  /** First sample time from which the property has held ever since, or null. */
  treeSince: Micros | null = null;
  snakeSince: Micros | null = null;
  /** Results of the latest sample. */
  treeFraction = 0;
  snakeFraction = 0;
  liveNodes = 0;
  samples = 0;

  constructor(host: Host) {
    this.host = host;
  }

  get converged(): boolean {
    return this.treeSince !== null && this.snakeSince !== null;
  }

  /** Did node i's final tree / snake state hold at the latest sample? */
  treeOk(i: number): boolean {
    return this.treeOkNow[i] === 1;
  }
  snakeOk(i: number): boolean {
    return this.snakeOkNow[i] === 1;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, this.capacity * 2, 16);
    const grow32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const growF = (a: Float64Array): Float64Array => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    const grow8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(size);
      b.set(a);
      return b;
    };
    this.component = new Int32Array(size);
    this.last = new Int32Array(size);
    this.predecessor = new Int32Array(size);
    this.prevRootSeq = growF(this.prevRootSeq);
    this.prevParent = grow32(this.prevParent);
    this.seen = grow8(this.seen);
    this.treeOkNow = grow8(this.treeOkNow);
    this.snakeOkNow = grow8(this.snakeOkNow);
    this.treeChangedAt = growF(this.treeChangedAt);
    this.snakeChangedAt = growF(this.snakeChangedAt);
    this.capacity = size;
    this.topologyVersion = -1; // component array was replaced
  }

  private rebuildComponents(n: number): void {
    const parent = this.component;
    for (let i = 0; i < n; i++) parent[i] = i;
    const find = (x: number): number => {
      let r = x;
      while (parent[r] !== r) r = parent[r] as number;
      let y = x;
      while (parent[y] !== r) {
        const next = parent[y] as number;
        parent[y] = r;
        y = next;
      }
      return r;
    };
    this.host.forEachUpLink((a, b) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    });
    for (let i = 0; i < n; i++) parent[i] = find(i);
  }

  private rebuildOrder(n: number): void {
    const host = this.host;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((x, y) => compareKeys(host.keyAt(x), host.keyAt(y)) || x - y);
    this.sorted = Int32Array.from(order);
  }

  /** Take one sample at virtual time `now`. Returns true when both properties hold. */
  sample(now: Micros): boolean {
    const host = this.host;
    const n = host.nodeCount;
    this.ensureCapacity(n);
    if (this.sortedNodeCount !== n) {
      this.rebuildOrder(n);
      this.sortedNodeCount = n;
    }
    if (this.topologyVersion !== host.topologyVersion) {
      this.rebuildComponents(n);
      this.topologyVersion = host.topologyVersion;
    }
    const views = this.views;
    views.length = n;
    const pool = this.viewPool;
    while (pool.length < n) pool.push(newView());
    const component = this.component;
    const last = this.last;
    const predecessor = this.predecessor;
    for (let i = 0; i < n; i++) {
      const router = host.routerAt(i);
      if (router === null) views[i] = null;
      else {
        const out = pool[i] as ConvergenceView;
        if (hasConvergenceView(router)) views[i] = router.convergenceView(out);
        else {
          const v = router.snapshot();
          out.rootKey = v.rootKey;
          out.rootSeq = v.rootSeq;
          out.parentPort = v.parentPort;
          out.descendingKey = v.descendingKey;
          views[i] = out;
        }
      }
      last[i] = -1;
    }
    // Ascending key order: each node's predecessor is the previous live node of its component;
    // afterwards last[c] is the component's greatest key.
    const sorted = this.sorted;
    for (let s = 0; s < n; s++) {
      const i = sorted[s] as number;
      if (views[i] === null) continue;
      const c = component[i] as number;
      predecessor[i] = last[c] as number;
      last[c] = i;
    }
    let live = 0;
    let treeCount = 0;
    let snakeCount = 0;
    for (let i = 0; i < n; i++) {
      const view = views[i];
      if (view === null || view === undefined) continue;
      live++;
      const greatest = last[component[i] as number] as number;
      const greatestKey = host.keyAt(greatest);
      const greatestView = views[greatest] as ConvergenceView;
      const treeOk =
        keysEqual(view.rootKey, greatestKey) &&
        keysEqual(greatestView.rootKey, greatestKey) &&
        view.rootSeq === greatestView.rootSeq;
      const pred = predecessor[i] as number;
      const snakeOk =
        pred < 0
          ? view.descendingKey === null
          : view.descendingKey !== null && keysEqual(view.descendingKey, host.keyAt(pred));
      this.treeOkNow[i] = treeOk ? 1 : 0;
      this.snakeOkNow[i] = snakeOk ? 1 : 0;
      if (treeOk) treeCount++;
      if (snakeOk) snakeCount++;
      // Per-node state changes (root, sequence, parent; descending).
      const parent = view.parentPort ?? -1;
      const prevRoot = this.prevRootKey[i] ?? null;
      if (
        this.seen[i] === 0 ||
        prevRoot === null ||
        !keysEqual(prevRoot, view.rootKey) ||
        this.prevRootSeq[i] !== view.rootSeq ||
        this.prevParent[i] !== parent
      ) {
        this.treeChangedAt[i] = now;
        this.prevRootKey[i] = view.rootKey;
        this.prevRootSeq[i] = view.rootSeq;
        this.prevParent[i] = parent;
      }
      const prevDesc = this.prevDescending[i] ?? null;
      const desc = view.descendingKey;
      const descChanged =
        this.seen[i] === 0 ||
        (prevDesc === null ? desc !== null : desc === null || !keysEqual(prevDesc, desc));
      if (descChanged) {
        this.snakeChangedAt[i] = now;
        this.prevDescending[i] = desc;
      }
      this.seen[i] = 1;
    }
    // Drop the references the views hold (keys, announcements) between samples.
    for (let i = 0; i < n; i++) {
      const v = views[i];
      if (v === null || v === undefined) continue;
      v.descendingKey = null;
      v.rootKey = EMPTY_KEY;
      views[i] = null;
    }
    this.liveNodes = live;
    this.treeFraction = live === 0 ? 1 : treeCount / live;
    this.snakeFraction = live === 0 ? 1 : snakeCount / live;
    const treeAll = treeCount === live;
    const snakeAll = snakeCount === live;
    if (!treeAll) this.treeSince = null;
    else if (this.treeSince === null) this.treeSince = now;
    if (!snakeAll) this.snakeSince = null;
    else if (this.snakeSince === null) this.snakeSince = now;
    this.samples++;
    return treeAll && snakeAll;
  }
}
