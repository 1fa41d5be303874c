/**
 * router/table-run.ts — a run of routing-table entries (PROTOCOL.md §6.2) in ascending key order,
 * held as columns rather than one object per entry [router/state_snek.go: virtualSnakeEntry].
 *
 * Why columns: at 10,000 nodes and more an event costs what it takes to reach the state it
 * touches, and an entry object (header, a boxed number per timestamp-sized field, a pointer to
 * it from the table's array) was ~110 B and three or four cache misses per lookup: the object,
 * its key, its boxed sequence and time. Here a run is one Float64Array, `data`: first the
 * keyPrefix of every entry, contiguous, for the binary searches (interleaving them with the rows
 * made the probes miss the cache, 3× the search's time), then one row of FIELDS doubles per
 * entry; keys are in an array. The entry's two ports and its root share one double (PORTS):
 * ports are below 2^16, and a table holds entries of a handful of roots at most (a root is its
 * key and sequence, §6.2; one root once the tree has converged, two for a while after the root
 * bumps its sequence), so the root is an index into the run's `roots`. 32 B an entry plus its
 * key's pointer. The routing table (router/snake-state.ts SnakeState) is two such runs; the
 * next-hop search (decisions/snek-next-hop.ts) reads them as they are.
 */
import { asSmallInteger } from '../base/index.ts';
import { compareKeys, FULL_MASK, keyPrefix, keysEqual, prefixLowerBound } from './keys.ts';
import type { Micros, Port, PublicKey } from './types.ts';

/** Doubles per entry in a row of TableRun.data, and the offset of each field in a row. */
export const FIELDS = 3;
/** Bootstrap sequence of the entry's watermark (§6.2). */
export const SEQ = 0;
export const LAST_SEEN = 1;
/**
 * The entry's source port, root and destination port (the next hop chosen for the bootstrap here,
 * NO_PORT (−1) at the dead end) in one double: sourcePort·2^37 + root·2^17 + destinationPort + 1,
 * where root indexes TableRun.roots. Every part is an integer and the sum is below 2^53, so the
 * double holds it exactly and the parts come back by multiplying by powers of two (exact) and
 * flooring. The source port, which every search reads, is the top part: one multiply and a floor.
 */
export const PORTS = 2;

const SRC_UNIT = 2 ** 37;
const ROOT_UNIT = 2 ** 17;
/** Roots a run can name (2^20: 16 + 20 + 17 bits = 53). */
const MAX_ROOTS = 2 ** 20;
/** Roots a run names before it drops the ones no entry uses any more (see rootIndex). */
const ROOTS_BEFORE_COMPACTION = 8;

/** The source port of a row's PORTS field. */
export function sourcePortOf(ports: number): Port {
  return Math.floor(ports * (1 / SRC_UNIT));
}

/** A row's PORTS field without its source port: root·2^17 + destinationPort + 1. */
function belowSource(ports: number): number {
  return ports - sourcePortOf(ports) * SRC_UNIT;
}

/** The destination port of a row's PORTS field (NO_PORT at the dead end). */
export function destinationPortOf(ports: number): number {
  const low = belowSource(ports);
  return low - Math.floor(low * (1 / ROOT_UNIT)) * ROOT_UNIT - 1;
}

/** The index into TableRun.roots of a row's PORTS field. */
function rootOf(ports: number): number {
  return Math.floor(belowSource(ports) * (1 / ROOT_UNIT));
}

function packPorts(sourcePort: Port, root: number, destinationPort: number): number {
  return sourcePort * SRC_UNIT + root * ROOT_UNIT + destinationPort + 1;
}

/** A root an entry was learnt under (§6.2): the root's key and its announcement's sequence. */
export interface TableRoot {
  readonly key: PublicKey;
  readonly seq: number;
}

const NO_ROOTS: readonly TableRoot[] = Object.freeze([]);

/**
 * Data of a run that never held an entry: zero-length, so nothing can be written to it. A
 * Float64Array costs ~220 B of heap however short (the array, its buffer, the backing store), and
 * most tables never fill their side run.
 */
const NO_DATA = new Float64Array(0);
/** Keys of a run that never held an entry (frozen: nothing can be written to it). */
const NO_KEYS = Object.freeze([]) as unknown as PublicKey[];

