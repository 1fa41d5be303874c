/**
 * router/snake-state.ts — the virtual snake's state: routing table and descending pointer
 * (PROTOCOL.md §6.1, §6.2) [router/state_snek.go: virtualSnakeTable, virtualSnakeEntry]. The
 * handlers that change it are in router/snake.ts; this module needs no RouterCore, so the core
 * interface (router/core.ts) can name it without an import cycle.
 */
import type { LinkInfo } from './decisions/links.ts';
import { NO_PORT } from './decisions/links.ts';
import {
  lowerBound,
  type SnekEntryInfo,
  type SnekResult,
  SnekRule,
  type SnekSearch,
} from './decisions/snek-next-hop.ts';
import { compareKeys, FULL_MASK, INITIAL_WATERMARK, keyPrefix, keysEqual } from './keys.ts';
import type { Micros, Port, PublicKey, Watermark } from './types.ts';

const NO_ENTRIES: readonly SnekEntryInfo[] = Object.freeze([]);
/**
 * The prefixes of a run that never held an entry: zero-length, so nothing can be written to it.
 * A Float64Array costs ~220 B of heap however short (the array, its buffer, the backing store), and
 * most tables never fill their main run (entries go to the side run first; see SnakeState).
 */
const NO_PREFIXES = new Float64Array(0);
const NO_LINKS: readonly LinkInfo[] = Object.freeze([]);

/**
 * The router's SNEK search inputs, refilled field by field before each search (router/snake.ts
 * snekNextHop) rather than built per search: the search runs per bootstrap hop, and a fresh
 * 17-field object each time was garbage at that rate. One per router, so nothing is shared.
 */
function newSnekInputs() {
  return {
    boot: false,
    dest: INITIAL_WATERMARK.key,
    self: INITIAL_WATERMARK.key,
    watermark: INITIAL_WATERMARK,
    parent: null as LinkInfo | null,
    rootKey: INITIAL_WATERMARK.key,
    links: NO_LINKS,
    linkByPort: NO_LINKS as readonly (LinkInfo | undefined)[],
    entries: NO_ENTRIES,
    entryPrefixes: undefined as Float64Array | undefined,
    sideEntries: NO_ENTRIES,
    sidePrefixes: undefined as Float64Array | undefined,
    now: 0,
    neighExpiry: 0,
    wholeRoot: false,
    linksVersion: 0,
    indexSlot: undefined as SnekSearch | undefined,
  };
}

/**
 * The result of this router's next-hop searches (decisions/snek-next-hop.ts newSnekResult, as a
 * class): the object literal had its `seq` widened from 0 to a timestamp-sized sequence by the
 * first search, and two in three routers' copies ended in dictionary mode, ~450 B of idle heap
 * each (scripts/bench-heap.ts, geo:10000). A class keeps one shape for every router.
 */
class SearchResult implements SnekResult {
  port: number = NO_PORT;
  // FULL_MASK until the first search replaces it (keys are never written through a result).
  key = FULL_MASK;
  seq = 0;
  rule: SnekRule = SnekRule.None;
}

/**
 * One routing-table entry (§6.2). The entry's watermark is (key, seq), so the entry is its own
 * Watermark: a separate {key, seq} object per entry would be ~40 bytes of every idle router's heap
 * per table entry.
 *
 * The descending pointer holds an entry as a snapshot (§6.1): an entry it holds is never changed;
 * a refresh of that key installs a new object. Any other entry is refreshed in place (at 100,000
 * nodes a new object per bootstrap hop was ~1 M objects per virtual second, each living
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
 * them: binary searches read the contiguous prefixes and touch an entry only on a
 * prefix tie, instead of loading an entry and its key per probe (cache misses made the table
 * search ~30% of bootstrap handling at 20,000 nodes). Capacity grows by doubling.
 */
export class KeyRun {
  entries: SnakeEntry[] = [];
  prefixes: Float64Array = NO_PREFIXES;

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
 * outgrows about √(table size) (at 100,000 nodes a hub's table holds ~17,000 entries, and
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
  /** The inputs and the result object of this router's next-hop searches (see newSnekInputs). */
  readonly searchInputs = newSnekInputs();
  readonly searchResult: SnekResult = new SearchResult();
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
      run.prefixes = NO_PREFIXES;
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
