/**
 * router/tree.ts — spanning-tree handlers (PROTOCOL.md §5) [router/state_tree.go, router/state.go].
 * The state they change is router/tree-state.ts.
 */
import { sendWakeupOn } from './broadcast.ts';
import type { RouterCore } from './core.ts';
import { AnnouncementAction, determineAnnouncementAction } from './decisions/announcement.ts';
import { announcementHasSigner, NO_PORT } from './decisions/links.ts';
import { selectParent } from './decisions/parent.ts';
import { compareKeys, keysEqual } from './keys.ts';
import type { Link } from './peers.ts';
import { storeAnnouncement } from './tree-state.ts';
import { FrameType, type RootAnnouncement, type TreeAnnouncementFrame } from './types.ts';
import {
  checkAnnouncementSanity,
  signAnnouncement,
  verifyAnnouncement,
} from './wire/announcement.ts';

/** Timer id of the tree maintenance / root refresh timer (§5.3.1). */
export const TIMER_TREE = 0;

export function sendAnnouncement(r: RouterCore, link: Link, ann: RootAnnouncement): void {
  let signed = link.sentSigned;
  if (link.sentFor !== ann || signed === null) {
    signed = signAnnouncement(ann, link.port, r.identity, r.signer, r.tree);
    link.sentFor = ann;
    link.sentSigned = signed;
  }
  const frame: TreeAnnouncementFrame = {
    type: FrameType.TreeAnnouncement,
    extra: 0,
    hopLimit: 0,
    announcement: signed,
  };
  r.sendProtocol(link, frame);
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
  r.fx.viewChanged?.();
  const after = r.tree.rootAnnouncement().rootKey;
  if (!keysEqual(before, after)) r.cache.clear();
}

/** Tree timer (§5.3.1): a root bumps its sequence and announces; always re-armed for 30 min. */
export function maintainTree(r: RouterCore): void {
  const tree = r.tree;
  if (tree.parent === null) {
    tree.sequence += 1;
    r.fx.viewChanged?.();
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
  if (link === tree.parent) r.fx.viewChanged?.(); // our root, sequence or coordinates

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
