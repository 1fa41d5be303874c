/**
 * router/peers.ts — the per-link state (PROTOCOL.md §4).
 *
 * All per-peer state is per link, not per key (§1). Links live in a port-indexed array plus a
 * list of up links kept in ascending port order ([DET] §5.8, §6.6: iterate links by port).
 */

import { withSlot } from '../base/index.ts';
import type { LinkInfo, StoredAnnouncement } from './decisions/links.ts';
import { SnekSearch } from './decisions/snek-next-hop.ts';
import { keyTag } from './keys.ts';
import type { RouterOptions } from './options.ts';
import { FairFifo, FrameFifo, fairFifoOffset } from './queues.ts';
import {
  type Frame,
  LinkType,
  type Micros,
  type Port,
  type PublicKey,
  type RootAnnouncement,
} from './types.ts';

export class Link implements LinkInfo {
  // Field order is layout (V8 lays fields out in this order): first what a frame's arrival, the
  // next-hop search's look at each link, and a send read, so that a link not touched for a while
  // costs one or two cache misses, not one per field.
  readonly port: Port;
  up = true;
  private storedValue: StoredAnnouncement | null = null;
  /** keys.ts keyTag(remoteKey) (LinkInfo.remoteTag). */
  readonly remoteTag: number;
  /** The host is serialising a frame; wait for portReady (§7.3 writer). */
  busy = false;
  /** Last time any frame arrived (5 s read deadline, §4.3). */
  lastReceived: Micros;
  /** Last time the writer handed a frame over or became idle (keepalive idle clock, §4.3). */
  lastSent: Micros;
  /** The host's name for this connection (RouterLike.connect), −1 when it gave none; read by a send. */
  channel = -1;
  /**
   * The protocol FIFO and the traffic fair FIFO (§7.3), made when a frame first has to wait (see
   * protocolFifo, trafficFifo): most links never queue, and the two objects were ~110 B of every
   * idle router's heap per link.
   */
  protocolQueue: FrameFifo<Frame> | null = null;
  readonly remoteKey: PublicKey;
  /** No keepalive check before this: the last one found the writer busy (§4.3, port-deadlines.ts keepaliveDue). */
  keepaliveFloor: Micros = 0;
  readonly linkType: LinkType;
  private readonly table: PeerTable;
  /** An announcement was ever received on this link ([HEAD] #72 skip-first-inform). */
  announced = false;
  trafficQueue: FairFifo | null = null;
  /** The traffic FIFO's random offset, drawn when the link is made (as the reference does). */
  private readonly trafficOffset: number;
  /**
   * Our root announcement `sentFor` signed for this port (§5.3 forPeer), reused while our root
   * announcement is unchanged: signing again would give the peer a new object to store, and its
   * SNEK search indexes follow stored-announcement objects. The frame is made per send (a frame
   * kept per link was ~56 B of idle heap each; announcements are sent rarely).
   */
  sentFor: RootAnnouncement | null = null;
  sentSigned: RootAnnouncement | null = null;

  constructor(
    port: Port,
    remoteKey: PublicKey,
    linkType: LinkType,
    now: Micros,
    trafficOffset: number,
    table: PeerTable,
  ) {
    this.table = table;
    this.port = port;
    this.remoteKey = remoteKey;
    this.remoteTag = keyTag(remoteKey);
    this.linkType = linkType;
    this.lastSent = now;
    this.lastReceived = now;
    this.trafficOffset = trafficOffset;
  }

  /** The protocol FIFO, made on first use. */
  protocolFifo(): FrameFifo<Frame> {
    if (this.protocolQueue === null) this.protocolQueue = new FrameFifo<Frame>();
    return this.protocolQueue;
  }

  /** The traffic fair FIFO, made on first use (§7.3: buckets by link type). */
  trafficFifo(options: RouterOptions): FairFifo {
    if (this.trafficQueue === null) {
      const buckets =
        this.linkType === LinkType.Bluetooth
          ? options.bluetoothTrafficBuckets
          : options.trafficBuckets;
      this.trafficQueue = new FairFifo(buckets, options.bucketSize, this.trafficOffset);
    }
    return this.trafficQueue;
  }

