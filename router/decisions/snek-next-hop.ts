/**
 * router/decisions/snek-next-hop.ts — SNEK next-hop selection (PROTOCOL.md §6.6)
 * [router/state_snek.go: getNextHopSNEK].
 */
import { compareKeys, keyPrefix, keysEqual, worse } from '../keys.ts';
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
  return { port: NO_PORT, key: new Uint8Array(32), seq: 0, rule: SnekRule.None };
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
  /** Link per port (index = port), to check an entry's source link is up. */
  readonly linkByPort: readonly (LinkInfo | undefined)[];
  /** Table entries in ascending key order ([DET] §6.6). */
  readonly entries: readonly SnekEntryInfo[];
  /** Optional keyPrefix of each entry's key (router/snake.ts KeyRun.prefixes), for the search. */
  readonly entryPrefixes?: Float64Array;
  /**
   * Optional second run of entries in ascending key order, keys disjoint from `entries` (the
   * table's recent inserts, router/snake.ts SnakeState); step 5 reads both runs merged in key
   * order, exactly as one sorted table. With optional prefixes like `entryPrefixes`.
   */
  readonly sideEntries?: readonly SnekEntryInfo[];
  readonly sidePrefixes?: Float64Array;
  readonly now: Micros;
  readonly neighExpiry: Micros;
  /** [HEAD] #73: step 6 compares the whole root, not only the sequence. */
  readonly wholeRoot: boolean;
  /**
   * Optional change counter of `links` (router/peers.ts PeerTable.version): it changes whenever a
   * link is added or removed or a link's `up` or `stored` changes. When given, the hub indexes
   * below are known current while it is unchanged, instead of being re-checked link by link.
   */
  readonly linksVersion?: number;
  /**
   * Optional per-router place for the search's index of `links` (router/peers.ts PeerTable keeps
   * one). Without it the index is found through a WeakMap keyed by the links array, a hash lookup
   * per search (issue 7: 2.5% of a 100,000-node run).
   */
  readonly indexSlot?: SnekIndexSlot;
}

/** See SnekInputs.indexSlot; opaque to callers. */
export interface SnekIndexSlot {
  sorted: unknown;
}

// Module-level running state: the search is synchronous and non-reentrant, so one set suffices.
let bestKey: PublicKey = new Uint8Array(32);
let bestSeq = 0;
let bestPort = NO_PORT;
let bestAnn: StoredAnnouncement | null = null;
let bestRule: SnekRule = SnekRule.None;

function take(k: PublicKey, q: number, link: LinkInfo, rule: SnekRule): void {
  bestKey = k;
  bestSeq = q;
  bestPort = link.port;
  bestAnn = link.stored;
  bestRule = rule;
}

function better(boot: boolean, dest: PublicKey, k: PublicKey): boolean {
  // consider(): exact key wins for traffic; otherwise strictly between dest and the current best.
  if (!boot && keysEqual(k, dest) && !keysEqual(bestKey, dest)) return true;
  return compareKeys(dest, k) < 0 && compareKeys(k, bestKey) < 0;
}

/** Announcements up to this many entries are scanned in order; longer ones by binary search. */
const LINEAR_SIGNERS = 6;

/** Signer keys of an announcement in ascending order, once per (immutable) announcement object. */
const sortedSignersOf = new WeakMap<RootAnnouncement, PublicKey[]>();

function sortedSigners(ann: RootAnnouncement): PublicKey[] {
  let sorted = sortedSignersOf.get(ann);
  if (sorted === undefined) {
    sorted = ann.hops.map((h) => h.signer).sort(compareKeys);
    sortedSignersOf.set(ann, sorted);
  }
  return sorted;
}

/**
 * consider() every signer of `ann` in hop order. Issue 7: at hubs this ran over every entry of
 * every peer's announcement for every bootstrap (42% of a sim-skitter run). All takes here carry
 * the same link, rule and sequence 0, so only the last take matters, and it is exactly: for
 * traffic, dest itself when it is a signer (unless best already is dest: then nothing can win);
 * otherwise the least signer above dest, when it is below the current best. For long
 * announcements that signer is found by binary search over the sorted signers.
 */
