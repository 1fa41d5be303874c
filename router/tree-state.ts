/**
 * router/tree-state.ts — the spanning tree's per-router state and stored announcements
 * (PROTOCOL.md §5.1, §5.2) [router/state.go]. The handlers are in router/tree.ts; this module needs
 * no RouterCore, so the core interface (router/core.ts) can name it without an import cycle.
 */
import type { StoredAnnouncement } from './decisions/links.ts';
import { NO_PORT } from './decisions/links.ts';
import type { ParentBest } from './decisions/parent.ts';
import type { TreeHopInfo } from './decisions/tree-next-hop.ts';
import type { Link } from './peers.ts';
import type { Coordinates, Micros, PublicKey, RootAnnouncement } from './types.ts';
import { announcementCoords, announcementPeerCoords } from './wire/announcement.ts';

const NO_COORDS: Coordinates = Object.freeze([]) as Coordinates;
/** The hops of a root's own announcement (§5.2): none, one frozen array for every router. */
const NO_HOPS: RootAnnouncement['hops'] = Object.freeze([]);

/**
 * Parent selection's running best (decisions/parent.ts ParentBest), one per router. A class, not
 * an object literal: the literal {key, seq: 0, order: 0, port} had its fields widened later (a
 * timestamp-sized seq, order = Infinity), and 9 in 10 routers' copies of it ended in dictionary
 * mode, ~450 B of idle heap each (scripts/bench-heap.ts, geo:10000). `order` starts as the double
 * selection writes first.
 */
class ParentScratch implements ParentBest {
  key: PublicKey;
  seq = 0;
  order = Number.POSITIVE_INFINITY;
  port: number = NO_PORT;

  constructor(key: PublicKey) {
    this.key = key;
  }
}

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
  /** The tree next-hop search's distances (nextHopTree's `info`), made for recordReasons only. */
  hopInfo: TreeHopInfo | null = null;
  /**
   * The last deferred signature made for our root announcement (wire/announcement.ts
   * signAnnouncement): "announce to all" signs the same announcement once per port, and the
   * signed message excludes the port (§3.7), so one signature serves every port.
   */
  signCell: unknown = null;
  /**
   * rootAnnouncement's answer while the parent is `rootOf` and no link has changed since (the peer
   * table tells linksChanged of every change, a stored announcement replaced among them): it is
   * read once or twice per bootstrap hop, and reaching it through the parent link and its stored
   * record was two cache misses each time, reading the table's version one more.
   */
  private root: RootAnnouncement | null = null;
  private rootOf: Link | null = null;

  constructor(ourKey: PublicKey, links: { watcher: { linksChanged(): void } | null }) {
    this.ourKey = ourKey;
    links.watcher = this;
    this.selfAnnouncement = Object.freeze({ rootKey: ourKey, rootSeq: 0, hops: NO_HOPS });
    this.scratch = new ParentScratch(ourKey);
  }

  /** §5.2: the parent's stored announcement as received, else a fresh (our key, sequence). */
  rootAnnouncement(): RootAnnouncement {
    const p = this.parent;
    if (p !== null) {
      if (p === this.rootOf) return this.root as RootAnnouncement;
      const stored = p.stored;
      if (stored !== null) {
        this.root = stored.announcement;
        this.rootOf = p;
        return stored.announcement;
      }
    }
    if (this.selfAnnouncement.rootSeq !== this.sequence) {
      this.selfAnnouncement = Object.freeze({
        rootKey: this.ourKey,
        rootSeq: this.sequence,
        hops: NO_HOPS,
      });
    }
    return this.selfAnnouncement;
  }

  /** A link was added or removed, or a stored announcement replaced (PeerTable.watcher). */
  linksChanged(): void {
    this.rootOf = null;
  }

  /** Our coordinates: the hop ports of our root announcement; a root has [] (§5.2). */
  coords(): Coordinates {
    const p = this.parent;
    return p !== null && p.stored !== null ? p.stored.coords : NO_COORDS;
  }
}

/**
 * A link's stored announcement (§5.1). The two coordinate arrays are derived on first use and then
 * kept: `coords` is read only for the parent link (our coordinates) and `peerCoords`
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
