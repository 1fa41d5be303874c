/**
 * router/decisions/snek-next-hop.ts — SNEK next-hop selection (PROTOCOL.md §6.6)
 * [router/state_snek.go: getNextHopSNEK], twice:
 * - `nextHopSnek`: §6.6 as it reads, one commented loop per step over every candidate. The
 *   reference a reader, a variant and the tests start from.
 * - `nextHopSnekFast`: the same answers (snek-next-hop.test.ts checks it against nextHopSnek on
 *   thousands of random tables) with indexes of the links' signers and an early stop in the table.
 *   The search runs once per bootstrap hop and once per SNEK-routed frame, at every hub for every
 *   bootstrap that passes, so in large networks it is a good part of the whole run. Its indexes and
 *   running state live in a `SnekSearch` the caller owns (the router keeps one per PeerTable), never
 *   in this module: two simulations in one process share nothing.
 */
import {
  compareKeys,
  FULL_MASK,
  keyPrefix,
  keysEqual,
  keyTag,
  ordered,
  prefixLowerBound,
  worse,
} from '../keys.ts';
import { LAST_SEEN, PORTS, SEQ, sourcePortOf, TableRun } from '../table-run.ts';
import type { Micros, PublicKey, RootAnnouncement, Watermark } from '../types.ts';
import { LOCAL_PORT } from '../types.ts';
import { type LinkInfo, NO_PORT, type StoredAnnouncement } from './links.ts';

/** A routing-table entry as the next-hop search sees it (§6.2). */
export interface SnekEntryInfo {
  readonly key: PublicKey;
  readonly sourcePort: number;
  readonly watermark: Watermark;
  readonly lastSeen: Micros;
}

/** Which rule picked the final best (for hop explanations). */
export const SnekRule = {
  Loopback: 0,
  None: 1, // best stayed ourselves
  RootViaParent: 2,
  ParentAncestor: 3,
  PeerAncestor: 4,
  DirectPeer: 5,
  TableEntry: 6,
  ParallelLink: 7,
} as const;
export type SnekRule = (typeof SnekRule)[keyof typeof SnekRule];

/** Output of nextHopSnek, reused by the caller (no allocation per frame). */
export interface SnekResult {
  /** LOCAL_PORT, a peer port, or NO_PORT. */
  port: number;
  /** The watermark the frame leaves with: (best key, best seq), or the input one on loopback. */
  key: PublicKey;
  seq: number;
  rule: SnekRule;
}

export function newSnekResult(): SnekResult {
  // FULL_MASK until the first search replaces it (keys are never written through a result).
  return { port: NO_PORT, key: FULL_MASK, seq: 0, rule: SnekRule.None };
}

/**
 * A routing table as two runs of rows (router/table-run.ts), keys disjoint, each ascending: the
 * router's own layout (router/snake-state.ts SnakeState), which the fast search reads in place.
 */
export interface SnekTable {
  readonly main: TableRun;
  readonly side: TableRun;
}

/**
 * The property by which an entries view (router/snake-state.ts SnakeState.view: the table's
 * entries as objects, made only when read) names the table behind it, so that a search given the
 * view reads the rows instead. A variant passes the inputs it was given on to the search, spread
 * or not; the view's entries are made only if something reads them.
 */
export const TABLE_BEHIND: unique symbol = Symbol('pinelab.snekTableBehind');

/**
 * The table the search reads: `table` when given; else the table behind an entries view, when
 * no side entries were added; else null (`entries` and `sideEntries` are the table).
 */
function tableIn(input: SnekInputs): SnekTable | null {
  if (input.table !== undefined) return input.table;
  const side = input.sideEntries;
  if (side !== undefined && side.length > 0) return null;
  return (input.entries as { readonly [TABLE_BEHIND]?: SnekTable })[TABLE_BEHIND] ?? null;
}

/** The table's entries in ascending key order ([DET] §6.6), as objects, from either form. */
export function snekTableEntries(input: SnekInputs): SnekEntryInfo[] {
  const out: SnekEntryInfo[] = [];
  const table = tableIn(input);
  if (table === null) {
    out.push(...input.entries, ...(input.sideEntries ?? []));
  } else {
    for (const run of [table.main, table.side]) {
      for (let i = 0; i < run.length; i++) {
        const key = run.keys[i] as PublicKey;
        const seq = run.seq(i);
        out.push({
          key,
          sourcePort: run.sourcePort(i),
          watermark: { key, seq },
          lastSeen: run.lastSeen(i),
        });
      }
    }
  }
  return out.sort((a, b) => compareKeys(a.key, b.key));
}

const NO_ENTRIES: readonly SnekEntryInfo[] = Object.freeze([]);

/**
 * The table of inputs given as entries, as runs of rows (for the fast search; the router passes
 * its own runs instead). Entries keep their order: each array is ascending by key.
 */
function tableOfEntries(input: SnekInputs): SnekTable {
  const runOf = (entries: readonly SnekEntryInfo[]): TableRun => {
    const run = new TableRun();
    for (const e of entries) {
      // The search reads no root and no destination port: placeholders.
      run.insertAt(run.length, e.key, e.sourcePort, NO_PORT, e.watermark.seq, e.lastSeen, e.key, 0);
    }
    return run;
  };
  return { main: runOf(input.entries), side: runOf(input.sideEntries ?? NO_ENTRIES) };
}

