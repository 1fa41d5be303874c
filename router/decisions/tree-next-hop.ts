/**
 * router/decisions/tree-next-hop.ts — greedy tree routing (PROTOCOL.md §5.8)
 * [router/state_tree.go: getNextHopTree, isBetterNextHopCandidate].
 */

import { keysEqual } from '../keys.ts';
import type { Coordinates, Port, PublicKey } from '../types.ts';
import { LOCAL_PORT } from '../types.ts';
import { coordinateDistance } from '../wire/coordinates.ts';
import { type LinkInfo, NO_PORT } from './links.ts';

/** Distances of the last decision, for hop explanations (reused by the caller, optional). */
export interface TreeHopInfo {
  ourDistance: number;
  bestDistance: number;
}

function coordsEqual(a: Coordinates, b: Coordinates): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Next hop towards destination coordinates `dest`: LOCAL_PORT when they are ours, a peer port that
 * is strictly closer, or NO_PORT at a tree dead end. `from` (the arrival link, LOCAL_PORT for
 * frames we originate) is never chosen; peers whose stored root (key and sequence) differs from
 * ours are skipped.
 *
 * [DET] §5.8: links are visited in ascending port order (`links` must be sorted) and the tie rule
 * the reference intended (but never applies) is applied: on equal distance, a parallel link to the
 * same remote key replaces the best when it has a lower link type, or the same type and an earlier
 * announcement (lower receive order).
 */
export function nextHopTree(
  links: readonly LinkInfo[],
  ourCoords: Coordinates,
  rootKey: PublicKey,
  rootSeq: number,
  dest: Coordinates,
  from: Port,
  info?: TreeHopInfo,
): number {
  if (coordsEqual(ourCoords, dest)) {
    if (info !== undefined) {
      info.ourDistance = 0;
      info.bestDistance = 0;
    }
    return LOCAL_PORT;
  }
  const ourDist = coordinateDistance(ourCoords, dest);
  if (info !== undefined) {
    info.ourDistance = ourDist;
    info.bestDistance = ourDist;
  }
  if (ourDist === 0) return LOCAL_PORT;
  let best: LinkInfo | null = null;
  let bestDist = ourDist;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as LinkInfo;
    const stored = link.stored;
    if (!link.up || stored === null || link.port === from) continue;
    const ann = stored.announcement;
    if (ann.rootSeq !== rootSeq || !keysEqual(ann.rootKey, rootKey)) continue;
    const d = coordinateDistance(stored.peerCoords, dest);
    if (d < bestDist) {
      best = link;
      bestDist = d;
    } else if (
      best !== null &&
      d === bestDist &&
      keysEqual(link.remoteKey, best.remoteKey) &&
      (link.linkType < best.linkType ||
        (link.linkType === best.linkType &&
          stored.receiveOrder < (best.stored as NonNullable<LinkInfo['stored']>).receiveOrder))
    ) {
      best = link;
    }
  }
  if (info !== undefined) info.bestDistance = bestDist;
  return best === null ? NO_PORT : best.port;
}
