/**
 * router/decisions/snek-next-hop.ts — SNEK next-hop selection (PROTOCOL.md §6.6)
 * [router/state_snek.go: getNextHopSNEK].
 */
import { compareKeys, keysEqual, worse } from '../keys.ts';
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
  readonly now: Micros;
  readonly neighExpiry: Micros;
  /** [HEAD] #73: step 6 compares the whole root, not only the sequence. */
  readonly wholeRoot: boolean;
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

function considerSigners(
  boot: boolean,
  dest: PublicKey,
  ann: RootAnnouncement,
  link: LinkInfo,
  rule: SnekRule,
): void {
  const hops = ann.hops;
  for (let h = 0; h < hops.length; h++) {
    const signer = (hops[h] as RootAnnouncement['hops'][number]).signer;
    if (better(boot, dest, signer)) take(signer, 0, link, rule);
  }
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
  if (parent?.up) {
    if (
      (boot && keysEqual(bestKey, dest)) ||
      (compareKeys(self, dest) < 0 && compareKeys(dest, input.rootKey) < 0)
    ) {
      take(input.rootKey, 0, parent, SnekRule.RootViaParent);
    }
    if (parent.stored !== null) {
      considerSigners(boot, dest, parent.stored.announcement, parent, SnekRule.ParentAncestor);
    }
  }
  // Step 3: ancestors of every peer (the last signer is the peer itself).
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as LinkInfo;
    if (!link.up || link.stored === null) continue;
    considerSigners(boot, dest, link.stored.announcement, link, SnekRule.PeerAncestor);
  }
  // Step 4: direct peering shortcut.
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as LinkInfo;
    if (!link.up || link.stored === null) continue;
    if (keysEqual(link.remoteKey, bestKey)) take(bestKey, 0, link, SnekRule.DirectPeer);
  }
  // Step 5: routing table.
  const entries = input.entries;
  const wm = input.watermark;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as SnekEntryInfo;
    const src = input.linkByPort[e.sourcePort];
    if (src === undefined || !src.up) continue;
    if (input.now - e.lastSeen >= input.neighExpiry) continue;
    if (worse(e.watermark, wm)) continue;
    if (better(boot, dest, e.key)) take(e.key, e.watermark.seq, src, SnekRule.TableEntry);
  }
  // Step 6: parallel-link refinement.
  if (bestPort > LOCAL_PORT && bestAnn !== null) {
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as LinkInfo;
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