export interface SnekInputs {
  readonly boot: boolean;
  readonly dest: PublicKey;
  readonly self: PublicKey;
  readonly watermark: Watermark;
  /** Parent link or null (we are root). */
  readonly parent: LinkInfo | null;
  readonly rootKey: PublicKey;
  /** Up links in ascending port order ([DET] §6.6). */
  readonly links: readonly LinkInfo[];
  /** The links of `links` by port (index = port), to check an entry's source link is up. */
  readonly linkByPort: readonly (LinkInfo | undefined)[];
  /** Table entries in ascending key order ([DET] §6.6), when `table` is not given. */
  readonly entries: readonly SnekEntryInfo[];
  /**
   * Optional second run of entries in ascending key order, keys disjoint from `entries` (a table
   * kept as two runs); step 5 reads both merged in key order, exactly as one sorted table.
   */
  readonly sideEntries?: readonly SnekEntryInfo[];
  /**
   * Optional: the table as the router keeps it (router/snake-state.ts SnakeState, two runs of rows),
   * read in place of `entries` and `sideEntries` when given.
   */
  readonly table?: SnekTable | undefined;
  readonly now: Micros;
  readonly neighExpiry: Micros;
  /** [HEAD] #73: step 6 compares the whole root, not only the sequence. */
  readonly wholeRoot: boolean;
  /**
   * Optional change counter of `links` (router/peers.ts PeerTable.version): it changes whenever a
   * link is added or removed or a link's `up` or `stored` changes. When given, the fast search's
   * indexes are known current while it is unchanged, instead of being re-checked link by link.
   */
  readonly linksVersion?: number;
  /**
   * Optional home of the fast search's indexes and running state, owned by the caller (the router
   * keeps one per PeerTable, so indexes survive from one search to the next). Without it the fast
   * search builds what it needs for this one call. The plain search ignores it.
   */
  readonly indexSlot?: SnekSearch | undefined;
}

// ---- The plain search ---------------------------------------------------------------------

/**
 * §6.6 as written: `best` starts at ourselves, each step offers its candidates through take() or
 * consider() in the order the spec lists them, and the result is whatever best is at the end.
 * [DET] Where the reference iterates Go maps, links go in ascending port order and table entries
 * in ascending key order (the first met wins in steps 3 and 5; in step 4 the last matching link
 * wins, as in the reference loop). Step 6 only looks at up links (the reference does not check,
 * the spec says we MUST). Allocates (closures, a merged table); use nextHopSnekFast where speed
 * matters.
 */
export function nextHopSnek(input: SnekInputs, out: SnekResult): SnekResult {
  const { boot, dest, self, links } = input;
  // Step 0: traffic for our own key is delivered here, its watermark unchanged.
  if (!boot && keysEqual(dest, self)) {
    out.port = LOCAL_PORT;
    out.key = input.watermark.key;
    out.seq = input.watermark.seq;
    out.rule = SnekRule.Loopback;
    return out;
  }
  // Step 1: best = (S, 0, boot ? none : local port).
  let bestKey = self;
  let bestSeq = 0;
  let bestLink: LinkInfo | null = null;
  let bestAnn: StoredAnnouncement | null = null;
  let bestRule: SnekRule = SnekRule.None;
  const take = (k: PublicKey, q: number, l: LinkInfo, rule: SnekRule): void => {
    bestKey = k;
    bestSeq = q;
    bestLink = l;
    bestAnn = l.stored;
    bestRule = rule;
  };
  const consider = (k: PublicKey, q: number, l: LinkInfo, rule: SnekRule): void => {
    if ((!boot && keysEqual(k, dest) && !keysEqual(bestKey, dest)) || ordered(dest, k, bestKey))
      take(k, q, l, rule);
  };
  // Step 2: the parent path, only through an up parent.
  const parent = input.parent;
  if (parent?.up) {
    // 2a: we are the bootstrap's origin, or D lies between us and the root: climb to the root.
    if ((boot && keysEqual(bestKey, dest)) || ordered(self, dest, input.rootKey))
      take(input.rootKey, 0, parent, SnekRule.RootViaParent);
    // 2b: the parent's ancestors, root first.
    for (const hop of parent.stored?.announcement.hops ?? [])
      consider(hop.signer, 0, parent, SnekRule.ParentAncestor);
  }
  // Step 3: every up peer's ancestors, whatever its root (the last signer is the peer itself).
  for (const link of links) {
    if (!link.up || link.stored === null) continue;
    for (const hop of link.stored.announcement.hops)
      consider(hop.signer, 0, link, SnekRule.PeerAncestor);
  }
  // Step 4: a direct peering with the best key (the last such link wins).
  for (const link of links) {
    if (link.up && link.stored !== null && keysEqual(link.remoteKey, bestKey))
      take(bestKey, 0, link, SnekRule.DirectPeer);
  }
  // Step 5: the routing table, in ascending key order.
  const table = snekTableEntries(input);
  for (const e of table) {
    const source = input.linkByPort[e.sourcePort];
    if (source === undefined || !source.up) continue;
    if (input.now - e.lastSeen >= input.neighExpiry) continue;
    if (worse(e.watermark, input.watermark)) continue;
    consider(e.key, e.watermark.seq, source, SnekRule.TableEntry);
  }
  // Step 6: among up links to the best key, prefer a lower link type, then (same type, same root
  // sequence — [HEAD] #73 the whole root) the announcement received first.
  if (bestLink !== null && bestAnn !== null) {
    for (const link of links) {
      const stored = link.stored;
      const cur = bestLink as LinkInfo;
      const curAnn = (bestAnn as StoredAnnouncement).announcement;
      if (!link.up || stored === null || link === cur || !keysEqual(link.remoteKey, bestKey))
        continue;
      if (link.linkType < cur.linkType) take(bestKey, bestSeq, link, SnekRule.ParallelLink);
      else if (
        link.linkType === cur.linkType &&
        stored.announcement.rootSeq === curAnn.rootSeq &&
        (!input.wholeRoot || keysEqual(stored.announcement.rootKey, curAnn.rootKey)) &&
        stored.receiveOrder < (bestAnn as StoredAnnouncement).receiveOrder
      )
        take(bestKey, bestSeq, link, SnekRule.ParallelLink);
    }
  }
  // Step 7.
  const chosen = bestLink as LinkInfo | null;
  out.port = chosen !== null ? chosen.port : boot ? NO_PORT : LOCAL_PORT;
  out.key = bestKey;
  out.seq = bestSeq;
  out.rule = bestRule;
  return out;
}