export class TableRun {
  /** Entries held. */
  length = 0;
  /** Entries `data` has room for: prefixes are data[0, capacity), rows follow. */
  capacity = 0;
  /**
   * Key of each entry, ascending, at [0, length); FULL_MASK in the rest, up to `capacity`. Sized
   * with `data` rather than grown by push, which left about a third of it spare (V8 grows an
   * array by half and 16): ~100 B of every idle router.
   */
  keys: PublicKey[] = NO_KEYS;
  /**
   * The roots entries were learnt under (§6.2), each once; a row names its entry's by index
   * (PORTS). Roots no entry names any more are dropped when a new one would make more than
   * ROOTS_BEFORE_COMPACTION (compactRoots), so the array stays as short as the roots in use.
   */
  roots: readonly TableRoot[] = NO_ROOTS;
  /**
   * The root last named (index in `roots`, key, sequence; −1 and null with none): consecutive
   * writes almost always name the same, and its key and sequence here, in this object, spare a
   * write and a lookup two reads (`roots` and the root) of objects of their own: at 20,000 nodes,
   * two cache misses.
   */
  private lastRoot = -1;
  private lastRootKey: PublicKey | null = null;
  private lastRootSeq = 0;
  /**
   * keys.ts keyPrefix of each entry's key (orders keys exactly where it differs) at [i], then
   * the entry's row of FIELDS doubles at row(i).
   */
  data: Float64Array = NO_DATA;
  /**
   * At most the least lastSeen of the entries (−1 with none): a sweep finds nothing to drop while
   * now − oldest < expiry, and skips reading the rows (a hub's are hundreds of KB, swept every
   * second). Kept a bound, not exact: a write that refreshes the oldest entry leaves it, and the
   * next sweep that reads the rows makes it exact again.
   */
  oldest: Micros = -1;
  /**
   * The key (the object) of the last lowerBound and its result, until the keys change (insertAt,
   * truncate, mergeFrom clear it): a bootstrap's handling looks its key up three times in a row
   * (the duplicate check, the next-hop search's table step, the install), and in a big run each
   * binary search costs a cache miss per level it reads.
   */
  private boundKey: PublicKey | null = null;
  private bound = 0;

  /** Offset in `data` of entry `i`'s row. */
  row(i: number): number {
    return this.capacity + i * FIELDS;
  }

  /** Index of the first entry whose key is ≥ `key` (keys.ts prefixLowerBound). */
  lowerBound(key: PublicKey): number {
    if (key === this.boundKey) return this.bound;
    // The prefixes are data[0, capacity): the first `length` of them are the entries'.
    const i = prefixLowerBound(this.data, this.keys, this.length, key);
    this.boundKey = key;
    this.bound = i;
    return i;
  }

  /** Index of `key`, or −(insertion point) − 1. */
  search(key: PublicKey): number {
    const i = this.lowerBound(key);
    // The prefix first: it is in the line the search read last, where the key is two more reads
    // (the keys array, the key), and most searches are for a key the run lacks (an install).
    const found =
      i < this.length &&
      this.data[i] === keyPrefix(key) &&
      keysEqual(this.keys[i] as PublicKey, key);
    return found ? i : -i - 1;
  }

  seq(i: number): number {
    return this.data[this.row(i) + SEQ] as number;
  }
  lastSeen(i: number): Micros {
    return this.data[this.row(i) + LAST_SEEN] as number;
  }
  rootSeq(i: number): number {
    const r = rootOf(this.data[this.row(i) + PORTS] as number);
    return r === this.lastRoot ? this.lastRootSeq : (this.roots[r] as TableRoot).seq;
  }
  sourcePort(i: number): Port {
    return sourcePortOf(this.data[this.row(i) + PORTS] as number);
  }
  destinationPort(i: number): number {
    return destinationPortOf(this.data[this.row(i) + PORTS] as number);
  }
  /** Root key entry `i` was learnt under (§6.2). */
  rootKey(i: number): PublicKey {
    const r = rootOf(this.data[this.row(i) + PORTS] as number);
    return r === this.lastRoot ? (this.lastRootKey as PublicKey) : (this.roots[r] as TableRoot).key;
  }

  /** §6.5 step 6 on entry `i` (its key stays). */
  write(
    i: number,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ): void {
    // The root first: naming a new one may renumber the rows' roots, entry i's included.
    const root = this.rootIndex(rootKey, rootSeq);
    this.writeRow(i, sourcePort, destinationPort, seq, lastSeen, root);
  }

  private writeRow(
    i: number,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    root: number,
  ): void {
    const data = this.data;
    const o = this.row(i);
    data[o + SEQ] = seq;
    data[o + LAST_SEEN] = lastSeen;
    if (this.oldest < 0 || lastSeen < this.oldest) this.oldest = asSmallInteger(lastSeen);
    data[o + PORTS] = packPorts(sourcePort, root, destinationPort);
  }

