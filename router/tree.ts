/**
 * router/tree.ts — spanning-tree state and handlers (PROTOCOL.md §5)
 * [router/state_tree.go, router/state.go].
 */
import { sendWakeupOn } from './broadcast.ts';
import { AnnouncementAction, determineAnnouncementAction } from './decisions/announcement.ts';
import { announcementHasSigner, NO_PORT, type StoredAnnouncement } from './decisions/links.ts';
import { type ParentBest, selectParent } from './decisions/parent.ts';
import { compareKeys, keysEqual } from './keys.ts';
import type { Link, RouterCore } from './peers.ts';
import {
  type Coordinates,
  FrameType,
  type Micros,
  type PublicKey,
  type RootAnnouncement,
  type TreeAnnouncementFrame,
} from './types.ts';
import {
  announcementCoords,
  announcementPeerCoords,
  checkAnnouncementSanity,
  signAnnouncement,
  verifyAnnouncement,
} from './wire/announcement.ts';

/** Timer id of the tree maintenance / root refresh timer (§5.3.1). */
export const TIMER_TREE = 0;

const NO_COORDS: Coordinates = Object.freeze([]) as Coordinates;

export class TreeState {
  /** Parent link, or null when we are a root. */
  parent: Link | null = null;
  /** Our own root sequence; starts at 0, the first one sent is 1 (§5.3.1). */
  sequence = 0;
  /** Node-global receive order counter (§5.1). */
  ordering = 0;
  /** Hold-down flag (§5.4 SelectNewParentWithWait). */
  waiting = false;
  private readonly ourKey: PublicKey;
  private selfAnnouncement: RootAnnouncement;
  readonly scratch: ParentBest;

  constructor(ourKey: PublicKey) {
    this.ourKey = ourKey;
    this.selfAnnouncement = Object.freeze({ rootKey: ourKey, rootSeq: 0, hops: [] });
    this.scratch = { key: ourKey, seq: 0, order: 0, port: NO_PORT };
  }

  /** §5.2: the parent's stored announcement as received, else a fresh (our key, sequence). */
  rootAnnouncement(): RootAnnouncement {
    const p = this.parent;
    if (p !== null && p.stored !== null) return p.stored.announcement;
    if (this.selfAnnouncement.rootSeq !== this.sequence) {
      this.selfAnnouncement = Object.freeze({
        rootKey: this.ourKey,
        rootSeq: this.sequence,
        hops: [],
      });
    }
    return this.selfAnnouncement;
  }

  /** Our coordinates: the hop ports of our root announcement; a root has [] (§5.2). */
  coords(): Coordinates {
    const p = this.parent;
    return p !== null && p.stored !== null ? p.stored.coords : NO_COORDS;
  }
}

/**
 * A link's stored announcement (§5.1). The two coordinate arrays are derived on first use and then
 * kept (issue 7): `coords` is read only for the parent link (our coordinates) and `peerCoords`
 * only by tree routing and [HEAD] wakeups, so an idle router need not hold two arrays per peering.
 * Announcements are immutable, so a late derivation gives the same values as an eager one.
 */
class Stored implements StoredAnnouncement {
  readonly announcement: RootAnnouncement;
  readonly receiveTime: Micros;
  readonly receiveOrder: number;
  private coordsMemo: Coordinates | null = null;
  private peerCoordsMemo: Coordinates | null = null;

  constructor(announcement: RootAnnouncement, receiveTime: Micros, receiveOrder: number) {
    this.announcement = announcement;
    this.receiveTime = receiveTime;
    this.receiveOrder = receiveOrder;
  }

  get coords(): Coordinates {
    if (this.coordsMemo === null) this.coordsMemo = announcementCoords(this.announcement);
    return this.coordsMemo;
  }

  get peerCoords(): Coordinates {
    if (this.peerCoordsMemo === null)
      this.peerCoordsMemo = announcementPeerCoords(this.announcement);
    return this.peerCoordsMemo;
  }
}

export function storeAnnouncement(
  announcement: RootAnnouncement,
  now: Micros,
  order: number,
): StoredAnnouncement {
  return new Stored(announcement, now, order);
}

/** Enqueue `ann` signed for `link` (§5.3 forPeer); the signed frame is cached per link. */
export function sendAnnouncement(r: RouterCore, link: Link, ann: RootAnnouncement): void {
  let frame = link.sentFrame;
  if (link.sentFor !== ann || frame === null) {
    const signed = signAnnouncement(ann, link.port, r.identity, r.signer);
    frame = { type: FrameType.TreeAnnouncement, extra: 0, hopLimit: 0, announcement: signed };
    link.sentFor = ann;
    link.sentFrame = frame;
  }
  r.sendProtocol(link, frame as TreeAnnouncementFrame);
}

/** "Announce to all": every up link including the parent, ascending port order (§5.3). */
export function announceToAll(r: RouterCore): void {
  const ann = r.tree.rootAnnouncement();
  const links = r.peers.links;
  for (let i = 0; i < links.length; i++) sendAnnouncement(r, links[i] as Link, ann);
}

/**
 * Assign the parent; clear the coordinates cache when our root key differs before and after the
 * assignment (§7.2 [router/state.go: _setParent]). "Before" is computed from the current state, so
 * after a parent-link loss it is our own key (the parent's announcement is already deleted).
 */