// ---- The fast search ----------------------------------------------------------------------

/**
 * Links at which the search switches from a scan of every peer's signers to the hub index, and
 * from the plain scan to the sorted index (below these a scan is cheaper than keeping an index
 * current; measured on sim-skitter and ba:20000,m=2 when the indexes were written).
 */
const HUB_MIN_LINKS = 24;
const SORTED_MIN_LINKS = 2;
/**
 * Links the sorted index serves at most: it keeps the positions of a signer's holders as the bits
 * of a small integer. Above (a test's tuning only: hubs use the hub index), the plain scan.
 */
const MAX_SORTED_LINKS = 31;

/** The sorted index's data with no signers: zero-length, so nothing can be written to it. */
const NO_SIGNERS = new Float64Array(0);
/** The sorted index's arrays before it is first built (shared, frozen: most routers build it). */
const NO_KEYS: readonly PublicKey[] = Object.freeze([]);
const NO_LINK_INFO: readonly LinkInfo[] = Object.freeze([]);
const NO_STORED: readonly (StoredAnnouncement | null)[] = Object.freeze([]);

/**
 * One router's fast SNEK search: the running `best` of §6.6 and the indexes of its links'
 * signers. The indexes are derived data: each remembers the links array and version it was built
 * from (PeerTable bumps its version on every change of a link or its stored announcement) and is
 * rebuilt or brought up to date at the next search after a change; clear() drops them outright.
 */
export class SnekSearch {
  // Field order is layout (V8 lays fields out in this order): a search reads the running best,
  // the thresholds and the sorted index's fields from the first two cache lines of this object.
  bestKey: PublicKey = FULL_MASK;
  bestSeq = 0;
  bestPort = NO_PORT;
  bestAnn: StoredAnnouncement | null = null;
  bestRule: SnekRule = SnekRule.None;
  /** Links from which the hub index is used (tests set 1 or Infinity to compare it with a scan). */
  hubMinLinks: number;
  /** Links from which the sorted index is used below hubMinLinks (tests: likewise). */
  sortedMinLinks: number;
  /**
   * The sorted signers index (sortedSignersFor), its fields here rather than in an object of its
   * own, which was one more cache miss per search: the links array indexed (null: none), the
   * version indexed, and the number of distinct signers.
   */
  sortedOf: readonly LinkInfo[] | null = null;
  sortedVersion: number | undefined = undefined;
  sortedCount = 0;
  /**
   * Each distinct signer once, ascending: its keyPrefix at [0, sortedCount), the port of the
   * first link (by position in `links`) holding it at [sortedCount + i], and the positions of all
   * the links holding it, as the bits of an integer, at [2·sortedCount + i]. One array for the
   * search's reads. A take finds the link by its port (SnekInputs.linkByPort holds exactly the
   * links of `links`), so there is no array of holders to keep or to read.
   */
  sortedData: Float64Array = NO_SIGNERS;
  sortedKeys: readonly PublicKey[] = NO_KEYS;
  /**
   * The links indexed that were up with a stored announcement, in `links` order, in sortedData
   * after the signers: keyPrefix of the link's remote key at [3·sortedCount + k], its position in
   * `links` at [3·sortedCount + sortedPeers + k]. Steps 4 and 6 look for the links to best's key;
   * reading every link object for that was a cache miss per link per search, where these prefixes
   * are one line of the array the search has just read.
   */
  sortedPeers = 0;
  hub: SignerIndex | null = null;
  /**
   * What each position of the indexed links contributed, kept only for the stale check without a
   * version (empty when the index was built with one).
   */
  sortedLinks: readonly LinkInfo[] = NO_LINK_INFO;
  sortedStored: readonly (StoredAnnouncement | null)[] = NO_STORED;
  /** The announcement whose signers `signersSorted` holds sorted (long announcements, no index). */
  signersOf: RootAnnouncement | null = null;
  signersSorted: PublicKey[] | null = null;

  constructor(tuning: { readonly hubMinLinks?: number; readonly sortedMinLinks?: number } = {}) {
    this.hubMinLinks = tuning.hubMinLinks ?? HUB_MIN_LINKS;
    this.sortedMinLinks = tuning.sortedMinLinks ?? SORTED_MIN_LINKS;
  }

  /** Forget every index (the next search rebuilds what it needs). */
  clear(): void {
    this.hub = null;
    this.sortedOf = null;
    this.sortedVersion = undefined;
    this.sortedCount = 0;
    this.sortedPeers = 0;
    this.sortedData = NO_SIGNERS;
    this.sortedKeys = NO_KEYS;
    this.sortedLinks = NO_LINK_INFO;
    this.sortedStored = NO_STORED;
    this.signersOf = null;
    this.signersSorted = null;
  }
}

function take(s: SnekSearch, k: PublicKey, q: number, link: LinkInfo, rule: SnekRule): void {
  s.bestKey = k;
  s.bestSeq = q;
  s.bestPort = link.port;
  s.bestAnn = link.stored;
  s.bestRule = rule;
}

function better(s: SnekSearch, boot: boolean, dest: PublicKey, k: PublicKey): boolean {
  // consider(): exact key wins for traffic; otherwise strictly between dest and the current best.
  if (!boot && keysEqual(k, dest) && !keysEqual(s.bestKey, dest)) return true;
  return ordered(dest, k, s.bestKey);
}

/** Announcements up to this many entries are scanned in order; longer ones by binary search. */
const LINEAR_SIGNERS = 6;

/** Signer keys of `ann` in ascending order; the last announcement's are kept (it recurs). */
function sortedSigners(s: SnekSearch, ann: RootAnnouncement): PublicKey[] {
  if (s.signersOf !== ann || s.signersSorted === null) {
    s.signersSorted = ann.hops.map((h) => h.signer).sort(compareKeys);
    s.signersOf = ann;
  }
  return s.signersSorted;
}