  /** The peer's last announcement on this link (§5.1); assigning it bumps PeerTable.version. */
  get stored(): StoredAnnouncement | null {
    return this.storedValue;
  }

  set stored(value: StoredAnnouncement | null) {
    if (value !== this.storedValue) this.table.changed();
    this.storedValue = value;
  }
}

/** Peers from which PeerTable keeps its peerViews list (see there). */
const KEPT_VIEWS = 32;

export class PeerTable {
  /**
   * Up links, ascending port order. Replaced, never changed in place, by an array of exactly the
   * links (add, remove): growing in place leaves V8's slack of 16-odd slots in every router.
   */
  links: readonly Link[] = [];
  /**
   * Index = port; undefined when the slot is free. Grown on demand up to the highest port in use,
   * to exactly that length (base/index.ts withSlot): a full 254-slot array per router was 2 KB of
   * idle heap (17 KB with --max-ports 2100), though most routers use two or three ports.
   */
  byPort: (Link | undefined)[] = [undefined];
  readonly maxPorts: number;
  /**
   * Bumped by every change this table makes or sees: a link added or removed (marked down), a
   * link's stored announcement replaced. The SNEK search's indexes of `links` (snekIndex,
   * SnekInputs.linksVersion) are current exactly while it holds, so this is their invalidation.
   */
  version = 0;
  /**
   * Told of every change that bumps `version` (the tree state, whose root announcement cache
   * depends on the parent's stored announcement), so that it need not read `version` to know.
   */
  watcher: { linksChanged(): void } | null = null;
  /** This router's SNEK search: its indexes of `links` and running state (SnekInputs.indexSlot). */
  readonly snekIndex = new SnekSearch();
  /** RouterView.peers, built on demand and kept until the next add/remove (frozen, shared). */
  private views: readonly { readonly port: Port; readonly key: PublicKey }[] | null = null;

  constructor(maxPorts: number) {
    this.maxPorts = maxPorts;
  }

  get count(): number {
    return this.links.length;
  }

  /** Lowest free port ≥ 1, or null when all `maxPorts` slots are taken (§4.1). */
  freePort(): Port | null {
    const byPort = this.byPort;
    for (let p = 1; p < byPort.length; p++) if (byPort[p] === undefined) return p;
    return byPort.length <= this.maxPorts ? byPort.length : null;
  }

  add(
    port: Port,
    remoteKey: PublicKey,
    linkType: LinkType,
    now: Micros,
    options: RouterOptions,
    random: () => number,
  ): Link {
    const buckets =
      linkType === LinkType.Bluetooth ? options.bluetoothTrafficBuckets : options.trafficBuckets;
    const link = new Link(port, remoteKey, linkType, now, fairFifoOffset(buckets, random), this);
    this.byPort = withSlot(this.byPort, port, link);
    let i = this.links.length;
    while (i > 0 && (this.links[i - 1] as Link).port > port) i--;
    this.links = this.links.toSpliced(i, 0, link);
    this.views = null;
    this.changed();
    return link;
  }

  /** Mark down and free the slot (§4.5 steps 1 and 4); returns the link or undefined. */
  remove(port: Port): Link | undefined {
    const link = this.byPort[port];
    if (link === undefined) return undefined;
    link.up = false;
    this.byPort[port] = undefined;
    const i = this.links.indexOf(link);
    if (i >= 0) this.links = this.links.toSpliced(i, 1);
    this.views = null;
    this.changed();
    return link;
  }

  /** Bump `version` and tell the watcher (see both). */
  changed(): void {
    this.version++;
    this.watcher?.linksChanged();
  }

  /**
   * Up peers in ascending port order as RouterView reports them. A hub's list (thousands of
   * entries) is kept until the links change, for the snapshots metrics take of every node; a
   * short one is made at each call, as keeping it was ~240 B of every idle router's heap.
   */
  peerViews(): readonly { readonly port: Port; readonly key: PublicKey }[] {
    if (this.views !== null) return this.views;
    const views = Object.freeze(
      this.links.map((l) => Object.freeze({ port: l.port, key: l.remoteKey })),
    );
    if (views.length >= KEPT_VIEWS) this.views = views;
    return views;
  }

  get(port: Port): Link | undefined {
    return port >= 0 && port < this.byPort.length ? this.byPort[port] : undefined;
  }
}
