/**
 * sim/convergence.ts — THE definition of convergence (the one every figure, test and stop
 * condition uses), sampled cheaply.
 *
 * Per connected component of the up links:
 * - tree converged ⇔ every node's root key is the component's greatest key and every node reports
 *   the root sequence that greatest node reports for itself (PROTOCOL.md §1.2, §5.7; checklist 22);
 * - snake converged ⇔ every node's descending key is the next lower key in its component, and the
 *   component's smallest key has none (§6.1; checklist 30, 35).
 * Both are judged per node (fractions of correct nodes); the network has converged when the
 * fraction is 1. "Converged at" is the first sample from which it held at every later sample.
 *
 * Besides the headline, and NOT part of it: `coords` (coords_fraction in results) = tree correct
 * AND the coordinates consistent with the parent's (§5.2: the parent's coordinates plus the port
 * the parent uses towards this node; a root has []). That was the collector's older, stricter tree
 * test; it is kept as a separate, clearly named metric because it costs O(depth) per node.
 *
 * Cost: everything that depends only on the topology (components, key order, each node's true
 * predecessor and its component's greatest key, degrees) is rebuilt only when the source's
 * topologyVersion changes (O(N log N + E)); a sample is O(N) (plus O(depth) per node for the
 * coordinates check) with preallocated typed arrays and one reused state object per node: no
 * per-node allocation, no hex strings. Routers that offer `convergenceView` (router/router.ts)
 * fill the reused object; others (test fakes) are read through snapshot().
 *
 * Root refreshes: a sample also counts the components whose root (the greatest node, the same
 * node as at the previous sample, its own root both times) reports a higher root sequence than at
 * the previous sample, when no node or link came or went since then. At d0beb18 only the
 * 30-minute tree timer does that in a network that does not change (§5.3.1); §5.5 raises it only
 * for a node that had a parent, and §4.5's full reset for a node that lost its last link, both
 * after a topology change (an episode of its own then). An ApiSource counts every sample as a
 * topology change, so it never reports refreshes. The results split a run into episodes there
 * (results/convergence-series.ts), and keep each node's correct-since times from just before the
 * refresh (`refreshes`), so a node that was right before and is right again after counts from
 * before.
 *
 * Start-up (optional): until `startUp.until`, a node named in `startUp.nodes` (it has planned
 * links) that has never had an up link has not started (or its peers have not): it counts as NOT
 * converged instead of as a trivially converged isolated node, so a series starts at 0, not at a
 * false 1. After `until` a node whose links never came up is an isolated, converged node.
 */
import { compareKeys, keysEqual, toHex } from '../router/keys.ts';
import type { ConvergenceView } from '../router/router.ts';
import type {
  Coordinates,
  Micros,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
} from '../router/types.ts';
import type { Host } from './host.ts';
import type { HostApi } from './host-api.ts';

/** What a sample reads per node (a superset of router/router.ts ConvergenceView). */
export interface NodeState extends ConvergenceView {
  /** Tree coordinates, read-only (may be the router's own array: never kept past a sample). */
  coords: Coordinates;
}

/**
 * The network as the tracker sees it: node indices are stable and never reused (a removed node
 * leaves a hole), names and keys per index, up links by index.
 */
export interface ConvergenceSource {
  /** Called once at the start of every sample. */
  prepare(): void;
  /** Size of the index space (removed nodes included). */
  readonly nodeCount: number;
  /** Changes whenever a node or an up link appears or disappears. */
  readonly topologyVersion: number;
  nameAt(i: number): string;
  keyAt(i: number): PublicKey;
  /** Fill `out` with node i's state; false when node i has been removed. */
  read(i: number, out: NodeState): boolean;
  /** `fn(a, b)` for every up link, each once. */
  forEachUpLink(fn: (a: number, b: number) => void): void;
  /** Index of the node behind `port` of node i (an up link), or -1. */
  peerAt(i: number, port: Port): number;
  /**
   * Optional: per node, a count that moves whenever the node's state may have changed (and may
   * move without a change), or null when the source cannot tell. With it a sample re-reads only
   * the nodes whose count moved (see ConvergenceTracker.sample).
   */
  viewVersions?(): Uint32Array | null;
}