/**
 * consider() every signer of `ann` in hop order. All takes here carry the same link, rule and
 * sequence 0, so only the last take matters, and it is exactly: for traffic, dest itself when it
 * is a signer (unless best already is dest: then nothing can win); otherwise the least signer
 * above dest, when it is below the current best. Deep trees give announcements of hundreds of
 * entries, so long ones are searched by binary search over their sorted signers.
 */
function considerSigners(
  s: SnekSearch,
  boot: boolean,
  dest: PublicKey,
  ann: RootAnnouncement,
  link: LinkInfo,
  rule: SnekRule,
): void {
  const hops = ann.hops;
  if (hops.length <= LINEAR_SIGNERS) {
    for (let h = 0; h < hops.length; h++) {
      const signer = (hops[h] as RootAnnouncement['hops'][number]).signer;
      if (better(s, boot, dest, signer)) take(s, signer, 0, link, rule);
    }
    return;
  }
  const sorted = sortedSigners(s, ann);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid] as PublicKey, dest) < 0) lo = mid + 1;
    else hi = mid;
  }
  while (lo < sorted.length && keysEqual(sorted[lo] as PublicKey, dest)) {
    if (!boot) {
      if (!keysEqual(s.bestKey, dest)) take(s, sorted[lo] as PublicKey, 0, link, rule);
      return;
    }
    lo++;
  }
  if (lo < sorted.length && compareKeys(sorted[lo] as PublicKey, s.bestKey) < 0)
    take(s, sorted[lo] as PublicKey, 0, link, rule);
}

/**
 * Step 3 at hubs. With hundreds or thousands of peers, scanning every signer of every peer's
 * announcement per bootstrap would dominate a big run (a third or more of sim-skitter). The scan's
 * outcome is fully determined by the candidate multiset {(signer, link position)}: all its takes
 * carry sequence 0 and rule PeerAncestor, so after it the best is
 * - for traffic, when some signer equals dest: dest via the first such link (if best was not dest
 *   already; if it was, nothing can beat it);
 * - otherwise the least signer above dest via the first link (by position) holding it, when that
 *   signer is below the best left by step 2.
 * The index keeps the candidates of the links in 256 buckets by first key byte and is brought up
 * to date at each use by comparing every link's (up, stored) with what it indexed, a pointer check
 * per link (stored announcements are immutable objects, replaced on change), or not at all while
 * the links version is unchanged.
 */
/**
 * One bucket of the hub index: the candidates (signer, link, position) whose signer has one first
 * byte, as parallel arrays. The scans read `pre` (keyPrefix of each signer, contiguous doubles)
 * and touch a candidate's key or link only when its prefix could win: a hub's bucket of a common
 * ancestor holds a candidate per link.
 */
interface Bucket {
  readonly keys: PublicKey[];
  readonly pre: number[];
  readonly links: LinkInfo[];
  readonly pos: number[];
}

function newBucket(): Bucket {
  return { keys: [], pre: [], links: [], pos: [] };
}

/**
 * Every bucket of a new index until a candidate goes in (indexLink gives it its own): frozen, so a
 * push into it throws rather than adds to every index. Half or more of a hub's 256 buckets stay
 * empty, and an empty bucket of its own (an object and four arrays) was ~180 B.
 */
const EMPTY_BUCKET: Bucket = Object.freeze({
  keys: Object.freeze([]) as unknown as PublicKey[],
  pre: Object.freeze([]) as unknown as number[],
  links: Object.freeze([]) as unknown as LinkInfo[],
  pos: Object.freeze([]) as unknown as number[],
});

interface SignerIndex {
  /** The links array indexed. */
  readonly of: readonly LinkInfo[];
  /** The links as indexed (same objects, same order) and what each one contributed. */
  links: LinkInfo[];
  stored: (StoredAnnouncement | null)[];
  readonly buckets: Bucket[];
  /** SnekInputs.linksVersion when last brought up to date (undefined: always re-check). */
  version: number | undefined;
  /** The links ordered by (remote key, port), for steps 4 and 6 at hubs (see firstWithKey). */
  byKey: LinkInfo[];
  /** keyTag of each byKey link's remote key (the binary search reads these, not the links). */
  byKeyTags: Int32Array;
}

function indexLink(index: SignerIndex, link: LinkInfo, stored: StoredAnnouncement, pos: number) {
  const hops = stored.announcement.hops;
  for (let h = 0; h < hops.length; h++) {
    const key = (hops[h] as RootAnnouncement['hops'][number]).signer;
    let bucket = index.buckets[key[0] as number] as Bucket;
    if (bucket === EMPTY_BUCKET) {
      bucket = newBucket();
      index.buckets[key[0] as number] = bucket;
    }
    bucket.keys.push(key);
    bucket.pre.push(keyPrefix(key));
    bucket.links.push(link);
    bucket.pos.push(pos);
  }
}

function unindexLink(index: SignerIndex, link: LinkInfo, stored: StoredAnnouncement) {
  const hops = stored.announcement.hops;
  for (let h = 0; h < hops.length; h++) {
    const key = (hops[h] as RootAnnouncement['hops'][number]).signer;
    const { keys, pre, links, pos } = index.buckets[key[0] as number] as Bucket;
    for (let j = 0; j < keys.length; j++) {
      if (links[j] !== link || keys[j] !== key) continue;
      // Swap with the last and drop it (order in a bucket does not matter: scans compare pos).
      const last = keys.length - 1;
      keys[j] = keys[last] as PublicKey;
      pre[j] = pre[last] as number;
      links[j] = links[last] as LinkInfo;
      pos[j] = pos[last] as number;
      keys.pop();
      pre.pop();
      links.pop();
      pos.pop();
      break;
    }
  }
}

