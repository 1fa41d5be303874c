/**
 * router/snake.ts — the virtual snake: routing table, descending pointer, bootstraps
 * (PROTOCOL.md §6) [router/state_snek.go].
 */
import { NO_PORT } from './decisions/links.ts';
import {
  lowerBound,
  newSnekResult,
  nextHopSnek,
  type SnekEntryInfo,
  type SnekIndexSlot,
  type SnekInputs,
} from './decisions/snek-next-hop.ts';
import { explainSnek } from './forward.ts';
import { compareKeys, INITIAL_WATERMARK, keyPrefix, keysEqual, ordered, worse } from './keys.ts';
import type { Link, RouterCore } from './peers.ts';
import {
  type BootstrapFrame,
  FrameType,
  type Micros,
  type Port,
  type PublicKey,
  type Watermark,
} from './types.ts';
import {
  buildBootstrapPayload,
  readBootstrapPayload,
  verifyBootstrapPayload,
} from './wire/bootstrap.ts';
import { isCodecError } from './wire/errors.ts';

/** Timer id of the 1 s snake maintenance tick (§6.3). */
export const TIMER_SNAKE = 1;

/**
 * One routing-table entry (§6.2). The entry's watermark is (key, seq), so the entry is its own
 * Watermark (issue 7: a separate {key, seq} object per entry was ~40 bytes of every idle router's
 * heap per table entry).
 *
 * The descending pointer holds an entry as a snapshot (§6.1): an entry it holds is never changed;
 * a refresh of that key installs a new object. Any other entry is refreshed in place (issue 7: at
 * 100,000 nodes a new object per bootstrap hop was ~1 M objects per virtual second, each living
 * ~5 s, i.e. old-generation garbage for the major GC), which nothing can observe: only the table
 * refers to it.
 */
export class SnakeEntry implements SnekEntryInfo, Watermark {
  readonly key: PublicKey;
  // Assigned by refresh(), which the constructor calls (one place for the §6.5 step 6 fields).
  /** Bootstrap sequence of the entry's watermark (§6.2). */
  seq!: number;
  sourcePort!: Port;
  /** Next hop chosen for the bootstrap here, NO_PORT at the dead end. */
  destinationPort!: number;
  lastSeen!: Micros;
  rootKey!: PublicKey;
  rootSeq!: number;

  constructor(
    key: PublicKey,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ) {
    this.key = key;
    this.refresh(sourcePort, destinationPort, seq, lastSeen, rootKey, rootSeq);
  }

  /** §6.5 step 6 on an entry that no descending pointer holds (see the class comment). */
  refresh(
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ): void {
    this.seq = seq;
    this.sourcePort = sourcePort;
    this.destinationPort = destinationPort;
    this.lastSeen = lastSeen;
    this.rootKey = rootKey;
    this.rootSeq = rootSeq;
  }

  /** The entry's watermark (key, seq): the entry itself. */
  get watermark(): Watermark {
    return this;
  }
}

/**
 * A run of table entries in ascending key order with their keyPrefix in a Float64Array beside
 * them (issue 7): binary searches read the contiguous prefixes and touch an entry only on a
 * prefix tie, instead of loading an entry and its key per probe (cache misses made the table
 * search ~30% of bootstrap handling at 20,000 nodes). Capacity grows by doubling.
 */
export class KeyRun {
  entries: SnakeEntry[] = [];
  prefixes: Float64Array = new Float64Array(4);

  /** Index of `key`, or −(insertion point) − 1. */
  search(key: PublicKey): number {
    const i = lowerBound(this.entries, key, this.prefixes);
    const e = this.entries[i];
    return e !== undefined && keysEqual(e.key, key) ? i : -i - 1;
  }

  /** Room for `capacity` prefixes (doubling, so growth is amortised). */
  reserve(capacity: number): void {
    if (this.prefixes.length >= capacity) return;
    let cap = Math.max(4, this.prefixes.length);
    while (cap < capacity) cap *= 2;
    const grown = new Float64Array(cap);
    grown.set(this.prefixes.subarray(0, this.entries.length));
    this.prefixes = grown;
  }

  insertAt(i: number, entry: SnakeEntry): void {
    const n = this.entries.length;
    this.reserve(n + 1);
    this.prefixes.copyWithin(i + 1, i, n);
    this.prefixes[i] = keyPrefix(entry.key);
    this.entries.splice(i, 0, entry);
  }