function considerSigners(
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
      if (better(boot, dest, signer)) take(signer, 0, link, rule);
    }
    return;
  }
  const sorted = sortedSigners(ann);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid] as PublicKey, dest) < 0) lo = mid + 1;
    else hi = mid;
  }
  while (lo < sorted.length && keysEqual(sorted[lo] as PublicKey, dest)) {
    if (!boot) {
      if (!keysEqual(bestKey, dest)) take(sorted[lo] as PublicKey, 0, link, rule);
      return;
    }
    lo++;
  }
  if (lo < sorted.length && compareKeys(sorted[lo] as PublicKey, bestKey) < 0)
    take(sorted[lo] as PublicKey, 0, link, rule);
}

/**
 * Step 3 at hubs (issue 7). With hundreds or thousands of peers, scanning every signer of every
 * peer's announcement per bootstrap dominated big runs (33–42% of sim-skitter). The scan's outcome
 * is fully determined by the candidate multiset {(signer, link position)}: all its takes carry
 * sequence 0 and rule PeerAncestor, so after it the best is
 * - for traffic, when some signer equals dest: dest via the first such link (if best was not dest
 *   already; if it was, nothing can beat it);
 * - otherwise the least signer above dest via the first link (by position) holding it, when that
 *   signer is below the best left by step 2.
 * The index keeps the candidates of each router's links in 256 buckets by first key byte and is
 * brought up to date at each use by comparing every link's (up, stored) with what it indexed, a
 * pointer check per link (stored announcements are immutable objects, replaced on change).
 */
interface SignerCandidate {
  readonly key: PublicKey;
  readonly link: LinkInfo;
  readonly pos: number;
}

interface SignerIndex {
  /** The links array as indexed (same objects, same order) and what each one contributed. */
  links: LinkInfo[];
  stored: (StoredAnnouncement | null)[];
  readonly buckets: SignerCandidate[][];
  /** SnekInputs.linksVersion when last brought up to date (undefined: always re-check). */
  version: number | undefined;
  /** The links ordered by (remote key, port), for steps 4 and 6 at hubs (see linksWithKey). */
  byKey: LinkInfo[];
}

/** Routers with at least this many links use the index (a plain scan is cheaper below). */
let signerIndexMinLinks = 24;

/** Tests: force the index on (1) or off (Infinity) to compare it with the plain scan. */
export function setSignerIndexMinLinks(n: number): void {
  signerIndexMinLinks = n;
}

const signerIndexes = new WeakMap<readonly LinkInfo[], SignerIndex>();

function indexLink(index: SignerIndex, link: LinkInfo, stored: StoredAnnouncement, pos: number) {
  const hops = stored.announcement.hops;
  for (let h = 0; h < hops.length; h++) {
    const key = (hops[h] as RootAnnouncement['hops'][number]).signer;
    (index.buckets[key[0] as number] as SignerCandidate[]).push({ key, link, pos });
  }
}

function unindexLink(index: SignerIndex, link: LinkInfo, stored: StoredAnnouncement) {
  const hops = stored.announcement.hops;
  for (let h = 0; h < hops.length; h++) {
    const key = (hops[h] as RootAnnouncement['hops'][number]).signer;
    const bucket = index.buckets[key[0] as number] as SignerCandidate[];
    for (let j = 0; j < bucket.length; j++) {
      const c = bucket[j] as SignerCandidate;
      if (c.link === link && c.key === key) {
        bucket[j] = bucket[bucket.length - 1] as SignerCandidate;
        bucket.pop();
        break;
      }
    }
  }
}