function signerIndexFor(
  s: SnekSearch,
  links: readonly LinkInfo[],
  version: number | undefined,
): SignerIndex {
  let index = s.hub;
  if (index !== null && index.of !== links) index = null;
  if (index !== null && version !== undefined && index.version === version) return index;
  let rebuild = index === null || index.links.length !== links.length;
  if (index !== null && !rebuild) {
    for (let i = 0; i < links.length; i++) {
      if (index.links[i] !== links[i]) {
        rebuild = true;
        break;
      }
    }
  }
  if (index === null || rebuild) {
    const byKey = links
      .slice()
      .sort((a, b) => compareKeys(a.remoteKey, b.remoteKey) || a.port - b.port);
    index = {
      of: links,
      links: [],
      stored: [],
      buckets: Array.from({ length: 256 }, () => EMPTY_BUCKET),
      version,
      byKey,
      byKeyTags: Int32Array.from(byKey, (l) => keyTag(l.remoteKey)),
    };
    s.hub = index;
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as LinkInfo;
      const stored = link.up ? link.stored : null;
      index.links.push(link);
      index.stored.push(stored);
      if (stored !== null) indexLink(index, link, stored, i);
    }
    // Arrays grown by push keep about a third spare (16-odd slots in a bucket of two or three):
    // cut to size once built. Updates (below) push into the few buckets they touch.
    index.links = index.links.slice();
    index.stored = index.stored.slice();
    const buckets = index.buckets;
    for (let b = 0; b < 256; b++) {
      const bucket = buckets[b] as Bucket;
      if (bucket !== EMPTY_BUCKET)
        buckets[b] = {
          keys: bucket.keys.slice(),
          pre: bucket.pre.slice(),
          links: bucket.links.slice(),
          pos: bucket.pos.slice(),
        };
    }
    return index;
  }
  index.version = version;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as LinkInfo;
    const stored = link.up ? link.stored : null;
    const was = index.stored[i] as StoredAnnouncement | null;
    if (stored === was) continue;
    if (was !== null) unindexLink(index, link, was);
    if (stored !== null) indexLink(index, link, stored, i);
    index.stored[i] = stored;
  }
  return index;
}

/**
 * Index in `bucket` of its least (key, pos) candidate with key above `dest` (whose keyPrefix is
 * `destPrefix`), or -1. Prefixes order keys exactly where they differ (keys.ts keyPrefix), so a
 * candidate is touched only when its prefix is above dest's and not above the best so far.
 */
function leastAbove(bucket: Bucket, dest: PublicKey, destPrefix: number): number {
  const { keys, pre, pos } = bucket;
  let best = -1;
  let bestPre = Number.POSITIVE_INFINITY;
  for (let j = 0; j < pre.length; j++) {
    const p = pre[j] as number;
    if (p < destPrefix || p > bestPre) continue;
    const key = keys[j] as PublicKey;
    if (p === destPrefix && compareKeys(key, dest) <= 0) continue;
    if (best >= 0) {
      const d = p !== bestPre ? p - bestPre : compareKeys(key, keys[best] as PublicKey);
      if (d > 0 || (d === 0 && (pos[j] as number) >= (pos[best] as number))) continue;
    }
    best = j;
    bestPre = p;
  }
  return best;
}

/**
 * Steps 4 and 6 at hubs: both look only at links whose remote key is the best key, in ascending
 * port order, and a plain scan is O(peers) per bootstrap hop at every hub. The index's links
 * sorted by (remote key, port) give that run by binary search, in the same port order: this
 * returns where it starts in `index.byKey` (the callers read on while the key is `key`, and keep
 * the up / stored tests). An index, not a list: a list made per search was a tenth of the bytes
 * a sim-skitter run allocated.
 */
