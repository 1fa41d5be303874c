/**
 * router/snake-state.ts — the virtual snake's state: routing table and descending pointer
 * (PROTOCOL.md §6.1, §6.2) [router/state_snek.go: virtualSnakeTable, virtualSnakeEntry]. The
 * handlers that change it are in router/snake.ts; this module needs no RouterCore, so the core
 * interface (router/core.ts) can name it without an import cycle.
 */
import type { LinkInfo } from './decisions/links.ts';
import { NO_PORT } from './decisions/links.ts';
import {
  type SnekEntryInfo,
  type SnekResult,
  SnekRule,
  type SnekSearch,
  type SnekTable,
  TABLE_BEHIND,
} from './decisions/snek-next-hop.ts';
import { compareKeys, FULL_MASK, INITIAL_WATERMARK, keysEqual, keyTag } from './keys.ts';
import { TableRun } from './table-run.ts';
import type { Micros, Port, PublicKey, Watermark } from './types.ts';

const NO_ENTRIES: readonly SnekEntryInfo[] = Object.freeze([]);
const NO_LINKS: readonly LinkInfo[] = Object.freeze([]);

/**
 * Table size from which new keys go to the side run (SnakeState): inserting into 256 rows moves
 * ~12 KB, a memmove of about a microsecond. From 64 instead, ba:20000 ran no faster and an idle
 * router at 10,000 nodes kept 0.5 KB more (side runs of tables of a few hundred entries).
 */
const SIDE_FROM = 256;

/** SnakeState.find's answer for a key the table does not hold. */
export const NO_SLOT = -1;

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
    table: undefined as SnekTable | undefined,
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
 * One routing-table entry (§6.2) as an object: the descending pointer's snapshot (§6.1: the entry
 * as it was when the pointer was set; the table's row may be refreshed or dropped after), and the
 * entries the debugging views and tests read. The table itself keeps its entries as rows
 * (router/table-run.ts). The entry's watermark is (key, seq), so the entry is its own Watermark.
 */
export class SnakeEntry implements SnekEntryInfo, Watermark {
  readonly key: PublicKey;
  readonly sourcePort: Port;
  /** Next hop chosen for the bootstrap here, NO_PORT at the dead end. */
  readonly destinationPort: number;
  /** Bootstrap sequence of the entry's watermark (§6.2). */
  readonly seq: number;
  readonly lastSeen: Micros;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;

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
    this.sourcePort = sourcePort;
    this.destinationPort = destinationPort;
    this.seq = seq;
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
 * The routing table (§6.2): one entry per key, in ascending key order ([DET] §6.6), held as two
 * sorted runs of rows (router/table-run.ts). In a big table new keys go into the small `side` run,
 * which is merged into `main` when it outgrows about √(table size) (at 100,000 nodes a hub's table
 * holds ~17,000 entries, and inserting into one sorted array moved all of them, 16% of the run;
 * now an insert moves O(√n) entries, amortised). Below `sideFrom` entries they go straight into
 * `main`: moving a few hundred rows costs less than a second run's storage in every router. Lookups
 * look in both; the next-hop search merges them in key order. An entry is named by a slot (find):
 * its index in `main`, or −2 − its index in `side`, valid until the table next changes.
 */
export class SnakeState implements SnekTable {
  readonly main = new TableRun();
  readonly side = new TableRun();
  /** The descending entry snapshot (§6.1), or null: set by setDescending only. */
  private descendingEntry: SnakeEntry | null = null;
  /**
   * keyTag of the descending entry's key (−1 with none). Every bootstrap from a lesser key
   * compares its key with the descending one (§6.5 step 7); by tags that reads a number here, not
   * the entry's key, another object and a likely cache miss in a big run. A tag, not the longer
   * keyPrefix: it is a small integer, held in the field itself, where a prefix would be a boxed
   * double, one more object to read.
   */
  descendingTag = -1;
  /**
   * −1 for never (zero time in the reference): the first tick with a parent bootstraps (§6.3).
   * Not −Infinity: a field that ever holds a non-integer holds every later time as a boxed double.
   */
  lastBootstrap: Micros = -1;
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
  /** The view (made at first use) and its entries, until the table next changes. */
  private viewProxy: SnakeEntry[] | null = null;
  private viewEntries: SnakeEntry[] | null = null;
  /** Entries in `main` from which new keys go to `side` (tests set 0 to exercise the merges). */
  private readonly sideFrom: number;

