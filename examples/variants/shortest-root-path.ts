/**
 * examples/variants/shortest-root-path.ts — parent choice that prefers the fewest hops to the root.
 *
 * The reference (PROTOCOL.md §5.6) takes, among announcements of the strongest root and the
 * highest sequence, the one received first (lowest receive order): the first copy of a root
 * update to arrive, i.e. roughly the lowest-latency path at that instant, whatever its length.
 * This variant keeps the same candidates (age, loop and root tests of §5.6 step 2, by calling
 * the default first) but, among those with the winning root key and sequence, takes the shortest
 * announcement (fewest signers = fewest hops to the root, §3.7), then the earliest received.
 * Does a shorter tree beat a faster one on stretch and convergence?
 */
import { compareKeys } from '../../router/keys.ts';
import { defineVariant, NO_PORT, type StoredAnnouncement } from '../../router/variant.ts';

export default defineVariant({
  name: 'shortest-root-path',
  description: 'parent: fewest hops to the root among equal roots (§5.6), then earliest received',
  parent(input, base) {
    const chosen = base(input);
    if (chosen === NO_PORT) return NO_PORT;
    const winner = input.links.find((l) => l.port === chosen)?.stored as StoredAnnouncement;
    const root = winner.announcement;
    let best = chosen;
    let bestHops = root.hops.length;
    let bestOrder = winner.receiveOrder;
    for (const link of input.links) {
      const s = link.stored;
      if (!link.up || s === null || link.port === chosen) continue;
      const a = s.announcement;
      if (compareKeys(a.rootKey, root.rootKey) !== 0 || a.rootSeq !== root.rootSeq) continue;
      if (input.now - s.receiveTime >= input.announcementTimeout) continue;
      // Loop check of §5.6 step 2: an announcement we signed is never a parent.
      if (a.hops.some((h) => compareKeys(h.signer, input.ourKey) === 0)) continue;
      const hops = a.hops.length;
      if (hops < bestHops || (hops === bestHops && s.receiveOrder < bestOrder)) {
        best = link.port;
        bestHops = hops;
        bestOrder = s.receiveOrder;
      }
    }
    return best;
  },
});