  /**
   * The index of the root (rootKey, rootSeq) in `roots`, added if it is not there; with `compact`
   * (not during a merge, whose rows are in flux) the roots no entry names are dropped first when
   * there are many.
   */
  private rootIndex(rootKey: PublicKey, rootSeq: number, compact = true): number {
    if (this.lastRootKey === rootKey && this.lastRootSeq === rootSeq) return this.lastRoot;
    const roots = this.roots;
    for (let r = 0; r < roots.length; r++) {
      const root = roots[r] as TableRoot;
      if (root.seq === rootSeq && keysEqual(root.key, rootKey)) {
        this.remember(r);
        return r;
      }
    }
    if (compact && roots.length >= ROOTS_BEFORE_COMPACTION) this.compactRoots();
    // Never in a run: every root named is some entry's, and a table holds one entry per key.
    if (this.roots.length >= MAX_ROOTS) throw new RangeError('TableRun: too many roots');
    const root: TableRoot = { key: rootKey, seq: rootSeq };
    this.roots = this.roots === NO_ROOTS ? [root] : [...this.roots, root];
    this.remember(this.roots.length - 1);
    return this.lastRoot;
  }

  private remember(r: number): void {
    const root = this.roots[r];
    this.lastRoot = root === undefined ? -1 : r;
    this.lastRootKey = root === undefined ? null : root.key;
    this.lastRootSeq = root === undefined ? 0 : asSmallInteger(root.seq);
  }

  /**
   * Drop the roots no entry names and renumber the rows' roots, in the order the rows first name
   * them. Which roots a run names is not observable; only each entry's root is.
   */
  private compactRoots(): void {
    const data = this.data;
    const renumber = new Int32Array(this.roots.length).fill(-1);
    const kept: TableRoot[] = [];
    for (let i = 0; i < this.length; i++) {
      const o = this.row(i) + PORTS;
      const ports = data[o] as number;
      const old = rootOf(ports);
      let now = renumber[old] as number;
      if (now < 0) {
        now = kept.length;
        renumber[old] = now;
        kept.push(this.roots[old] as TableRoot);
      }
      data[o] = ports + (now - old) * ROOT_UNIT;
    }
    this.roots = kept;
    this.remember(0);
  }

  /**
   * Room for `capacity` entries. Growth by a quarter (at least 8 entries), not doubling: an idle
   * router keeps its table, and doubling left it a third empty on average (by half: 0.5 KB more
   * of an idle router at 10,000 nodes than by a quarter, and no faster).
   */
  reserve(capacity: number): void {
    if (this.capacity >= capacity) return;
    this.resize(Math.max(capacity, Math.ceil(this.capacity * 1.25), this.capacity + 8));
  }

  /**
   * Give back room when removals left the run under a third full (not a half: a table whose
   * entries expire and return would be shrunk and grown again every few seconds).
   */
  fit(): void {
    if (this.capacity > 16 && this.length * 3 < this.capacity) {
      this.resize(Math.max(8, Math.ceil(this.length * 1.25)));
    }
  }

  private resize(cap: number): void {
    const grown = new Float64Array(cap * (1 + FIELDS));
    const n = this.length;
    grown.set(this.data.subarray(0, n));
    grown.set(this.data.subarray(this.capacity, this.capacity + n * FIELDS), cap);
    this.data = grown;
    this.capacity = cap;
    this.keys = keysSized(this.keys, cap);
  }

  /** A new entry at index `i` (the insertion point of its key). */
  insertAt(
    i: number,
    key: PublicKey,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ): void {
    const n = this.length;
    this.boundKey = null;
    // The root first, while every row is an entry's (naming a new root may renumber them).
    const root = this.rootIndex(rootKey, rootSeq);
    this.reserve(n + 1);
    const data = this.data;
    data.copyWithin(i + 1, i, n);
    data.copyWithin(this.row(i + 1), this.row(i), this.row(n));
    data[i] = keyPrefix(key);
    // A loop, not splice: splice is a runtime call whose fixed cost is most of an insert into a
    // run of a hundred entries.
    const keys = this.keys;
    for (let k = n; k > i; k--) keys[k] = keys[k - 1] as PublicKey;
    keys[i] = key;
    this.length = n + 1;
    this.writeRow(i, sourcePort, destinationPort, seq, lastSeen, root);
  }

