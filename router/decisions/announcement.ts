/**
 * router/decisions/announcement.ts — what to do with a received root announcement
 * (PROTOCOL.md §5.4 step 7) [router/state_tree.go: determineAnnouncementAction].
 */

export const AnnouncementAction = {
  Nothing: 0,
  AcceptUpdate: 1,
  AcceptNewParent: 2,
  SelectNewParent: 3,
  SelectNewParentWithWait: 4,
  InformPeerOfStrongerRoot: 5,
} as const;
export type AnnouncementAction = (typeof AnnouncementAction)[keyof typeof AnnouncementAction];

/**
 * @param fromParent the announcement arrived on our parent link
 * @param loop our key is among its signers
 * @param rootDelta sign of compare(new.rootKey, last.rootKey), `last` = our root announcement
 *   snapshotted before the new one was stored (§5.4 step 4)
 * @param newSeq / lastSeq root sequences of the new and `last` announcements
 */
export function determineAnnouncementAction(
  fromParent: boolean,
  loop: boolean,
  rootDelta: number,
  newSeq: number,
  lastSeq: number,
): AnnouncementAction {
  if (fromParent) {
    // Bad news from the parent: it looped, weakened, or re-signed the same root (§5.4).
    if (loop) return AnnouncementAction.SelectNewParentWithWait;
    if (rootDelta < 0) return AnnouncementAction.SelectNewParentWithWait;
    if (rootDelta === 0 && newSeq === lastSeq) return AnnouncementAction.SelectNewParentWithWait;
    if (rootDelta > 0) return AnnouncementAction.AcceptUpdate;
    if (rootDelta === 0 && newSeq > lastSeq) return AnnouncementAction.AcceptUpdate;
    // rootDelta = 0 and newSeq < lastSeq: unreachable after the replay check (§5.4 step 3).
    return AnnouncementAction.Nothing;
  }
  // A child telling us its coordinates: its announcement contains us (§5.4 table, "no / loop").
  if (loop) return AnnouncementAction.Nothing;
  if (rootDelta > 0) return AnnouncementAction.AcceptNewParent;
  if (rootDelta < 0) return AnnouncementAction.InformPeerOfStrongerRoot;
  return AnnouncementAction.SelectNewParent;
}