  /** §4.5 step 3b: drop entries whose source or destination is `port`. */
  removePort(port: Port): void {
    let k = 0;
    const es = this.entries;
    const pre = this.prefixes;
    for (let i = 0; i < es.length; i++) {
      const e = es[i] as SnakeEntry;
      if (e.sourcePort === port || e.destinationPort === port) continue;
      pre[k] = pre[i] as number;
      es[k++] = e;
    }
    es.length = k;
  }

  /** §6.3 step 2: drop expired entries, in place, keeping order. */
  removeExpired(now: Micros, expiry: Micros): void {
    let k = 0;
    const es = this.entries;
    const pre = this.prefixes;
    for (let i = 0; i < es.length; i++) {
      const e = es[i] as SnakeEntry;
      if (now - e.lastSeen >= expiry) continue;
      pre[k] = pre[i] as number;
      es[k++] = e;
    }
    es.length = k;
  }
}

/**
 * The routing table (§6.2): one entry per key, in ascending key order ([DET] §6.6), held as two
 * sorted runs. New keys go into the small `side` run, which is merged into `main` when it
 * outgrows about √(table size) (issue 7: at 100,000 nodes a hub's table holds ~17,000 entries and
 * inserting into one sorted array moved all of them, 16% of the run; now an insert moves O(√n)
 * entries, amortised). Searches look in both; the next-hop search merges them in key order.
 */
export class SnakeState {
  readonly main = new KeyRun();
  readonly side = new KeyRun();
  /** The descending entry snapshot (§6.1), or null. */
  descending: SnakeEntry | null = null;
  /** Zero time in the reference: the first tick with a parent bootstraps (§6.3). */
  lastBootstrap: Micros = Number.NEGATIVE_INFINITY;
  /**
   * Entries installed for a key the table did not hold (§6.5 step 6), since the router started;
   * not reset by clear(). In a network that does not change, the table churn that moving
   * bootstrap paths cause (README "Large networks"; summary tableInstalls).
   */
  installs = 0;
  private readonly bootstrapInterval: Micros;

  constructor(bootstrapInterval: Micros) {
    this.bootstrapInterval = bootstrapInterval;
  }

  /** Number of entries (expired ones included until the next sweep). */
  get size(): number {
    return this.main.entries.length + this.side.entries.length;
  }

  /** Every entry in ascending key order (merges the runs first; for snapshots and tests). */
  get entries(): readonly SnakeEntry[] {
    this.merge();
    return this.main.entries;
  }

  get(key: PublicKey): SnakeEntry | null {
    const i = this.main.search(key);
    if (i >= 0) return this.main.entries[i] as SnakeEntry;
    const j = this.side.search(key);
    return j >= 0 ? (this.side.entries[j] as SnakeEntry) : null;
  }

  /** Install `entry`, replacing the entry with its key if there is one. */
  put(entry: SnakeEntry): void {
    const i = this.main.search(entry.key);
    if (i >= 0) {
      this.main.entries[i] = entry;
      return;
    }
    const j = this.side.search(entry.key);
    if (j >= 0) this.side.entries[j] = entry;
    else this.insert(entry);
  }

  /** Install `entry` whose key the table does not hold (get() returned null). */
  insert(entry: SnakeEntry): void {
    this.installs++;
    const side = this.side;
    side.insertAt(-side.search(entry.key) - 1, entry);
    const n = this.main.entries.length;
    if (side.entries.length > 16 && side.entries.length * side.entries.length > n) this.merge();
  }

  /** Empty the table (§4.5 full reset). */
  clear(): void {
    for (const run of [this.main, this.side]) {
      run.entries = [];
      run.prefixes = new Float64Array(4);
    }
  }

  /** §4.5 step 3b: drop entries whose source or destination is `port`. */
  removePort(port: Port): void {
    this.main.removePort(port);
    this.side.removePort(port);
  }

  /** §6.3 step 2. */
  removeExpired(now: Micros, expiry: Micros): void {
    this.main.removeExpired(now, expiry);
    this.side.removeExpired(now, expiry);
  }

  /**
   * Merge the side run into the main run (keys are unique across the two), in place from the back:
   * no new arrays but capacity growth (a new 17,000-entry array per merge at a hub was large-object
   * garbage for the major GC).
   */
  private merge(): void {
    const side = this.side;
    const s = side.entries.length;
    if (s === 0) return;
    const main = this.main;
    const n = main.entries.length;
    main.reserve(n + s);
    const es = main.entries;
    const pre = main.prefixes;
    const ss = side.entries;
    const spre = side.prefixes;
    // Grow by pushing (a placeholder, overwritten below) rather than setting length, so the array
    // stays packed (a holey array is slower to read everywhere after).
    for (let t = 0; t < s; t++) es.push(ss[0] as SnakeEntry);
    let i = n - 1;
    let j = s - 1;
    for (let k = n + s - 1; j >= 0; k--) {
      let fromMain = false;
      if (i >= 0) {
        const a = pre[i] as number;
        const b = spre[j] as number;
        fromMain =
          a !== b ? a > b : compareKeys((es[i] as SnakeEntry).key, (ss[j] as SnakeEntry).key) > 0;
      }
      if (fromMain) {
        pre[k] = pre[i] as number;
        es[k] = es[i--] as SnakeEntry;
      } else {
        pre[k] = spre[j] as number;
        es[k] = ss[j--] as SnakeEntry;
      }
    }
    ss.length = 0;
  }