  constructor(bootstrapInterval: Micros, tuning: { readonly sideFrom?: number } = {}) {
    this.bootstrapInterval = bootstrapInterval;
    this.sideFrom = tuning.sideFrom ?? SIDE_FROM;
  }

  /**
   * A table of `main` merged into the main run, then `side` inserted as bootstrap handling inserts
   * into a big table (each ascending, keys disjoint; a long side run merges as it would): for
   * searches over a given table and their tests. Roots and destination ports are not given: each
   * entry's own key and NO_PORT.
   */
  static withRuns(
    main: readonly SnekEntryInfo[],
    side: readonly SnekEntryInfo[],
    bootstrapInterval = 1,
  ): SnakeState {
    const table = new SnakeState(bootstrapInterval, { sideFrom: 0 });
    const add = (e: SnekEntryInfo) =>
      table.install(e.key, e.sourcePort, NO_PORT, e.watermark.seq, e.lastSeen, e.key, 0);
    for (const e of main) add(e);
    table.merge();
    for (const e of side) add(e);
    return table;
  }

  /** Number of entries (expired ones included until the next sweep). */
  get size(): number {
    return this.main.length + this.side.length;
  }

  /**
   * The entries as objects in ascending key order, made when something first reads them after a
   * change, for variants (router/snake.ts snekNextHop gives it as SnekInputs.entries). A search
   * given it reads the rows behind it instead (snek-next-hop.ts TABLE_BEHIND), so a variant that
   * passes its inputs on costs no copy of the table. Made at first use: most runs have no variant.
   */
  get view(): readonly SnekEntryInfo[] {
    if (this.viewProxy === null) {
      const entries = (): SnakeEntry[] => {
        if (this.viewEntries === null) this.viewEntries = this.entries;
        return this.viewEntries;
      };
      this.viewProxy = new Proxy<SnakeEntry[]>([], {
        get: (_t, prop) => (prop === TABLE_BEHIND ? this : Reflect.get(entries(), prop)),
        has: (_t, prop) => prop === TABLE_BEHIND || Reflect.has(entries(), prop),
        ownKeys: () => Reflect.ownKeys(entries()),
        getOwnPropertyDescriptor: (_t, prop) => {
          const d = Reflect.getOwnPropertyDescriptor(entries(), prop);
          // The target's own `length` is not configurable: report it as the target has it.
          return d === undefined || prop !== 'length' ? d : { ...d, configurable: false };
        },
        set: () => false,
        deleteProperty: () => false,
        defineProperty: () => false,
      });
    }
    return this.viewProxy;
  }

  /**
   * Every entry in ascending key order, as new objects (views, tests, variants). The runs are read
   * as they are, not merged: a merge moves entries, and bootstrap handling holds a slot across the
   * next-hop search, which a variant may make from these entries.
   */
  get entries(): SnakeEntry[] {
    const out: SnakeEntry[] = [];
    const main = this.main;
    const side = this.side;
    let i = 0;
    let j = 0;
    while (i < main.length || j < side.length) {
      const fromMain =
        j >= side.length ||
        (i < main.length && compareKeys(main.keys[i] as PublicKey, side.keys[j] as PublicKey) < 0);
      out.push(fromMain ? this.entryAt(i++) : this.entryAt(-2 - j++));
    }
    return out;
  }

  /** The slot of `key`'s entry, or NO_SLOT. */
  find(key: PublicKey): number {
    const i = this.main.search(key);
    if (i >= 0) return i;
    const j = this.side.search(key);
    return j >= 0 ? -2 - j : NO_SLOT;
  }