function signerIndexFor(links: readonly LinkInfo[], version: number | undefined): SignerIndex {
  let index = signerIndexes.get(links);
  if (index !== undefined && version !== undefined && index.version === version) return index;
  let rebuild = index === undefined || index.links.length !== links.length;
  if (index !== undefined && !rebuild) {
    for (let i = 0; i < links.length; i++) {
      if (index.links[i] !== links[i]) {
        rebuild = true;
        break;
      }
    }
  }
  if (index === undefined || rebuild) {
    index = {
      links: [],
      stored: [],
      buckets: Array.from({ length: 256 }, () => []),
      version,
      byKey: links.slice().sort((a, b) => compareKeys(a.remoteKey, b.remoteKey) || a.port - b.port),
    };
    signerIndexes.set(links, index);
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as LinkInfo;
      const stored = link.up ? link.stored : null;
      index.links.push(link);
      index.stored.push(stored);
      if (stored !== null) indexLink(index, link, stored, i);
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

/** Least (key, pos) candidate of `bucket` with key above `dest`, or null. */
function leastAbove(bucket: readonly SignerCandidate[], dest: PublicKey): SignerCandidate | null {
  let best: SignerCandidate | null = null;
  for (let j = 0; j < bucket.length; j++) {
    const c = bucket[j] as SignerCandidate;
    if (compareKeys(c.key, dest) <= 0) continue;
    if (best === null) best = c;
    else {
      const d = compareKeys(c.key, best.key);
      if (d < 0 || (d === 0 && c.pos < best.pos)) best = c;
    }
  }
  return best;
}

/**
 * Steps 4 and 6 at hubs (issue 7): both look only at links whose remote key is the best key, in
 * ascending port order, and a plain scan was O(peers) per bootstrap hop at every hub. The index's
 * links sorted by (remote key, port) give that run by binary search, in the same port order; the
 * up / stored tests stay in the callers.
 */
function linksWithKey(index: SignerIndex, key: PublicKey, out: LinkInfo[]): LinkInfo[] {
  out.length = 0;
  const byKey = index.byKey;
  let lo = 0;
  let hi = byKey.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys((byKey[mid] as LinkInfo).remoteKey, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let j = lo; j < byKey.length; j++) {
    const link = byKey[j] as LinkInfo;
    if (!keysEqual(link.remoteKey, key)) break;
    out.push(link);
  }
  return out;
}

const sameKeyLinks: LinkInfo[] = [];
const NO_ENTRIES: readonly SnekEntryInfo[] = [];

function considerAllSignersIndexed(boot: boolean, dest: PublicKey, index: SignerIndex): void {
  const first = dest[0] as number;
  const home = index.buckets[first] as SignerCandidate[];
  if (!boot) {
    let exact: SignerCandidate | null = null;
    for (let j = 0; j < home.length; j++) {
      const c = home[j] as SignerCandidate;
      if ((exact === null || c.pos < exact.pos) && keysEqual(c.key, dest)) exact = c;
    }
    if (exact !== null) {
      if (!keysEqual(bestKey, dest)) take(exact.key, 0, exact.link, SnekRule.PeerAncestor);
      return;
    }
  }
  let win = leastAbove(home, dest);
  for (let b = first + 1; win === null && b < 256; b++) {
    const bucket = index.buckets[b] as SignerCandidate[];
    if (bucket.length > 0) win = leastAbove(bucket, dest);
  }
  if (win !== null && compareKeys(win.key, bestKey) < 0)
    take(win.key, 0, win.link, SnekRule.PeerAncestor);
}

/**
 * Steps 2b and 3 at ordinary nodes (issue 7). At 20,000 nodes these two steps were ~40% of a
 * run once the tree had formed: per search, every link's announcement (a WeakMap lookup and a
 * binary search over key objects scattered in the heap: cache misses). Their outcome depends only
 * on the candidate multiset {(signer, link position)} (see considerSigners and
 * considerAllSignersIndexed), so each router keeps all its links' signers in one array sorted by
 * (key, position), with the keys' prefixes (keys.ts keyPrefix) in a Float64Array for the binary
 * search. It is rebuilt, lazily at the next search, whenever SnekInputs.linksVersion changes (or,
 * without a version, when some link's (up, stored) differs from what was indexed).
 */
interface SortedSigners {
  /** The links array indexed (an index kept in a slot is checked to be for this array). */
  readonly of: readonly LinkInfo[];
  version: number | undefined;
  /** What each position contributed when built (stale check without a version). */
  links: LinkInfo[];
  stored: (StoredAnnouncement | null)[];
  count: number;
  prefixes: Float64Array;
  keys: PublicKey[];
  /** The link holding keys[i]; equal keys are ordered by their link's position in `links`. */
  holders: LinkInfo[];
}

const sortedSignersByLinks = new WeakMap<readonly LinkInfo[], SortedSigners>();

/** Routers with at least this many links (and fewer than signerIndexMinLinks) use SortedSigners. */
let sortedSignersMinLinks = 2;

/** Tests: force SortedSigners on (1) or off (Infinity) to compare it with the plain scan. */
export function setSortedSignersMinLinks(n: number): void {
  sortedSignersMinLinks = n;
}

const buildKeys: PublicKey[] = [];
const buildHolders: LinkInfo[] = [];
const buildPos: number[] = [];
const buildOrder: number[] = [];

function sortedSignersFor(
  links: readonly LinkInfo[],
  version: number | undefined,
  slot: SnekIndexSlot | undefined,
): SortedSigners {
  let idx =
    slot === undefined
      ? sortedSignersByLinks.get(links)
      : ((slot.sorted as SortedSigners | null) ?? undefined);
  if (idx !== undefined && idx.of !== links) idx = undefined;
  if (idx !== undefined) {
    if (version !== undefined && idx.version === version) return idx;
    if (version === undefined && idx.links.length === links.length) {
      let same = true;
      for (let i = 0; i < links.length && same; i++) {
        const link = links[i] as LinkInfo;
        same = idx.links[i] === link && idx.stored[i] === (link.up ? link.stored : null);
      }
      if (same) return idx;
    }
  }
  buildKeys.length = 0;
  buildHolders.length = 0;
  buildPos.length = 0;
  const stored: (StoredAnnouncement | null)[] = [];
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as LinkInfo;
    const st = link.up ? link.stored : null;
    stored.push(st);
    if (st === null) continue;
    const hops = st.announcement.hops;
    for (let h = 0; h < hops.length; h++) {
      buildKeys.push((hops[h] as RootAnnouncement['hops'][number]).signer);
      buildHolders.push(link);
      buildPos.push(i);
    }
  }
  const n = buildKeys.length;
  buildOrder.length = n;
  for (let i = 0; i < n; i++) buildOrder[i] = i;
  buildOrder.sort(
    (a, b) =>
      compareKeys(buildKeys[a] as PublicKey, buildKeys[b] as PublicKey) ||
      (buildPos[a] as number) - (buildPos[b] as number),
  );
  const prefixes = new Float64Array(n);
  const keys: PublicKey[] = new Array<PublicKey>(n);
  const holders: LinkInfo[] = new Array<LinkInfo>(n);
  for (let i = 0; i < n; i++) {
    const j = buildOrder[i] as number;
    const key = buildKeys[j] as PublicKey;
    keys[i] = key;
    holders[i] = buildHolders[j] as LinkInfo;
    prefixes[i] = keyPrefix(key);
  }
  buildKeys.length = 0;
  buildHolders.length = 0;
  idx = { of: links, version, links: links.slice(), stored, count: n, prefixes, keys, holders };
  if (slot === undefined) sortedSignersByLinks.set(links, idx);
  else slot.sorted = idx;
  return idx;
}

/** First index whose key is ≥ `key`. */
function signerLowerBound(idx: SortedSigners, key: PublicKey): number {
  const p = keyPrefix(key);
  const pre = idx.prefixes;
  let lo = 0;
  let hi = idx.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const q = pre[mid] as number;
    if (q < p || (q === p && compareKeys(idx.keys[mid] as PublicKey, key) < 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * consider() over the signers of `only` (step 2b: the parent) or of every link (step 3: only =
 * null), from the sorted index: for traffic, dest itself when some such signer equals it (unless
 * best already is dest: then nothing can win); otherwise the least such signer above dest (the
 * first link by position holding it) when it is below the current best.
 */
function considerSorted(
  boot: boolean,
  dest: PublicKey,
  idx: SortedSigners,
  only: LinkInfo | null,
  rule: SnekRule,
): void {
  const keys = idx.keys;
  const holders = idx.holders;
  const n = idx.count;
  let i = signerLowerBound(idx, dest);
  // Entries equal to dest: the exact match for traffic; never taken by bootstraps (strict order).
  for (; i < n && keysEqual(keys[i] as PublicKey, dest); i++) {
    if (boot || (only !== null && holders[i] !== only)) continue;
    if (!keysEqual(bestKey, dest)) take(keys[i] as PublicKey, 0, holders[i] as LinkInfo, rule);
    return;
  }
  if (only !== null) while (i < n && holders[i] !== only) i++;
  if (i < n && compareKeys(keys[i] as PublicKey, bestKey) < 0)
    take(keys[i] as PublicKey, 0, holders[i] as LinkInfo, rule);
}

/**
 * Index of the first entry whose key is ≥ `key` (entries ascending by key). With `prefixes`
 * (keyPrefix per entry) the probes read that array and compare whole keys only on a tie.
 */
export function lowerBound(
  entries: readonly SnekEntryInfo[],
  key: PublicKey,
  prefixes: Float64Array | undefined,
): number {
  let lo = 0;
  let hi = entries.length;
  if (prefixes !== undefined) {
    const p = keyPrefix(key);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = prefixes[mid] as number;
      if (q < p || (q === p && compareKeys((entries[mid] as SnekEntryInfo).key, key) < 0))
        lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys((entries[mid] as SnekEntryInfo).key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * §6.6 in full. [DET] Steps 3–6 iterate links in ascending port order and entries in ascending key
 * order where the reference iterates Go maps (first met wins in steps 3 and 5; in step 4 the last
 * matching link wins, as in the reference loop). Step 6 only considers up links (the reference
 * does not check, the spec says we MUST).
 */
export function nextHopSnek(input: SnekInputs, out: SnekResult): SnekResult {
  const { boot, dest, self, links } = input;
  if (!boot && keysEqual(dest, self)) {
    out.port = LOCAL_PORT;
    out.key = input.watermark.key;
    out.seq = input.watermark.seq;
    out.rule = SnekRule.Loopback;
    return out;
  }
  bestKey = self;
  bestSeq = 0;
  bestPort = boot ? NO_PORT : LOCAL_PORT;
  bestAnn = null;
  bestRule = SnekRule.None;

  // Step 2: the parent path.
  const parent = input.parent;
  const index =
    links.length >= signerIndexMinLinks ? signerIndexFor(links, input.linksVersion) : null;
  const sorted =
    index === null && links.length >= sortedSignersMinLinks
      ? sortedSignersFor(links, input.linksVersion, input.indexSlot)
      : null;
  if (parent?.up) {
    if (
      (boot && keysEqual(bestKey, dest)) ||
      (compareKeys(self, dest) < 0 && compareKeys(dest, input.rootKey) < 0)
    ) {
      take(input.rootKey, 0, parent, SnekRule.RootViaParent);
    }
    if (parent.stored !== null) {
      // The sorted index holds the parent's signers when the parent is one of `links` (always in
      // the router; a test may pass a parent outside them).
      if (sorted?.links.includes(parent))
        considerSorted(boot, dest, sorted, parent, SnekRule.ParentAncestor);
      else considerSigners(boot, dest, parent.stored.announcement, parent, SnekRule.ParentAncestor);
    }
  }
  // Step 3: ancestors of every peer (the last signer is the peer itself).
  if (index !== null) considerAllSignersIndexed(boot, dest, index);
  else if (sorted !== null) considerSorted(boot, dest, sorted, null, SnekRule.PeerAncestor);
  else {
    // Issue 7: the parent's signers were just considered in step 2 (when it is up), which left
    // best at or below every one of them above dest (and at dest itself if one equals dest), so
    // scanning them again here cannot take anything: skipped. Most nodes have 2–3 peers.
    const skip = parent?.up === true && parent.stored !== null ? parent : null;
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as LinkInfo;
      if (!link.up || link.stored === null || link === skip) continue;
      considerSigners(boot, dest, link.stored.announcement, link, SnekRule.PeerAncestor);
    }
  }
  // Step 4: direct peering shortcut (at hubs only the links to bestKey, see linksWithKey).
  const step4 = index === null ? links : linksWithKey(index, bestKey, sameKeyLinks);
  for (let i = 0; i < step4.length; i++) {
    const link = step4[i] as LinkInfo;
    if (!link.up || link.stored === null) continue;
    if (keysEqual(link.remoteKey, bestKey)) take(bestKey, 0, link, SnekRule.DirectPeer);
  }
  // Step 5: routing table. Entries are unique keys in ascending order, so the full scan of the
  // reference reduces exactly to: skip keys below dest (better() never takes them), and stop at
  // the first take or at the first key above dest that better() refuses (it is ≥ best, and every
  // later key is greater still). Issue 7: hub tables hold hundreds of entries.
  const entries = input.entries;
  const side = input.sideEntries ?? NO_ENTRIES;
  const pre = input.entryPrefixes;
  const sidePre = input.sidePrefixes;
  const wm = input.watermark;
  let i = lowerBound(entries, dest, pre);
  let j = side.length === 0 ? 0 : lowerBound(side, dest, sidePre);
  for (;;) {
    // The next entry in key order from the two runs (keys are disjoint).
    let e: SnekEntryInfo;
    if (i < entries.length) {
      const a = entries[i] as SnekEntryInfo;
      if (j < side.length) {
        const b = side[j] as SnekEntryInfo;
        const p = pre?.[i];
        const q = sidePre?.[j];
        const first =
          p !== undefined && q !== undefined && p !== q ? p < q : compareKeys(a.key, b.key) < 0;
        if (first) {
          e = a;
          i++;
        } else {
          e = b;
          j++;
        }
      } else {
        e = a;
        i++;
      }
    } else if (j < side.length) {
      e = side[j++] as SnekEntryInfo;
    } else break;
    const src = input.linkByPort[e.sourcePort];
    if (src === undefined || !src.up) continue;
    if (input.now - e.lastSeen >= input.neighExpiry) continue;
    // Every later entry has a greater key, so it is worse than the watermark too (§2 worse: a
    // greater key is worse) and would be skipped: stop (issue 7: the skip scanned the rest of a
    // hub's table for each bootstrap).
    if (compareKeys(e.key, wm.key) > 0) break;
    if (worse(e.watermark, wm)) continue;
    if (better(boot, dest, e.key)) {
      take(e.key, e.watermark.seq, src, SnekRule.TableEntry);
      break;
    }
    if (compareKeys(e.key, dest) > 0) break;
  }
  // Step 6: parallel-link refinement.
  if (bestPort > LOCAL_PORT && bestAnn !== null) {
    const step6 = index === null ? links : linksWithKey(index, bestKey, sameKeyLinks);
    for (let i = 0; i < step6.length; i++) {
      const link = step6[i] as LinkInfo;
      const stored = link.stored;
      if (!link.up || stored === null || link.port === bestPort) continue;
      if (!keysEqual(link.remoteKey, bestKey)) continue;
      const cur = input.linkByPort[bestPort] as LinkInfo;
      const curAnn = bestAnn as StoredAnnouncement;
      if (link.linkType < cur.linkType) {
        take(bestKey, bestSeq, link, SnekRule.ParallelLink);
      } else if (
        link.linkType === cur.linkType &&
        stored.announcement.rootSeq === curAnn.announcement.rootSeq &&
        (!input.wholeRoot || keysEqual(stored.announcement.rootKey, curAnn.announcement.rootKey)) &&
        stored.receiveOrder < curAnn.receiveOrder
      ) {
        take(bestKey, bestSeq, link, SnekRule.ParallelLink);
      }
    }
  }
  out.port = bestPort;
  out.key = bestKey;
  out.seq = bestSeq;
  out.rule = bestRule;
  bestAnn = null;
  return out;
}