  /** "Bootstrap soon": the next maintenance tick sends one (§6.3). */
  bootstrapSoon(now: Micros): void {
    this.lastBootstrap = now - this.bootstrapInterval;
  }

  /**
   * §6.3 [router/state.go: _setDescendingNode]: any change (set from none, cleared — even when
   * already none — or a different key) means bootstrap soon; a same-key refresh does not.
   */
  setDescending(entry: SnakeEntry | null, now: Micros): void {
    const old = this.descending;
    const changed = entry === null || old === null || !keysEqual(old.key, entry.key);
    this.descending = entry;
    if (changed) this.bootstrapSoon(now);
  }
}

const result = newSnekResult();

// One mutable inputs object reused for every search (synchronous, non-reentrant).
const inputs = {
  boot: false,
  dest: INITIAL_WATERMARK.key,
  self: INITIAL_WATERMARK.key,
  watermark: INITIAL_WATERMARK,
  parent: null as SnekInputs['parent'],
  rootKey: INITIAL_WATERMARK.key,
  links: [] as SnekInputs['links'],
  linkByPort: [] as SnekInputs['linkByPort'],
  entries: [] as SnekInputs['entries'],
  entryPrefixes: new Float64Array(0) as Float64Array,
  sideEntries: [] as SnekInputs['entries'],
  sidePrefixes: new Float64Array(0) as Float64Array,
  now: 0,
  neighExpiry: 0,
  wholeRoot: false,
  linksVersion: 0,
  indexSlot: { sorted: null } as SnekIndexSlot,
};

/** §6.6 for the router's current state; the result object is shared (read it at once). */
export function snekNextHop(r: RouterCore, boot: boolean, dest: PublicKey, watermark: Watermark) {
  inputs.boot = boot;
  inputs.dest = dest;
  inputs.self = r.identity.publicKey;
  inputs.watermark = watermark;
  inputs.parent = r.tree.parent;
  inputs.rootKey = r.tree.rootAnnouncement().rootKey;
  inputs.links = r.peers.links;
  inputs.linkByPort = r.peers.byPort;
  inputs.entries = r.snake.main.entries;
  inputs.entryPrefixes = r.snake.main.prefixes;
  inputs.sideEntries = r.snake.side.entries;
  inputs.sidePrefixes = r.snake.side.prefixes;
  inputs.now = r.now;
  inputs.neighExpiry = r.options.neighExpiry;
  inputs.wholeRoot = r.options.headParallelLinkWholeRoot;
  inputs.linksVersion = r.peers.version;
  inputs.indexSlot = r.peers.snekIndex;
  const variant = r.variant?.snekNextHop ?? null;
  return variant === null ? nextHopSnek(inputs, result) : variant({ ...inputs }, result);
}

/** Maintenance tick (§6.3), re-armed every second. */
export function maintainSnake(r: RouterCore): void {
  const snake = r.snake;
  const now = r.now;
  const expiry = r.options.neighExpiry;
  const d = snake.descending;
  if (d !== null) {
    const root = r.tree.rootAnnouncement();
    if (
      now - d.lastSeen >= expiry ||
      d.rootSeq !== root.rootSeq ||
      !keysEqual(d.rootKey, root.rootKey)
    ) {
      snake.setDescending(null, now);
    }
  }
  snake.removeExpired(now, expiry);
  if (now - snake.lastBootstrap >= r.options.bootstrapInterval) bootstrapNow(r);
  r.fx.setTimer(TIMER_SNAKE, now + r.options.snakeMaintainInterval);
}