/** A router that fills state without allocating (router/router.ts Router). */
interface FastRouter {
  convergenceView(out: ConvergenceView): ConvergenceView;
  coordinates(): Coordinates;
}

function isFast(r: RouterLike): r is RouterLike & FastRouter {
  const f = r as Partial<FastRouter>;
  return typeof f.convergenceView === 'function' && typeof f.coordinates === 'function';
}

const EMPTY_KEY: PublicKey = new Uint8Array(0);
const NO_COORDS: Coordinates = Object.freeze([]) as Coordinates;

/** A sample's fields from a router view (routers without convergenceView, HostApi sources). */
function fillFromView(out: NodeState, v: RouterView): void {
  out.rootKey = v.rootKey;
  out.rootSeq = v.rootSeq;
  out.parentPort = v.parentPort;
  out.descendingKey = v.descendingKey;
  out.coords = v.coords;
}

/** The real host (sim/host.ts): reads routers directly, topology version from the host. */
export class HostSource implements ConvergenceSource {
  private readonly host: Host;
  constructor(host: Host) {
    this.host = host;
  }
  prepare(): void {}
  get nodeCount(): number {
    return this.host.nodeCount;
  }
  get topologyVersion(): number {
    return this.host.topologyVersion;
  }
  nameAt(i: number): string {
    return this.host.nameAt(i);
  }
  keyAt(i: number): PublicKey {
    return this.host.keyAt(i);
  }
  read(i: number, out: NodeState): boolean {
    const router = this.host.routerAt(i);
    if (router === null) return false;
    if (isFast(router)) {
      router.convergenceView(out);
      out.coords = router.coordinates();
    } else fillFromView(out, router.snapshot());
    return true;
  }
  forEachUpLink(fn: (a: number, b: number) => void): void {
    this.host.forEachUpLink(fn);
  }
  peerAt(i: number, port: Port): number {
    return this.host.peerAt(i, port);
  }
  viewVersions(): Uint32Array | null {
    return this.host.viewsReported ? this.host.viewVersions : null;
  }
}

/**
 * Any HostApi (test fakes, wrappers): names, links and snapshot() views, re-read at every sample
 * (no topology version in the API, so every sample counts as a topology change). Indices follow
 * the order names first appear; a name that disappears and comes back is a new index (a new node).
 */
export class ApiSource implements ConvergenceSource {
  private readonly api: HostApi;
  private readonly names: string[] = [];
  private readonly keys: PublicKey[] = [];
  private readonly live = new Map<string, number>();
  /** Hex key → index of the present node with that key. */
  private readonly byKey = new Map<string, number>();
  private views: (ReturnType<HostApi['view']> | null)[] = [];
  private version = 0;
  constructor(api: HostApi) {
    this.api = api;
  }
  prepare(): void {
    const current = this.api.nodeNames();
    const present = new Set(current);
    for (const [name, i] of this.live)
      if (!present.has(name)) {
        this.live.delete(name);
        this.byKey.delete(toHex(this.keys[i] as PublicKey));
      }
    for (const name of current)
      if (!this.live.has(name)) {
        const key = this.api.view(name).key;
        this.live.set(name, this.names.length);
        this.byKey.set(toHex(key), this.names.length);
        this.names.push(name);
        this.keys.push(key);
      }
    this.views = this.names.map((n) => (this.live.has(n) ? this.api.view(n) : null));
    this.version++;
  }
  get nodeCount(): number {
    return this.names.length;
  }
  get topologyVersion(): number {
    return this.version;
  }
  nameAt(i: number): string {
    return this.names[i] as string;
  }
  keyAt(i: number): PublicKey {
    return this.keys[i] as PublicKey;
  }
  read(i: number, out: NodeState): boolean {
    const v = this.views[i];
    if (v === null || v === undefined) return false;
    fillFromView(out, v);
    return true;
  }
  forEachUpLink(fn: (a: number, b: number) => void): void {
    for (const [a, b] of this.api.links()) {
      const ia = this.live.get(a);
      const ib = this.live.get(b);
      if (ia !== undefined && ib !== undefined) fn(ia, ib);
    }
  }
  peerAt(i: number, port: Port): number {
    const v = this.views[i];
    if (v === null || v === undefined) return -1;
    for (const p of v.peers) if (p.port === port) return this.byKey.get(toHex(p.key)) ?? -1;
    return -1;
  }
}

