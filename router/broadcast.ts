/**
 * router/broadcast.ts — [HEAD] wakeup broadcasts (PROTOCOL.md §7.7) [router/state_broadcast.go,
 * router/state_forward.go: _flood at HEAD]. Only active with options.headWakeupBroadcasts.
 */

import type { RouterCore } from './core.ts';
import { keysEqual, toHex } from './keys.ts';
import type { Link } from './peers.ts';
import { FrameType, type Micros, type WakeupBroadcastFrame } from './types.ts';
import {
  buildBootstrapPayload,
  readBootstrapPayload,
  verifyBootstrapPayload,
} from './wire/bootstrap.ts';
import { coordinateDistance } from './wire/coordinates.ts';
import { isCodecError } from './wire/errors.ts';

export const TIMER_WAKEUP = 3;

interface Seen {
  seq: number;
  at: Micros;
}

/** Broadcasts seen per source key (hex); expired after broadcastExpiry (3 min). */
export class BroadcastState {
  /** Made on first use: an empty Map per router is ~180 B, and d0beb18 runs never use it. */
  private seenMap: Map<string, Seen> | null = null;

  get seen(): Map<string, Seen> {
    if (this.seenMap === null) this.seenMap = new Map();
    return this.seenMap;
  }

  sweep(now: Micros, expiry: Micros): void {
    const seen = this.seenMap;
    if (seen === null) return;
    for (const [k, s] of seen) if (now - s.at >= expiry) seen.delete(k);
  }
}

function buildWakeup(r: RouterCore): WakeupBroadcastFrame {
  const root = r.tree.rootAnnouncement();
  const seq = r.options.clockEpochMs + Math.floor(r.now / 1000);
  const payload = buildBootstrapPayload(
    seq,
    root.rootKey,
    root.rootSeq,
    r.signer === null ? null : r.identity,
    r.signer,
  );
  return {
    type: FrameType.WakeupBroadcast,
    extra: 0,
    hopLimit: r.options.broadcastHopLimit,
    sourceKey: r.identity.publicKey,
    payload,
  };
}

/** §4.2 [HEAD]: one wakeup to a newly announced peer. */
export function sendWakeupOn(r: RouterCore, link: Link): void {
  r.sendProtocol(link, buildWakeup(r));
}

/**
 * Send on one link per remote key (lower link type, then earlier announcement), skipping
 * `exceptKey`; with `treeOnly`, only to peers at tree distance 1 (parent and children).
 */
function flood(
  r: RouterCore,
  frame: WakeupBroadcastFrame,
  exceptKey: Uint8Array | null,
  treeOnly: boolean,
): void {
  const links = r.peers.links;
  const ours = r.tree.coords();
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as Link;
    if (exceptKey !== null && keysEqual(link.remoteKey, exceptKey)) continue;
    if (
      treeOnly &&
      (link.stored === null || coordinateDistance(link.stored.peerCoords, ours) !== 1)
    ) {
      continue;
    }
    // One copy per remote key: pick the preferred parallel link ([DET] ascending ports).
    let chosen = link;
    let firstOfKey = true;
    for (let j = 0; j < links.length; j++) {
      const other = links[j] as Link;
      if (other === link || !keysEqual(other.remoteKey, link.remoteKey)) continue;
      if (j < i) firstOfKey = false;
      if (
        other.linkType < chosen.linkType ||
        (other.linkType === chosen.linkType &&
          (other.stored?.receiveOrder ?? Number.POSITIVE_INFINITY) <
            (chosen.stored?.receiveOrder ?? Number.POSITIVE_INFINITY))
      ) {
        chosen = other;
      }
    }
    if (firstOfKey) r.sendProtocol(chosen, frame);
  }
}

/** The 60 s timer: originate a wakeup broadcast to every peer. */
export function wakeupTick(r: RouterCore, state: BroadcastState): void {
  state.sweep(r.now, r.options.broadcastExpiry);
  flood(r, buildWakeup(r), null, false);
  r.fx.setTimer(TIMER_WAKEUP, r.now + r.options.wakeupBroadcastInterval);
}

/** §7.7 receipt. Decode or signature failure drops the link. */
export function handleWakeup(
  r: RouterCore,
  state: BroadcastState,
  link: Link,
  frame: WakeupBroadcastFrame,
): void {
  const p = readBootstrapPayload(frame.payload, r.memo);
  if (isCodecError(p)) {
    r.closeLink(link, 'decode-error');
    return;
  }
  if (r.signer !== null && !verifyBootstrapPayload(frame.payload, frame.sourceKey, r.signer)) {
    r.closeLink(link, 'bad-signature');
    return;
  }
  if (keysEqual(frame.sourceKey, r.identity.publicKey)) return;
  if (!keysEqual(p.rootKey, r.tree.rootAnnouncement().rootKey)) return;
  const h = toHex(frame.sourceKey);
  const prev = state.seen.get(h);
  if (
    prev !== undefined &&
    (r.now - prev.at < r.options.broadcastFilterTime || prev.seq >= p.seq)
  ) {
    return;
  }
  state.seen.set(h, { seq: p.seq, at: r.now });
  if (frame.hopLimit <= 1) return;
  const hop = frame.hopLimit - 1;
  // Classic flood for the first two hops (hop limit ≥ 4 after decrement), tree neighbours after.
  flood(r, { ...frame, hopLimit: hop }, link.remoteKey, hop < r.options.broadcastHopLimit - 1);
}
