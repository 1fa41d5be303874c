/**
 * router/decisions/parent.ts — parent selection (PROTOCOL.md §5.6)
 * [router/state_tree.go: _selectNewParent, isBetterParentCandidate].
 */

import { compareKeys } from '../keys.ts';
import type { Micros, PublicKey } from '../types.ts';
import { announcementHasSigner, type LinkInfo, NO_PORT, type StoredAnnouncement } from './links.ts';

/** Mutable running best of a selection (reused, no allocation per call). */
export interface ParentBest {
  key: PublicKey;
  seq: number;
  order: number;
  port: number;
}

/**
 * §5.6 step 2 for one stored announcement: true when it becomes the new best.
 * Tests in order: age ≥ timeout → no; contains our key → no; stronger root key → yes; weaker → no;
 * newer sequence → yes; older → no; earlier receive order → yes.
 */
export function isBetterParentCandidate(
  stored: StoredAnnouncement,
  now: Micros,
  ourKey: PublicKey,
  best: ParentBest,
  announcementTimeout: Micros,
): boolean {
  if (now - stored.receiveTime >= announcementTimeout) return false;
  const ann = stored.announcement;
  // The loop test (a scan of every entry) runs only for a candidate that would otherwise win: the
  // same answer as testing it first, without the scan for most links (hubs re-select over
  // thousands of links).
  const c = compareKeys(ann.rootKey, best.key);
  let wins: boolean;
  if (c !== 0) wins = c > 0;
  else if (ann.rootSeq !== best.seq) wins = ann.rootSeq > best.seq;
  else wins = stored.receiveOrder < best.order;
  return wins && !announcementHasSigner(ann, ourKey);
}

/**
 * §5.6 steps 1–2: the best parent link, or NO_PORT (the caller then becomes root, step 4).
 * `currentRootKey/Seq` = our root (§5.2) at the moment selection runs: after a parent-link loss
 * that is our own key and sequence, because the parent's announcement is already deleted (§4.5).
 * Links are scanned in the given (ascending port) order; the result does not depend on it because
 * receive orders are unique.
 */
export function selectParent(
  links: readonly LinkInfo[],
  now: Micros,
  ourKey: PublicKey,
  currentRootKey: PublicKey,
  currentRootSeq: number,
  announcementTimeout: Micros,
  scratch: ParentBest = { key: ourKey, seq: 0, order: Number.POSITIVE_INFINITY, port: NO_PORT },
): number {
  const best = scratch;
  if (compareKeys(ourKey, currentRootKey) > 0) {
    best.key = ourKey;
    best.seq = 0;
  } else {
    best.key = currentRootKey;
    best.seq = currentRootSeq;
  }
  best.order = Number.POSITIVE_INFINITY;
  best.port = NO_PORT;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as LinkInfo;
    const stored = link.stored;
    if (!link.up || stored === null) continue;
    if (isBetterParentCandidate(stored, now, ourKey, best, announcementTimeout)) {
      best.key = stored.announcement.rootKey;
      best.seq = stored.announcement.rootSeq;
      best.order = stored.receiveOrder;
      best.port = link.port;
    }
  }
  return best.port;
}