/** §6.4: a root sends nothing and does not update lastBootstrap. */
export function bootstrapNow(r: RouterCore): void {
  if (r.tree.parent === null) return;
  const now = r.now;
  const root = r.tree.rootAnnouncement();
  const seq = r.options.clockEpochMs + Math.floor(now / 1000);
  const signer = r.signer;
  const payload = buildBootstrapPayload(
    seq,
    root.rootKey,
    root.rootSeq,
    signer === null ? null : r.identity,
    signer,
  );
  const own = r.identity.publicKey;
  const res = snekNextHop(r, true, own, INITIAL_WATERMARK);
  if (res.port > 0) {
    const link = r.peers.get(res.port) as Link;
    const frame: BootstrapFrame = {
      type: FrameType.Bootstrap,
      extra: 0,
      hopLimit: 0,
      destinationKey: own,
      watermark: { key: res.key, seq: res.seq },
      payload,
    };
    if (r.options.recordReasons) r.fx.explain?.(frame, res.port, explainSnek(res, true));
    r.sendProtocol(link, frame);
  }
  r.snake.lastBootstrap = now;
}

/** §6.5 at every node a bootstrap reaches. Problems are silent drops, never link drops (§4.4). */
export function handleBootstrap(r: RouterCore, link: Link, frame: BootstrapFrame): void {
  const now = r.now;
  const key = frame.destinationKey;
  const payload = readBootstrapPayload(frame.payload);
  if (isCodecError(payload)) return;
  if (r.signer !== null && !verifyBootstrapPayload(frame.payload, key, r.signer)) return;
  const root = r.tree.rootAnnouncement();
  const snake = r.snake;
  const accept = r.variant?.acceptBootstrap ?? null;
  let existing: SnakeEntry | null;
  if (accept === null) {
    if (payload.rootSeq !== root.rootSeq || !keysEqual(payload.rootKey, root.rootKey)) return;
    existing = snake.get(key);
    if (
      existing !== null &&
      existing.rootSeq === payload.rootSeq &&
      keysEqual(existing.rootKey, payload.rootKey) &&
      payload.seq <= existing.seq
    ) {
      return; // duplicate or loop (§6.5 step 5; expired entries still count)
    }
  } else {
    existing = snake.get(key);
    const ok = accept({
      key,
      seq: payload.seq,
      rootKey: payload.rootKey,
      rootSeq: payload.rootSeq,
      ourRootKey: root.rootKey,
      ourRootSeq: root.rootSeq,
      existing,
      fromPort: link.port,
    });
    if (!ok) return;
  }
  // §6.5 step 1's next-hop search, made here (issue 7): it is a pure function of the state, and
  // nothing above changes the state, so searching after the drop checks (still before the table
  // and descending updates it must not see) chooses the same hop while dropped bootstraps (wrong
  // root, duplicates: most of them while a root change spreads) skip the search.
  const res = snekNextHop(r, true, key, frame.watermark);
  const next = res.port;
  const wmKey = res.key;
  const wmSeq = res.seq;
  const rule = res.rule;
  // §6.5 step 6.
  let entry: SnakeEntry;
  if (existing !== null && existing !== snake.descending) {
    existing.refresh(link.port, next, payload.seq, now, root.rootKey, root.rootSeq);
    entry = existing;
  } else {
    entry = new SnakeEntry(key, link.port, next, payload.seq, now, root.rootKey, root.rootSeq);
    if (existing === null) {
      snake.insert(entry);
      r.fx.tableInstall?.();
    } else snake.put(entry);
  }
  // §6.5 step 7: descending update at every node on the path.
  const own = r.identity.publicKey;
  if (compareKeys(key, own) < 0) {
    const d = snake.descending;
    if (d !== null && now - d.lastSeen < r.options.neighExpiry) {
      if (keysEqual(d.key, key) || ordered(d.key, key, own)) snake.setDescending(entry, now);
    } else {
      snake.setDescending(entry, now);
    }
  }
  if (next === NO_PORT) return; // arrived: we are the closest greater key we know of
  const wm = { key: wmKey, seq: wmSeq };
  if (next === link.port || worse(wm, frame.watermark)) return;
  const out = r.peers.get(next);
  if (out === undefined) return;
  // A literal of the frame's fields, not a spread (issue 7: the spread was 8% of this function).
  const fwd: BootstrapFrame = {
    type: FrameType.Bootstrap,
    extra: frame.extra,
    hopLimit: frame.hopLimit,
    destinationKey: frame.destinationKey,
    watermark: wm,
    payload: frame.payload,
  };
  if (r.options.recordReasons) {
    r.fx.explain?.(fwd, next, explainSnek({ port: next, key: wmKey, seq: wmSeq, rule }, true));
  }
  r.sendProtocol(out, fwd);
}

/** §4.5: full reset of the snake state (descending cleared counts as a change). */
export function resetSnake(r: RouterCore): void {
  r.snake.clear();
  r.snake.setDescending(null, r.now);
}