  seqAt(slot: number): number {
    return slot >= 0 ? this.main.seq(slot) : this.side.seq(-2 - slot);
  }
  rootSeqAt(slot: number): number {
    return slot >= 0 ? this.main.rootSeq(slot) : this.side.rootSeq(-2 - slot);
  }
  rootKeyAt(slot: number): PublicKey {
    return slot >= 0 ? this.main.rootKey(slot) : this.side.rootKey(-2 - slot);
  }

  /** The entry at `slot` as an object (a copy: later changes to the table do not show in it). */
  entryAt(slot: number): SnakeEntry {
    const run = slot >= 0 ? this.main : this.side;
    const i = slot >= 0 ? slot : -2 - slot;
    return new SnakeEntry(
      run.keys[i] as PublicKey,
      run.sourcePort(i),
      run.destinationPort(i),
      run.seq(i),
      run.lastSeen(i),
      run.rootKey(i),
      run.rootSeq(i),
    );
  }

  /** `key`'s entry as an object, or null (diagnostics and tests; the router uses find). */
  get(key: PublicKey): SnakeEntry | null {
    const slot = this.find(key);
    return slot === NO_SLOT ? null : this.entryAt(slot);
  }

  /** §6.5 step 6 on the entry at `slot`, in place. */
  write(
    slot: number,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ): void {
    this.viewEntries = null;
    if (slot >= 0)
      this.main.write(slot, sourcePort, destinationPort, seq, lastSeen, rootKey, rootSeq);
    else this.side.write(-2 - slot, sourcePort, destinationPort, seq, lastSeen, rootKey, rootSeq);
  }

  /** §6.5 step 6 for a key the table does not hold (find returned NO_SLOT). */
  install(
    key: PublicKey,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ): void {
    this.installs++;
    this.viewEntries = null;
    const main = this.main;
    const run = main.length < this.sideFrom ? main : this.side;
    run.insertAt(
      -run.search(key) - 1,
      key,
      sourcePort,
      destinationPort,
      seq,
      lastSeen,
      rootKey,
      rootSeq,
    );
    const side = this.side.length;
    if (side > 16 && side * side > main.length) this.merge();
  }

  /** Install `entry`'s fields for a key the table does not hold. */
  insert(e: SnakeEntry): void {
    this.install(e.key, e.sourcePort, e.destinationPort, e.seq, e.lastSeen, e.rootKey, e.rootSeq);
  }

  /** Install `entry`'s fields, replacing the entry with its key if there is one. */
  put(e: SnakeEntry): void {
    const slot = this.find(e.key);
    if (slot === NO_SLOT) this.insert(e);
    else this.write(slot, e.sourcePort, e.destinationPort, e.seq, e.lastSeen, e.rootKey, e.rootSeq);
  }

  /** Empty the table (§4.5 full reset). */
  clear(): void {
    this.viewEntries = null;
    this.main.clear();
    this.side.clear();
  }

  /** §4.5 step 3b: drop entries whose source or destination is `port`. */
  removePort(port: Port): void {
    this.viewEntries = null;
    this.main.removePort(port);
    this.side.removePort(port);
  }

  /** §6.3 step 2. */
  removeExpired(now: Micros, expiry: Micros): void {
    this.viewEntries = null;
    this.main.removeExpired(now, expiry);
    this.side.removeExpired(now, expiry);
  }

  /** Merge the side run into the main run (keys are unique across the two); slots change. */
  merge(): void {
    this.main.mergeFrom(this.side);
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
    const old = this.descendingEntry;
    const changed = entry === null || old === null || !keysEqual(old.key, entry.key);
    this.descendingEntry = entry;
    this.descendingTag = entry === null ? -1 : keyTag(entry.key);
    if (changed) this.bootstrapSoon(now);
  }

  /** The descending entry snapshot (§6.1), or null. */
  get descending(): SnakeEntry | null {
    return this.descendingEntry;
  }
}