  /** §4.5 step 3b: drop entries whose source or destination is `port`. */
  removePort(port: Port): void {
    const data = this.data;
    let k = 0;
    for (let i = 0; i < this.length; i++) {
      const ports = data[this.row(i) + PORTS] as number;
      if (sourcePortOf(ports) === port || destinationPortOf(ports) === port) continue;
      this.move(i, k++);
    }
    this.truncate(k);
    this.fit();
  }

  /** §6.3 step 2: drop expired entries, in place, keeping order. */
  removeExpired(now: Micros, expiry: Micros): void {
    if (this.oldest < 0 || now - this.oldest < expiry) return; // nothing can have expired
    const data = this.data;
    let k = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.length; i++) {
      const seen = data[this.row(i) + LAST_SEEN] as number;
      if (now - seen >= expiry) continue;
      if (seen < oldest) oldest = seen;
      this.move(i, k++);
    }
    this.oldest = oldest === Number.POSITIVE_INFINITY ? -1 : asSmallInteger(oldest);
    this.truncate(k);
    this.fit();
  }

  /** Drop every entry and the storage (§4.5 full reset). */
  clear(): void {
    this.oldest = -1;
    this.truncate(0);
    this.capacity = 0;
    this.data = NO_DATA;
    this.keys = NO_KEYS;
    this.roots = NO_ROOTS;
    this.remember(0);
  }

  /**
   * Merge `other` (keys disjoint from ours) into this run and empty it, in place from the back: no
   * new storage but capacity growth (a new 17,000-entry array per merge at a hub was large-object
   * garbage for the major GC).
   */
  mergeFrom(other: TableRun): void {
    const s = other.length;
    if (s === 0) return;
    const n = this.length;
    this.boundKey = null;
    // The other run's root indexes renamed into ours, before any row moves: compaction (which
    // reads the rows) first if it is due, and none while the other's roots are added.
    if (this.roots.length + other.roots.length > ROOTS_BEFORE_COMPACTION) this.compactRoots();
    const rename = other.roots.map((root) => this.rootIndex(root.key, root.seq, false));
    this.reserve(n + s);
    const data = this.data;
    const keys = this.keys;
    const sdata = other.data;
    const skeys = other.keys;
    let i = n - 1;
    let j = s - 1;
    for (let k = n + s - 1; j >= 0; k--) {
      let fromThis = false;
      if (i >= 0) {
        const a = data[i] as number;
        const b = sdata[j] as number;
        fromThis = a !== b ? a > b : compareKeys(keys[i] as PublicKey, skeys[j] as PublicKey) > 0;
      }
      if (fromThis) {
        this.move(i--, k);
      } else {
        data[k] = sdata[j] as number;
        const to = this.row(k);
        const from = other.row(j);
        for (let f = 0; f < PORTS; f++) data[to + f] = sdata[from + f] as number;
        // The other run's root index is into its own roots: renamed into ours.
        const ports = sdata[from + PORTS] as number;
        const old = rootOf(ports);
        data[to + PORTS] = ports + ((rename[old] as number) - old) * ROOT_UNIT;
        keys[k] = skeys[j--] as PublicKey;
      }
    }
    this.length = n + s;
    if (other.oldest >= 0 && (this.oldest < 0 || other.oldest < this.oldest))
      this.oldest = other.oldest;
    other.oldest = -1;
    other.truncate(0);
  }

  /** Entry `from` copied to index `to` (prefix, row and keys). */
  private move(from: number, to: number): void {
    if (from === to) return;
    // Assignments, not copyWithin: a builtin call per entry costs more than the copy.
    const data = this.data;
    data[to] = data[from] as number;
    const a = this.row(to);
    const b = this.row(from);
    for (let f = 0; f < FIELDS; f++) data[a + f] = data[b + f] as number;
    this.keys[to] = this.keys[from] as PublicKey;
  }

  private truncate(length: number): void {
    if (length === this.length) return; // a fill is a builtin call, and the memo stays good
    this.boundKey = null;
    // The keys dropped are overwritten, so that the run keeps no key it does not hold.
    this.keys.fill(FULL_MASK, length, this.length);
    this.length = length;
  }
}

/**
 * `keys` (its entries first, FULL_MASK after them) in an array of exactly `capacity`. Made by
 * concat, which allocates exactly and keeps the array packed (one made by `new Array(capacity)`
 * would be holey, slower to read everywhere after).
 */
function keysSized(keys: PublicKey[], capacity: number): PublicKey[] {
  if (capacity <= keys.length) return keys.slice(0, capacity);
  const more: PublicKey[] = [];
  for (let k = keys.length; k < capacity; k++) more.push(FULL_MASK);
  return keys.concat(more);
}