export interface TrackerOptions {
  /** Check coordinates too (coordsFraction, coordsOk); default true. */
  readonly coords?: boolean;
  /** Start-up rule (see the header): nodes with planned links, and when every node has started. */
  readonly startUp?: { readonly nodes: Iterable<string>; readonly until: Micros };
  /**
   * Re-read only the nodes whose state may have changed when the source can tell (default true);
   * false reads every node at every sample, the plain definition the tests compare it with.
   */
  readonly incremental?: boolean;
}

function newState(): NodeState {
  return {
    rootKey: EMPTY_KEY,
    rootSeq: 0,
    parentPort: null,
    descendingKey: null,
    coords: NO_COORDS,
  };
}

/** Per-node correct-since times (µs, −1) just before a sample that saw a root refresh. */
export interface RefreshRecord {
  readonly time: Micros;
  readonly treeOkSince: Float64Array;
  readonly snakeOkSince: Float64Array;
}

export class ConvergenceTracker {
  private readonly source: ConvergenceSource;
  private readonly checkCoords: boolean;
  private readonly incremental: boolean;
  /** Per node: the source's view version when the node's state was last read. */
  private readVersion: Uint32Array = new Uint32Array(0);
  /**
   * Every live node's state object holds its current state (the previous sample read them all or
   * re-read every node whose version moved), so a sample may re-read only the moved ones.
   */
  private statesCurrent = false;
  /** Nodes right at the latest sample (running counts; see evaluate). */
  private treeCount = 0;
  private snakeCount = 0;
  private coordsCount = 0;
  /**
   * Each node's coordinates check reads its parent's coordinates (coordsConsistent): the children
   * whose check used node p, as intrusive doubly linked lists (head per parent, -1 = none), so a
   * node whose state changed has its children's checks redone too.
   */
  private childOf: Int32Array = new Int32Array(0);
  private childHead: Int32Array = new Int32Array(0);
  private childNext: Int32Array = new Int32Array(0);
  private childPrev: Int32Array = new Int32Array(0);
  /** Scratch: the nodes a sample re-evaluates. */
  private changed: Int32Array = new Int32Array(0);
  private capacity = 0;
  private topologyVersion = Number.NaN;
  private keysSorted = -1;
  /** Topology-derived (rebuilt on change). */
  private component: Int32Array = new Int32Array(0);
  private degree: Int32Array = new Int32Array(0);
  private sorted: Int32Array = new Int32Array(0);
  private greatest: Int32Array = new Int32Array(0);
  private predecessor: Int32Array = new Int32Array(0);
  private liveList: Int32Array = new Int32Array(0);
  private upLinks = 0;
  /** Per node: its reused state object. */
  private states: NodeState[] = [];
  private present: Uint8Array = new Uint8Array(0);
  // Previous state per node, for "time it reached its current state".
  private prevRootKey: (PublicKey | null)[] = [];
  private prevRootSeq: Float64Array = new Float64Array(0);
  private prevParent: Int32Array = new Int32Array(0);
  private prevDescending: (PublicKey | null)[] = [];
  private seen: Uint8Array = new Uint8Array(0);
  /** Per node: its own root sequence at the previous sample while it was its component's root, else NaN. */
  private ownRootSeq: Float64Array = new Float64Array(0);
  /** Per node: 1 = waiting for its first link (start-up rule). */
  private waiting: Uint8Array = new Uint8Array(0);
  private waitingNames: Set<string> | null;
  private readonly waitUntil: Micros;
  private treeOkNow: Uint8Array = new Uint8Array(0);
  private snakeOkNow: Uint8Array = new Uint8Array(0);
  private coordsOkNow: Uint8Array = new Uint8Array(0);
  /**
   * Coordinates check cache: the result holds while the topology, the node's parent port and the
   * two coordinate arrays (immutable, replaced on every stored announcement) are the same objects.
   */
  private coordsMine: (Coordinates | null)[] = [];
  private coordsParent: (Coordinates | null)[] = [];
  private coordsPort: Int32Array = new Int32Array(0);
  private coordsParentNode: Int32Array = new Int32Array(0);
  private coordsResult: Uint8Array = new Uint8Array(0);
  /** Per node: first sample time (µs) from which it has been correct ever since, or −1. */
  treeOkSince: Float64Array = new Float64Array(0);
  snakeOkSince: Float64Array = new Float64Array(0);
  /** Per node: time (µs) of the sample where its current tree / snake state first appeared. */
  treeChangedAt: Float64Array = new Float64Array(0);
  snakeChangedAt: Float64Array = new Float64Array(0);
  /** First sample time from which the property has held for all nodes ever since, or null. */
  treeSince: Micros | null = null;
  snakeSince: Micros | null = null;
  coordsSince: Micros | null = null;
  /** Results of the latest sample. */
  treeFraction = 0;
  snakeFraction = 0;
  coordsFraction = 0;
  liveNodes = 0;
  /**
   * Right snake states lost: how many times a node that had the right descending pointer at one
   * sample had a wrong one at the next, whatever the cause (after start-up; topology changes
   * included). In a network that does not change this is the snake's flicker: a pointer expires
   * when its predecessor's bootstraps stop reaching it (§6.3 step 1, §6.5 step 7). Losses and
   * recoveries between two samples are not seen.
   */
  get snakeLosses(): number {
    return this.snakeLossTotal;
  }
  private snakeLossTotal = 0;
  /** Per node (index space of the source, removed nodes included): its share of snakeLosses. */
  snakeLossCount: Int32Array = new Int32Array(0);
  samples = 0;
  /** Samples that re-read only the nodes whose state may have changed (see sample). */
  partialSamples = 0;
  lastSample: Micros = -1;
  /**
   * Components whose root refreshed its sequence (§5.3.1) since the previous sample, at the latest
   * sample (see the header); counted only after start-up (`startUp.until`).
   */
  rootRefreshes = 0;
  /** One record per sample that saw a root refresh (see the header), oldest first. */
  readonly refreshes: RefreshRecord[] = [];