function firstWithKey(index: SignerIndex, key: PublicKey, tag: number): number {
  const byKey = index.byKey;
  const tags = index.byKeyTags;
  // Tags are the keys' top bits, so they order the links as their keys do where they differ.
  let lo = 0;
  let hi = byKey.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = tags[mid] as number;
    if (t < tag || (t === tag && compareKeys((byKey[mid] as LinkInfo).remoteKey, key) < 0))
      lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function considerAllSignersIndexed(
  s: SnekSearch,
  boot: boolean,
  dest: PublicKey,
  index: SignerIndex,
): void {
  const first = dest[0] as number;
  const home = index.buckets[first] as Bucket;
  const destPrefix = keyPrefix(dest);
  if (!boot) {
    let exact = -1;
    for (let j = 0; j < home.pre.length; j++) {
      if (home.pre[j] !== destPrefix) continue;
      if (exact >= 0 && (home.pos[j] as number) >= (home.pos[exact] as number)) continue;
      if (keysEqual(home.keys[j] as PublicKey, dest)) exact = j;
    }
    if (exact >= 0) {
      if (!keysEqual(s.bestKey, dest))
        take(
          s,
          home.keys[exact] as PublicKey,
          0,
          home.links[exact] as LinkInfo,
          SnekRule.PeerAncestor,
        );
      return;
    }
  }
  let bucket = home;
  let win = leastAbove(home, dest, destPrefix);
  for (let b = first + 1; win < 0 && b < 256; b++) {
    bucket = index.buckets[b] as Bucket;
    if (bucket.pre.length > 0) win = leastAbove(bucket, dest, destPrefix);
  }
  if (win >= 0 && compareKeys(bucket.keys[win] as PublicKey, s.bestKey) < 0)
    take(s, bucket.keys[win] as PublicKey, 0, bucket.links[win] as LinkInfo, SnekRule.PeerAncestor);
}

/**
 * Steps 2b and 3 at ordinary nodes. Once the tree has formed, these two steps would read every
 * link's announcement per search (a binary search over key objects scattered in the heap: cache
 * misses; about 40% of a 20,000-node run). Their outcome depends only on the candidate multiset
 * {(signer, link position)} (see considerSigners and considerAllSignersIndexed), so the search
 * keeps the links' signers sorted, with the keys' prefixes (keys.ts keyPrefix) in one
 * Float64Array for the binary search (SnekSearch sorted*). Each signer is kept once, with the
 * port of its first holder (what step 3 takes) and the positions of all of them (what step 2b
 * asks: does the parent hold it): a tree makes most signers common to several links, since a
 * child's announcement holds our whole path and the parent's all of it but us (3.6 candidates
 * per signer at geo:10000, 1.7 at ba:10000, converged). It is rebuilt, lazily at the next search,
 * whenever SnekInputs.linksVersion changes (or, without a version, when some link's (up,
 * stored) differs from what was indexed).
 */
function sortedSignersFor(
  s: SnekSearch,
  links: readonly LinkInfo[],
  version: number | undefined,
): void {
  if (s.sortedOf === links) {
    if (version !== undefined && s.sortedVersion === version) return;
    if (version === undefined && s.sortedLinks.length === links.length) {
      let same = true;
      for (let i = 0; i < links.length && same; i++) {
        const link = links[i] as LinkInfo;
        same = s.sortedLinks[i] === link && s.sortedStored[i] === (link.up ? link.stored : null);
      }
      if (same) return;
    }
  }
  const buildKeys: PublicKey[] = [];
  const buildPorts: number[] = [];
  const buildPos: number[] = [];
  // Made by map, not push: exactly one slot per link (push leaves 16-odd spare slots).
  const stored = links.map((link) => (link.up ? link.stored : null));
  let peers = 0;
  for (let i = 0; i < links.length; i++) {
    const st = stored[i] as StoredAnnouncement | null;
    const link = links[i] as LinkInfo;
    if (st === null) continue;
    peers++;
    const hops = st.announcement.hops;
    for (let h = 0; h < hops.length; h++) {
      buildKeys.push((hops[h] as RootAnnouncement['hops'][number]).signer);
      buildPorts.push(link.port);
      buildPos.push(i);
    }
  }
  const candidates = buildKeys.length;
  const order: number[] = new Array<number>(candidates);
  for (let i = 0; i < candidates; i++) order[i] = i;
  order.sort(
    (a, b) =>
      compareKeys(buildKeys[a] as PublicKey, buildKeys[b] as PublicKey) ||
      (buildPos[a] as number) - (buildPos[b] as number),
  );
  // Distinct signers: each run of equal keys is one entry, its first candidate the first holder.
  let n = 0;
  for (let i = 0; i < candidates; i++) {
    if (
      i === 0 ||
      !keysEqual(
        buildKeys[order[i] as number] as PublicKey,
        buildKeys[order[i - 1] as number] as PublicKey,
      )
    )
      n++;
  }
  const data = n + peers === 0 ? NO_SIGNERS : new Float64Array(3 * n + 2 * peers);
  const keys: PublicKey[] = new Array<PublicKey>(n);
  for (let i = 0, u = -1; i < candidates; i++) {
    const j = order[i] as number;
    const key = buildKeys[j] as PublicKey;
    if (u < 0 || !keysEqual(key, keys[u] as PublicKey)) {
      u++;
      keys[u] = key;
      data[u] = keyPrefix(key);
      data[n + u] = buildPorts[j] as number;
    }
    // Positions are below MAX_SORTED_LINKS, so the bits stay within an int32.
    data[2 * n + u] = (data[2 * n + u] as number) | (1 << (buildPos[j] as number));
  }
  for (let i = 0, k = 3 * n; i < links.length; i++) {
    if (stored[i] === null) continue;
    data[k] = keyPrefix((links[i] as LinkInfo).remoteKey);
    data[k + peers] = i;
    k++;
  }
  s.sortedOf = links;
  s.sortedVersion = version;
  s.sortedCount = n;
  s.sortedPeers = peers;
  s.sortedData = data;
  s.sortedKeys = keys;
  // What was indexed, for the check without a version only: with one (the router's, always)
  // the two arrays were ~150 B of every idle router for nothing.
  s.sortedLinks = version === undefined ? links.slice() : NO_LINK_INFO;
  s.sortedStored = version === undefined ? stored : NO_STORED;
}

/**
 * consider() over the signers of `only` (step 2b: the parent, at position `onlyAt` in `links`) or
 * of every link (step 3: only = null), from the sorted index: for traffic, dest itself when some
 * such signer equals it (unless best already is dest: then nothing can win); otherwise the least
 * such signer above dest (via `only`, or the first link by position holding it) when it is below
 * the current best.
 */
function considerSorted(
  s: SnekSearch,
  boot: boolean,
  dest: PublicKey,
  linkByPort: readonly (LinkInfo | undefined)[],
  only: LinkInfo | null,
  onlyAt: number,
  rule: SnekRule,
): void {
  const keys = s.sortedKeys;
  const data = s.sortedData;
  const n = s.sortedCount;
  const holders = 2 * n;
  const bit = only === null ? 0 : 1 << onlyAt;
  let i = prefixLowerBound(data, keys, n, dest);
  // Prefixes before keys throughout: the prefixes are the lines the search just read, a key is
  // two more reads (the keys array, the key itself), each a likely cache miss in a big run.
  // The entry equal to dest (signers are distinct): the exact match for traffic, when `only`
  // holds it; never taken by bootstraps (strict order).
  if (i < n && data[i] === keyPrefix(dest) && keysEqual(keys[i] as PublicKey, dest)) {
    if (!boot && (only === null || ((data[holders + i] as number) & bit) !== 0)) {
      if (!keysEqual(s.bestKey, dest))
        take(
          s,
          keys[i] as PublicKey,
          0,
          only ?? (linkByPort[data[n + i] as number] as LinkInfo),
          rule,
        );
      return;
    }
    i++;
  }
  if (only !== null) while (i < n && ((data[holders + i] as number) & bit) === 0) i++;
  if (i >= n) return;
  const p = data[i] as number;
  const bestPrefix = keyPrefix(s.bestKey);
  if (p < bestPrefix || (p === bestPrefix && compareKeys(keys[i] as PublicKey, s.bestKey) < 0))
    take(s, keys[i] as PublicKey, 0, only ?? (linkByPort[data[n + i] as number] as LinkInfo), rule);
}

/**
 * The first k ≥ `from` of the sorted index's links (up, with a stored announcement, in `links`
 * order) whose remote key is `key` (whose keyPrefix is `p`), or −1: prefixes first, the link and
 * its key only on a match.
 */
function peerWithKey(
  s: SnekSearch,
  links: readonly LinkInfo[],
  key: PublicKey,
  p: number,
  from: number,
): number {
  const data = s.sortedData;
  const at = 3 * s.sortedCount;
  for (let k = from; k < s.sortedPeers; k++) {
    if (data[at + k] === p && keysEqual(peerAt(s, links, k).remoteKey, key)) return k;
  }
  return -1;
}

/** The link of the sorted index's k-th peer entry. */
function peerAt(s: SnekSearch, links: readonly LinkInfo[], k: number): LinkInfo {
  return links[s.sortedData[3 * s.sortedCount + s.sortedPeers + k] as number] as LinkInfo;
}

/**
 * Step 6 for one up link to best's key with a stored announcement: take it over best's link when
 * its link type is better, or the same with the same root sequence (the whole root with
 * wholeRoot) and an announcement received earlier.
 */
function preferParallel(s: SnekSearch, input: SnekInputs, link: LinkInfo): void {
  if (link.port === s.bestPort) return;
  const stored = link.stored as StoredAnnouncement;
  const cur = input.linkByPort[s.bestPort] as LinkInfo;
  const curAnn = s.bestAnn as StoredAnnouncement;
  if (link.linkType < cur.linkType) {
    take(s, s.bestKey, s.bestSeq, link, SnekRule.ParallelLink);
  } else if (
    link.linkType === cur.linkType &&
    stored.announcement.rootSeq === curAnn.announcement.rootSeq &&
    (!input.wholeRoot || keysEqual(stored.announcement.rootKey, curAnn.announcement.rootKey)) &&
    stored.receiveOrder < curAnn.receiveOrder
  ) {
    take(s, s.bestKey, s.bestSeq, link, SnekRule.ParallelLink);
  }
}

/** `link`'s remote key is `key` (whose keyTag is `tag`): tags first, the key's bytes on a match. */
function linksTo(link: LinkInfo, key: PublicKey, tag: number): boolean {
  const t = link.remoteTag;
  return (t === undefined || t === tag) && keysEqual(link.remoteKey, key);
}

/**
 * §6.6 with the same answers as nextHopSnek (same [DET] orders), its running state and indexes in
 * `input.indexSlot` (or, without one, in a SnekSearch made for this call).
 */
export function nextHopSnekFast(input: SnekInputs, out: SnekResult): SnekResult {
  const { boot, dest, self, links } = input;
  if (!boot && keysEqual(dest, self)) {
    out.port = LOCAL_PORT;
    out.key = input.watermark.key;
    out.seq = input.watermark.seq;
    out.rule = SnekRule.Loopback;
    return out;
  }
  const s = input.indexSlot ?? new SnekSearch();
  s.bestKey = self;
  s.bestSeq = 0;
  s.bestPort = boot ? NO_PORT : LOCAL_PORT;
  s.bestAnn = null;
  s.bestRule = SnekRule.None;

  // Step 2: the parent path.
  const parent = input.parent;
  const index = links.length >= s.hubMinLinks ? signerIndexFor(s, links, input.linksVersion) : null;
  const sorted =
    index === null && links.length >= s.sortedMinLinks && links.length <= MAX_SORTED_LINKS;
  if (sorted) sortedSignersFor(s, links, input.linksVersion);
  if (parent?.up) {
    if ((boot && keysEqual(s.bestKey, dest)) || ordered(self, dest, input.rootKey))
      take(s, input.rootKey, 0, parent, SnekRule.RootViaParent);
    if (parent.stored !== null) {
      // The sorted index holds the parent's signers when the parent is one of `links` (always in
      // the router; a test may pass a parent outside them), by its position there: the scan
      // compares the array's pointers, not the links.
      const at = sorted ? links.indexOf(parent) : -1;
      if (at >= 0)
        considerSorted(s, boot, dest, input.linkByPort, parent, at, SnekRule.ParentAncestor);
      else
        considerSigners(s, boot, dest, parent.stored.announcement, parent, SnekRule.ParentAncestor);
    }
  }
  // Step 3: ancestors of every peer (the last signer is the peer itself).
  if (index !== null) considerAllSignersIndexed(s, boot, dest, index);
  else if (sorted) considerSorted(s, boot, dest, input.linkByPort, null, -1, SnekRule.PeerAncestor);
  else {
    // The parent's signers were just considered in step 2 (when it is up), which left best at or
    // below every one of them above dest (and at dest itself if one equals dest), so scanning
    // them again here cannot take anything: skipped.
    const skip = parent?.up === true && parent.stored !== null ? parent : null;
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as LinkInfo;
      if (!link.up || link.stored === null || link === skip) continue;
      considerSigners(s, boot, dest, link.stored.announcement, link, SnekRule.PeerAncestor);
    }
  }
  // Step 4: direct peering shortcut (at hubs only the links to bestKey, see firstWithKey; with
  // the sorted index only the links whose remote key's prefix is best's, see peerWithKey). Its
  // takes keep best's key, so best's prefix holds through step 5 too.
  const bestKey = s.bestKey;
  const bestPrefix = keyPrefix(bestKey);
  if (sorted) {
    for (let k = peerWithKey(s, links, bestKey, bestPrefix, 0); k >= 0; ) {
      take(s, bestKey, 0, peerAt(s, links, k), SnekRule.DirectPeer);
      k = peerWithKey(s, links, bestKey, bestPrefix, k + 1);
    }
  } else if (index !== null) {
    // The run of links to best's key in the hub index (firstWithKey), in port order.
    const byKey = index.byKey;
    for (let i = firstWithKey(index, bestKey, keyTag(bestKey)); i < byKey.length; i++) {
      const link = byKey[i] as LinkInfo;
      if (!keysEqual(link.remoteKey, bestKey)) break;
      if (link.up && link.stored !== null) take(s, bestKey, 0, link, SnekRule.DirectPeer);
    }
  } else {
    // Links keep their remote key's tag: most are told apart from best without reading their key.
    const bestTag = keyTag(s.bestKey);
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as LinkInfo;
      if (!link.up || link.stored === null) continue;
      if (linksTo(link, s.bestKey, bestTag)) take(s, s.bestKey, 0, link, SnekRule.DirectPeer);
    }
  }
  // Step 5: routing table. Entries are unique keys in ascending order, so the full scan of the
  // reference reduces exactly to: skip keys below dest (better() never takes them), and stop at
  // the first take or at the first key above dest that better() refuses (it is ≥ best, and every
  // later key is greater still). A hub's table holds thousands of entries.
  const table = tableIn(input) ?? tableOfEntries(input);
  const main = table.main;
  const side = table.side;
  const wm = input.watermark;
  const wmPrefix = keyPrefix(wm.key);
  const destPrefix = keyPrefix(dest);
  // Best does not change inside the loop (the first take ends it): bestPrefix is still its prefix.
  let i = main.lowerBound(dest);
  let j = side.length === 0 ? 0 : side.lowerBound(dest);
  for (;;) {
    // The next entry in key order from the two runs (keys are disjoint): prefixes first, keys on
    // a tie.
    let run: TableRun;
    let at: number;
    if (i < main.length) {
      if (j < side.length) {
        const p = main.data[i] as number;
        const q = side.data[j] as number;
        const first =
          p !== q ? p < q : compareKeys(main.keys[i] as PublicKey, side.keys[j] as PublicKey) < 0;
        if (first) {
          run = main;
          at = i++;
        } else {
          run = side;
          at = j++;
        }
      } else {
        run = main;
        at = i++;
      }
    } else if (j < side.length) {
      run = side;
      at = j++;
    } else break;
    const data = run.data;
    const o = run.row(at);
    if (input.now - (data[o + LAST_SEEN] as number) >= input.neighExpiry) continue;
    // The entry's key is compared by its prefix, in the column the search just read; the key's
    // bytes (another object, a likely cache miss) are read only on a tie.
    const kp = data[at] as number;
    // Every later entry has a greater key, so it is worse than the watermark too (§2 worse: a
    // greater key is worse) and would be skipped: stop rather than scan the rest of the table.
    // (Whether this entry's source link is up does not matter here: skipped or not, no later
    // entry can be taken. Likewise at the last break below. So the link is read only to take.)
    const c = kp !== wmPrefix ? kp - wmPrefix : compareKeys(run.keys[at] as PublicKey, wm.key);
    if (c > 0) break;
    const seq = data[o + SEQ] as number;
    if (c === 0 && seq !== 0 && seq < wm.seq) continue; // worse((key, seq), wm) with key ≤ wm.key
    // better(s, boot, dest, key), by prefixes.
    const vsDest =
      kp !== destPrefix ? kp - destPrefix : compareKeys(run.keys[at] as PublicKey, dest);
    const exact = !boot && vsDest === 0 && !keysEqual(s.bestKey, dest);
    if (
      exact ||
      (vsDest > 0 &&
        (kp !== bestPrefix
          ? kp < bestPrefix
          : compareKeys(run.keys[at] as PublicKey, s.bestKey) < 0))
    ) {
      // An entry whose source link is down is skipped (§6.6 step 5), and a later one may win.
      const src = input.linkByPort[sourcePortOf(data[o + PORTS] as number)];
      if (src === undefined || !src.up) continue;
      take(s, run.keys[at] as PublicKey, seq, src, SnekRule.TableEntry);
      break;
    }
    if (vsDest > 0) break;
  }
  // Step 6: parallel-link refinement, over the links to best's key (step 5 may have moved best).
  if (s.bestPort > LOCAL_PORT && s.bestAnn !== null) {
    if (sorted) {
      const key = s.bestKey;
      const p = keyPrefix(key);
      for (let k = peerWithKey(s, links, key, p, 0); k >= 0; ) {
        preferParallel(s, input, peerAt(s, links, k));
        k = peerWithKey(s, links, key, p, k + 1);
      }
    } else if (index !== null) {
      // Step 4's walk, with preferParallel (which keeps best's key, moving best only to another
      // link to it). A near-copy on purpose: one walk taking the step as a function cost 2.4%
      // when steps 4 and 6 last shared a helper (docs/large-networks.md).
      const key = s.bestKey;
      const byKey = index.byKey;
      for (let i = firstWithKey(index, key, keyTag(key)); i < byKey.length; i++) {
        const link = byKey[i] as LinkInfo;
        if (!keysEqual(link.remoteKey, key)) break;
        if (link.up && link.stored !== null) preferParallel(s, input, link);
      }
    } else {
      const bestTag6 = keyTag(s.bestKey);
      for (let i = 0; i < links.length; i++) {
        const link = links[i] as LinkInfo;
        if (!link.up || link.stored === null) continue;
        if (linksTo(link, s.bestKey, bestTag6)) preferParallel(s, input, link);
      }
    }
  }
  out.port = s.bestPort;
  out.key = s.bestKey;
  out.seq = s.bestSeq;
  out.rule = s.bestRule;
  // Drop what the search no longer needs, so an idle router does not pin the last ones.
  s.bestAnn = null;
  s.bestKey = FULL_MASK;
  return out;
}