export function setParent(r: RouterCore, link: Link | null): void {
  const before = r.tree.rootAnnouncement().rootKey;
  r.tree.parent = link;
  const after = r.tree.rootAnnouncement().rootKey;
  if (!keysEqual(before, after)) r.cache.clear();
}

/** Tree timer (§5.3.1): a root bumps its sequence and announces; always re-armed for 30 min. */
export function maintainTree(r: RouterCore): void {
  const tree = r.tree;
  if (tree.parent === null) {
    tree.sequence += 1;
    announceToAll(r);
  }
  r.fx.setTimer(TIMER_TREE, r.now + r.options.announcementInterval);
}

/** §5.5: only when we have a parent: drop it and run the root refresh now. */
export function becomeRoot(r: RouterCore): void {
  if (r.tree.parent === null) return;
  setParent(r, null);
  maintainTree(r);
}

/** §5.6; true when a different parent was chosen (the caller then bootstraps soon). */
export function selectNewParent(r: RouterCore): boolean {
  const tree = r.tree;
  const cur = tree.rootAnnouncement();
  const choose = r.variant?.parent ?? null;
  const port =
    choose === null
      ? selectParent(
          r.peers.links,
          r.now,
          r.identity.publicKey,
          cur.rootKey,
          cur.rootSeq,
          r.options.announcementTimeout,
          tree.scratch,
        )
      : choose({
          links: r.peers.links,
          now: r.now,
          ourKey: r.identity.publicKey,
          currentRootKey: cur.rootKey,
          currentRootSeq: cur.rootSeq,
          announcementTimeout: r.options.announcementTimeout,
        });
  if (port !== NO_PORT) {
    const link = r.peers.get(port) as Link;
    if (link !== tree.parent) {
      setParent(r, link);
      announceToAll(r);
      return true;
    }
    return false;
  }
  becomeRoot(r);
  return false;
}

/** Hold-down expiry (§5.4): never cancelled, also after a full reset (§4.5). */
export function holdDownExpired(r: RouterCore): void {
  r.tree.waiting = false;
  if (selectNewParent(r)) r.snake.bootstrapSoon(r.now);
}

/**
 * §5.4 in order: verify, sanity, replay, snapshot `last`, store, hold-down gate, action.
 * Returns false when the link was dropped.
 */
export function handleAnnouncement(r: RouterCore, link: Link, ann: RootAnnouncement): boolean {
  if (r.signer !== null && !verifyAnnouncement(ann, r.signer)) {
    r.closeLink(link, 'bad-signature');
    return false;
  }
  const insane = checkAnnouncementSanity(ann, link.remoteKey);
  if (insane !== null) {
    r.closeLink(link, insane.reason);
    return false;
  }
  const prev = link.stored;
  if (
    prev !== null &&
    keysEqual(prev.announcement.rootKey, ann.rootKey) &&
    ann.rootSeq < prev.announcement.rootSeq
  ) {
    r.closeLink(link, 'announcement-replay');
    return false;
  }
  const tree = r.tree;
  const last = tree.rootAnnouncement();
  const rootDelta = compareKeys(ann.rootKey, last.rootKey);
  const first = !link.announced;
  link.announced = true;
  tree.ordering += 1;
  link.stored = storeAnnouncement(ann, r.now, tree.ordering);

  if (first && r.options.headWakeupBroadcasts && !otherLinkToKeyAnnounced(r, link)) {
    // [HEAD] §4.2: first announcement on a link to a key we had no announcement from.
    sendWakeupOn(r, link);
  }
  if (tree.waiting) return true;

  const fromParent = link === tree.parent;
  const loop = announcementHasSigner(ann, r.identity.publicKey);
  const decide = r.variant?.announcementAction ?? null;
  const action =
    decide === null
      ? determineAnnouncementAction(fromParent, loop, rootDelta, ann.rootSeq, last.rootSeq)
      : decide({ fromParent, loop, rootDelta, newSeq: ann.rootSeq, lastSeq: last.rootSeq });
  switch (action) {
    case AnnouncementAction.Nothing:
      break;
    case AnnouncementAction.AcceptUpdate:
      announceToAll(r);
      break;
    case AnnouncementAction.AcceptNewParent:
      // No bootstrap is scheduled here (§5.4).
      setParent(r, link);
      announceToAll(r);
      break;
    case AnnouncementAction.SelectNewParent:
      if (selectNewParent(r)) r.snake.bootstrapSoon(r.now);
      break;
    case AnnouncementAction.SelectNewParentWithWait:
      tree.waiting = true;
      becomeRoot(r);
      r.armHoldDown(r.now + r.options.holdDown);
      break;
    case AnnouncementAction.InformPeerOfStrongerRoot:
      // [HEAD] #72: skipped for the first announcement ever received on the link.
      if (!(first && r.options.headSkipFirstInform)) sendAnnouncement(r, link, last);
      break;
  }
  return true;
}

function otherLinkToKeyAnnounced(r: RouterCore, link: Link): boolean {
  const links = r.peers.links;
  for (let i = 0; i < links.length; i++) {
    const l = links[i] as Link;
    if (l !== link && l.stored !== null && keysEqual(l.remoteKey, link.remoteKey)) return true;
  }
  return false;
}