  /** `source`: a HostSource / ApiSource, or the Host itself (wrapped in a HostSource). */
  constructor(source: ConvergenceSource | Host, options: TrackerOptions = {}) {
    this.source = 'prepare' in source ? source : new HostSource(source);
    this.checkCoords = options.coords ?? true;
    this.incremental = options.incremental ?? true;
    const startUp = options.startUp;
    this.waitingNames = startUp === undefined || startUp.until <= 0 ? null : new Set(startUp.nodes);
    this.waitUntil = startUp?.until ?? 0;
  }

  get converged(): boolean {
    return this.treeSince !== null && this.snakeSince !== null;
  }

  /** Per node i, at the latest sample. */
  treeOk(i: number): boolean {
    return this.treeOkNow[i] === 1;
  }
  snakeOk(i: number): boolean {
    return this.snakeOkNow[i] === 1;
  }
  coordsOk(i: number): boolean {
    return this.coordsOkNow[i] === 1;
  }
  /** Index of the greatest key of node i's component (its true root) at the latest sample. */
  rootOf(i: number): number {
    return this.greatest[this.component[i] as number] as number;
  }
  /** Name of node i. */
  nameAt(i: number): string {
    return this.source.nameAt(i);
  }
  /** Component id of node i (the smallest index in the component). */
  componentOf(i: number): number {
    return this.component[i] as number;
  }
  /** Indices of present nodes, ascending (the HostApi nodeNames() order), at the latest sample. */
  liveIndices(): Int32Array {
    return this.liveList;
  }
  /** Up links at the latest sample. */
  get links(): number {
    return this.upLinks;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, this.capacity * 2, 16);
    const i32 = (a: Int32Array, fill = 0): Int32Array => {
      const b = new Int32Array(size).fill(fill);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array, fill = 0): Float64Array => {
      const b = new Float64Array(size).fill(fill);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(size);
      b.set(a);
      return b;
    };
    this.component = new Int32Array(size);
    this.degree = new Int32Array(size);
    this.greatest = new Int32Array(size);
    this.predecessor = new Int32Array(size);
    this.present = new Uint8Array(size);
    this.prevRootSeq = f64(this.prevRootSeq);
    this.ownRootSeq = f64(this.ownRootSeq, Number.NaN);
    this.prevParent = i32(this.prevParent);
    this.seen = u8(this.seen);
    this.waiting = u8(this.waiting);
    this.treeOkNow = u8(this.treeOkNow);
    this.snakeOkNow = u8(this.snakeOkNow);
    this.coordsOkNow = u8(this.coordsOkNow);
    this.coordsPort = i32(this.coordsPort);
    this.coordsParentNode = i32(this.coordsParentNode);
    this.coordsResult = u8(this.coordsResult);
    this.treeOkSince = f64(this.treeOkSince, -1);
    this.snakeOkSince = f64(this.snakeOkSince, -1);
    this.treeChangedAt = f64(this.treeChangedAt);
    this.snakeChangedAt = f64(this.snakeChangedAt);
    this.snakeLossCount = i32(this.snakeLossCount);
    this.childOf = i32(this.childOf, -1);
    this.childHead = i32(this.childHead, -1);
    this.childNext = i32(this.childNext, -1);
    this.childPrev = i32(this.childPrev, -1);
    this.readVersion = new Uint32Array(size);
    this.changed = new Int32Array(2 * size); // each node at most twice: changed, and a child
    this.statesCurrent = false; // versions were not kept for the new size: read everyone once
    while (this.states.length < size) this.states.push(newState());
    // Packed arrays of references (no holes): filled up front.
    for (const refs of [this.prevRootKey, this.prevDescending, this.coordsMine, this.coordsParent])
      while (refs.length < size) refs.push(null);
    this.capacity = size;
    this.topologyVersion = Number.NaN; // topology arrays were replaced
  }

  /** Components (union-find), degrees, and per component its greatest key and predecessors. */
  private rebuildTopology(n: number): void {
    const src = this.source;
    const parent = this.component;
    const degree = this.degree;
    const present = this.present;
    let live = 0;
    for (let i = 0; i < n; i++) {
      parent[i] = i;
      degree[i] = 0;
      // A probe read tells presence; the object is overwritten by the sample anyway.
      present[i] = src.read(i, this.states[i] as NodeState) ? 1 : 0;
      if (present[i] === 1) live++;
    }
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
    let links = 0;
    src.forEachUpLink((a, b) => {
      links++;
      degree[a] = (degree[a] as number) + 1;
      degree[b] = (degree[b] as number) + 1;
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    });
    this.upLinks = links;
    this.coordsMine.fill(null); // peers and ports may have changed
    for (let i = 0; i < n; i++) parent[i] = find(i);
    const names = this.waitingNames;
    if (names !== null)
      // Degrees change only with the topology: a named node stops waiting for good at the first
      // sample that sees it with an up link (start-up rule, see the header).
      for (let i = 0; i < n; i++) {
        this.waiting[i] = 0;
        if (present[i] === 0 || names.size === 0) continue;
        const name = src.nameAt(i);
        if (!names.has(name)) continue;
        if ((degree[i] as number) > 0) names.delete(name);
        else this.waiting[i] = 1;
      }
    const liveList = new Int32Array(live);
    for (let i = 0, k = 0; i < n; i++) if (present[i] === 1) liveList[k++] = i;
    this.liveList = liveList;
    if (this.keysSorted !== n) {
      // Indices are never reused and keys never change: the order only grows with new nodes.
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((x, y) => compareKeys(src.keyAt(x), src.keyAt(y)) || x - y);
      this.sorted = Int32Array.from(order);
      this.keysSorted = n;
    }
    // Ascending key order: each node's predecessor is the previous present node of its
    // component; afterwards greatest[c] is the component's greatest key.
    const greatest = this.greatest;
    const predecessor = this.predecessor;
    greatest.fill(-1, 0, n);
    const sorted = this.sorted;
    for (let s = 0; s < n; s++) {
      const i = sorted[s] as number;
      if (present[i] === 0) continue;
      const c = parent[i] as number;
      predecessor[i] = greatest[c] as number;
      greatest[c] = i;
    }
  }

  /**
   * Take one sample at virtual time `now`. Returns true when tree and snake both hold.
   *
   * A node's verdict depends on its own state, its component's greatest node's state, the
   * topology, the start-up rule and (coordinates) its parent's coordinates. So when the source
   * tells which nodes may have changed (viewVersions), the topology did not change, start-up is
   * over and no component's greatest node changed, only the changed nodes and their children in
   * the coordinates check are evaluated again: every other verdict, time and count stays as the
   * previous sample left it. Otherwise every node is read (the plain path, also `incremental:
   * false`); the tests check the two agree sample by sample.
   */
  sample(now: Micros): boolean {
    const src = this.source;
    src.prepare();
    const n = src.nodeCount;
    this.ensureCapacity(n);
    const topologyChanged = this.topologyVersion !== src.topologyVersion;
    if (topologyChanged) {
      this.rebuildTopology(n);
      this.topologyVersion = src.topologyVersion;
    }
    const startingUp = this.waitingNames !== null;
    this.applyStartUp(now);
    const versions = this.incremental ? (src.viewVersions?.() ?? null) : null;
    const partial =
      versions !== null &&
      this.statesCurrent &&
      !topologyChanged &&
      !startingUp &&
      this.sampleChanged(now, versions);
    if (partial) this.partialSamples++;
    else this.sampleAll(now, topologyChanged, versions);
    const count = this.liveList.length;
    const { treeCount, snakeCount, coordsCount } = this;
    this.liveNodes = count;
    this.treeFraction = count === 0 ? 1 : treeCount / count;
    this.snakeFraction = count === 0 ? 1 : snakeCount / count;
    this.coordsFraction = count === 0 ? 1 : coordsCount / count;
    this.treeSince = treeCount === count ? (this.treeSince ?? now) : null;
    this.snakeSince = snakeCount === count ? (this.snakeSince ?? now) : null;
    this.coordsSince = coordsCount === count ? (this.coordsSince ?? now) : null;
    this.samples++;
    this.lastSample = now;
    return treeCount === count && snakeCount === count;
  }

  /** Every present node read and evaluated (see sample). */
  private sampleAll(now: Micros, topologyChanged: boolean, versions: Uint32Array | null): void {
    const src = this.source;
    const states = this.states;
    const live = this.liveList;
    // Read every present node once (the greatest node's state is compared by others).
    for (let k = 0; k < live.length; k++) {
      const i = live[k] as number;
      src.read(i, states[i] as NodeState);
      if (versions !== null) this.readVersion[i] = versions[i] as number;
    }
    this.rootRefreshes = this.countRootRefreshes(now, topologyChanged);
    if (this.rootRefreshes > 0) {
      const n = this.source.nodeCount;
      this.refreshes.push({
        time: now,
        treeOkSince: this.treeOkSince.slice(0, n),
        snakeOkSince: this.snakeOkSince.slice(0, n),
      });
    }
    for (let k = 0; k < live.length; k++) this.evaluate(live[k] as number, now);
    let treeCount = 0;
    let snakeCount = 0;
    let coordsCount = 0;
    for (let k = 0; k < live.length; k++) {
      const i = live[k] as number;
      treeCount += this.treeOkNow[i] as number;
      snakeCount += this.snakeOkNow[i] as number;
      coordsCount += this.coordsOkNow[i] as number;
    }
    this.treeCount = treeCount;
    this.snakeCount = snakeCount;
    this.coordsCount = coordsCount;
    this.statesCurrent = versions !== null;
    if (versions === null)
      // Drop the references the states hold (keys, coordinates) between samples: nothing says
      // when they change, so they are read again next time anyway.
      for (let k = 0; k < live.length; k++) {
        const st = states[live[k] as number] as NodeState;
        st.descendingKey = null;
        st.rootKey = EMPTY_KEY;
        st.coords = NO_COORDS;
      }
  }

  /**
   * The partial sample (see sample): false, having changed nothing but re-read states, when a
   * component's greatest node changed (every verdict of its component may move: sample all).
   */
  private sampleChanged(now: Micros, versions: Uint32Array): boolean {
    const live = this.liveList;
    const changed = this.changed;
    const readVersion = this.readVersion;
    let m = 0;
    for (let k = 0; k < live.length; k++) {
      const i = live[k] as number;
      if (versions[i] !== readVersion[i]) changed[m++] = i;
    }
    const component = this.component;
    const greatest = this.greatest;
    for (let k = 0; k < m; k++) {
      const i = changed[k] as number;
      if (greatest[component[i] as number] === i) return false;
    }
    const states = this.states;
    for (let k = 0; k < m; k++) {
      const i = changed[k] as number;
      this.source.read(i, states[i] as NodeState);
      readVersion[i] = versions[i] as number;
    }
    // No greatest node changed: no root refreshed its sequence (countRootRefreshes).
    this.rootRefreshes = 0;
    const touched = m;
    for (let k = 0; k < touched; k++) {
      const p = changed[k] as number;
      // Its children's coordinates checks read its coordinates: evaluated again too (a node
      // evaluated twice in one sample gets the same verdict and keeps its times).
      for (let c = this.childHead[p] as number; c >= 0; c = this.childNext[c] as number)
        if (this.present[c] === 1) changed[m++] = c;
    }
    for (let k = 0; k < m; k++) {
      const i = changed[k] as number;
      const tree = this.treeOkNow[i] as number;
      const snake = this.snakeOkNow[i] as number;
      const coords = this.coordsOkNow[i] as number;
      this.evaluate(i, now);
      this.treeCount += (this.treeOkNow[i] as number) - tree;
      this.snakeCount += (this.snakeOkNow[i] as number) - snake;
      this.coordsCount += (this.coordsOkNow[i] as number) - coords;
    }
    return true;
  }

  /** Node i's verdicts, correct-since times, losses and change times from its state now. */
  private evaluate(i: number, now: Micros): void {
    const src = this.source;
    const states = this.states;
    const st = states[i] as NodeState;
    const greatest = this.greatest[this.component[i] as number] as number;
    const greatestKey = src.keyAt(greatest);
    const greatestState = states[greatest] as NodeState;
    let treeOk =
      keysEqual(st.rootKey, greatestKey) &&
      keysEqual(greatestState.rootKey, greatestKey) &&
      st.rootSeq === greatestState.rootSeq;
    const pred = this.predecessor[i] as number;
    let snakeOk =
      pred < 0
        ? st.descendingKey === null
        : st.descendingKey !== null && keysEqual(st.descendingKey, src.keyAt(pred));
    if (this.waitingNames !== null && this.waiting[i] === 1) {
      // Not joined yet (start-up rule, see the header): not converged.
      treeOk = false;
      snakeOk = false;
    }
    const coordsOk = treeOk && this.checkCoords && this.coordsConsistent(i, st);
    this.treeOkNow[i] = treeOk ? 1 : 0;
    if (this.snakeOkNow[i] === 1 && !snakeOk) {
      this.snakeLossCount[i] = (this.snakeLossCount[i] as number) + 1;
      this.snakeLossTotal++;
    }
    this.snakeOkNow[i] = snakeOk ? 1 : 0;
    this.coordsOkNow[i] = coordsOk ? 1 : 0;
    if (treeOk) {
      if (this.treeOkSince[i] === -1) this.treeOkSince[i] = now;
    } else this.treeOkSince[i] = -1;
    if (snakeOk) {
      if (this.snakeOkSince[i] === -1) this.snakeOkSince[i] = now;
    } else this.snakeOkSince[i] = -1;
    this.stateChanges(i, st, now);
  }

  /**
   * Components whose greatest node was its own root at the previous sample and still is, with a
   * higher sequence now, and the topology has not changed since (see the header). Before
   * `startUp.until` nothing counts: nodes are still starting (their first tree tick moves the
   * sequence from 0 to 1, §5.3.1, which never counts).
   */
  private countRootRefreshes(now: Micros, topologyChanged: boolean): number {
    const live = this.liveList;
    const component = this.component;
    const greatestOf = this.greatest;
    const own = this.ownRootSeq;
    const counting = now >= this.waitUntil && !topologyChanged;
    let refreshed = 0;
    for (let k = 0; k < live.length; k++) {
      const i = live[k] as number;
      if (greatestOf[component[i] as number] !== i) {
        own[i] = Number.NaN;
        continue;
      }
      const st = this.states[i] as NodeState;
      if (!keysEqual(st.rootKey, this.source.keyAt(i))) {
        own[i] = Number.NaN; // following another root (or not started): not a refresh later
        continue;
      }
      const before = own[i] as number;
      // NaN compares false; from 0 (not started) to 1 is a start, not a refresh (§5.3.1).
      if (counting && before >= 1 && st.rootSeq > before) refreshed++;
      own[i] = st.rootSeq;
    }
    return refreshed;
  }

  /** Start-up rule: after `until` nobody waits any more. */
  private applyStartUp(now: Micros): void {
    if (this.waitingNames !== null && now >= this.waitUntil) this.waitingNames = null;
  }

  /** §5.2: coordinates = the parent's coordinates + the parent's port towards us; root: []. */
  private coordsConsistent(i: number, st: NodeState): boolean {
    const coords = st.coords;
    if (st.parentPort === null) return coords.length === 0;
    const port = st.parentPort;
    // Cache hit: same topology (rebuilds clear coordsMine), same parent port, hence the same
    // parent node, and the same two coordinate arrays.
    const cachedParent = this.coordsParentNode[i] as number;
    if (
      this.coordsMine[i] === coords &&
      this.coordsPort[i] === port &&
      this.coordsParent[i] === (this.states[cachedParent] as NodeState).coords
    )
      return this.coordsResult[i] === 1;
    const parent = this.source.peerAt(i, port);
    let ok = parent >= 0 && this.component[parent] === this.component[i];
    const pc = ok ? (this.states[parent] as NodeState).coords : NO_COORDS;
    ok = ok && pc.length + 1 === coords.length;
    for (let k = 0; ok && k < pc.length; k++) if (pc[k] !== coords[k]) ok = false;
    ok = ok && this.source.peerAt(parent, coords[pc.length] as number) === i;
    if (parent >= 0) {
      this.coordsMine[i] = coords;
      this.coordsParent[i] = pc;
      this.coordsParentNode[i] = parent;
      this.coordsPort[i] = port;
      this.coordsResult[i] = ok ? 1 : 0;
      this.adopt(i, parent);
    }
    return ok;
  }

  /** Node c's coordinates check read node p's coordinates (the child lists, see childOf). */
  private adopt(c: number, p: number): void {
    const childOf = this.childOf;
    const old = childOf[c] as number;
    if (old === p) return;
    const next = this.childNext;
    const prev = this.childPrev;
    const head = this.childHead;
    if (old >= 0) {
      const nx = next[c] as number;
      const pv = prev[c] as number;
      if (pv >= 0) next[pv] = nx;
      else head[old] = nx;
      if (nx >= 0) prev[nx] = pv;
    }
    childOf[c] = p;
    const first = head[p] as number;
    next[c] = first;
    prev[c] = -1;
    if (first >= 0) prev[first] = c;
    head[p] = c;
  }

  /** Per-node state-change times (root, sequence, parent; descending). */
  private stateChanges(i: number, st: NodeState, now: Micros): void {
    const parent = st.parentPort ?? -1;
    const prevRoot = this.prevRootKey[i] ?? null;
    if (
      this.seen[i] === 0 ||
      prevRoot === null ||
      !keysEqual(prevRoot, st.rootKey) ||
      this.prevRootSeq[i] !== st.rootSeq ||
      this.prevParent[i] !== parent
    ) {
      this.treeChangedAt[i] = now;
      this.prevRootKey[i] = st.rootKey;
      this.prevRootSeq[i] = st.rootSeq;
      this.prevParent[i] = parent;
    }
    const prevDesc = this.prevDescending[i] ?? null;
    const desc = st.descendingKey;
    if (
      this.seen[i] === 0 ||
      (prevDesc === null ? desc !== null : desc === null || !keysEqual(prevDesc, desc))
    ) {
      this.snakeChangedAt[i] = now;
      this.prevDescending[i] = desc;
    }
    this.seen[i] = 1;
  }
}
