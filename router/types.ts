/**
 * router/types.ts — the contract between the Pinecone router, its wire codec and its host.
 *
 * The router is a pure state machine (DEVELOPERS.md): every input arrives as a method call with the
 * current virtual time, every output leaves through the `Effects` sink the host passes in. Frames
 * travel between routers as immutable decoded objects (the codec in router/wire/ turns them into the
 * exact bytes of PROTOCOL.md §3 when a run asks for `--wire-encode`, and for byte counts).
 */

/** Virtual time in integer microseconds. The only clock the router ever sees (base/index.ts). */
export type { Micros } from '../base/index.ts';

import type { Micros } from '../base/index.ts';

export const MICROS_PER_MS = 1_000;
export const MICROS_PER_SECOND = 1_000_000;

/** A 32-byte ed25519 public key. Compared as a big-endian 256-bit integer (PROTOCOL.md §2). */
export type PublicKey = Uint8Array;

/** Port numbers: 0 is the local router (application), 1..253 are peerings (PROTOCOL.md §4.1). */
export type Port = number;
export const LOCAL_PORT: Port = 0;

/** Link types, lower is preferred as a tie-breaker between parallel links (PROTOCOL.md §4.1). */
export const LinkType = { Pipe: 0, Multicast: 1, Bonjour: 2, Remote: 3, Bluetooth: 4 } as const;
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

/** Frame type ids at d0beb18, plus the [HEAD] wakeup broadcast (PROTOCOL.md §3.3). */
export const FrameType = {
  Keepalive: 0,
  TreeAnnouncement: 1,
  Bootstrap: 2,
  Traffic: 3,
  WakeupBroadcast: 4,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Tree coordinates: the hop ports from the root down to a node; the root has []. */
export type Coordinates = readonly number[];

/** (key, sequence) loop-protection mark carried by SNEK frames (PROTOCOL.md §2, §6.7). */
export interface Watermark {
  readonly key: PublicKey;
  /** Bootstrap sequence (Unix ms in the reference, virtual ms here) or 0. */
  readonly seq: number;
}

/** One signed hop of a root announcement (PROTOCOL.md §3.7). */
export interface SignatureHop {
  /** Port on the signing node of the link towards the next node. */
  readonly port: number;
  readonly signer: PublicKey;
  readonly signature: Uint8Array;
}

/** A root announcement as carried by a TreeAnnouncement frame (PROTOCOL.md §3.7). */
export interface RootAnnouncement {
  readonly rootKey: PublicKey;
  readonly rootSeq: number;
  readonly hops: readonly SignatureHop[];
}

/**
 * Header bytes 6..7 ("extra"): opaque at d0beb18 and passed through unchanged by forwarders;
 * at [HEAD] byte 7 is the hop limit (PROTOCOL.md §3.2, §7.6). Stored as the two raw bytes.
 */
export interface FrameHeaderExtra {
  readonly extra: number; // byte 6
  readonly hopLimit: number; // byte 7
}

export interface KeepaliveFrame extends FrameHeaderExtra {
  readonly type: typeof FrameType.Keepalive;
}

export interface TreeAnnouncementFrame extends FrameHeaderExtra {
  readonly type: typeof FrameType.TreeAnnouncement;
  readonly announcement: RootAnnouncement;
}

/**
 * Bootstrap (PROTOCOL.md §3.6, §3.8). `payload` is kept as the raw PLEN bytes:
 * varu64 sequence | root key (32) | varu64 root sequence | signature (64). The signature covers all
 * but the last 64 bytes, so verification needs no re-encoding; use wire/bootstrap helpers to read it.
 * A payload a router built may have its signature still to make (made on first read: in object
 * mode nobody reads it, and signing every bootstrap was ~10% of a large run): its last 64 bytes are
 * final only after wire/bootstrap.ts settleBootstrapPayload, which the encoder and the verifier
 * call; read raw payload bytes through them, never directly.
 */
export interface BootstrapFrame extends FrameHeaderExtra {
  readonly type: typeof FrameType.Bootstrap;
  /** The bootstrapping node's own key. */
  readonly destinationKey: PublicKey;
  readonly watermark: Watermark;
  readonly payload: Uint8Array;
}

/** Traffic (PROTOCOL.md §3.6): watermark on the wire only when destination coords are empty. */
export interface TrafficFrame extends FrameHeaderExtra {
  readonly type: typeof FrameType.Traffic;
  readonly destinationCoords: Coordinates;
  readonly sourceCoords: Coordinates;
  readonly destinationKey: PublicKey;
  readonly sourceKey: PublicKey;
  /** (FullMask, 0) whenever destinationCoords is non-empty. */
  readonly watermark: Watermark;
  readonly payload: Uint8Array;
  /**
   * Simulator-only, never on the wire: models the pre-hybrid tree-routed frame (type 2 between #43
   * and #67, PROTOCOL.md §1.3, §3.3): at a tree dead end it is dropped instead of falling back to
   * SNEK. Used by the "tree" stretch mode.
   */
  readonly treeOnly?: boolean;
}

/**
 * [HEAD] wakeup broadcast (PROTOCOL.md §3.6, §7.7); payload kept raw like bootstraps, and like
 * theirs settled before its bytes are read (BootstrapFrame).
 */
export interface WakeupBroadcastFrame extends FrameHeaderExtra {
  readonly type: typeof FrameType.WakeupBroadcast;
  readonly sourceKey: PublicKey;
  readonly payload: Uint8Array;
}

export type Frame =
  | KeepaliveFrame
  | TreeAnnouncementFrame
  | BootstrapFrame
  | TrafficFrame
  | WakeupBroadcastFrame;

/** Forced routing for a measurement frame (see RouterLike.sendTraffic). */
export interface TrafficRoute {
  readonly coords: Coordinates;
  readonly treeOnly: boolean;
}

/** Why a router dropped a link (PROTOCOL.md §4.4). */
export type LinkDropReason =
  | 'keepalive-timeout'
  | 'bad-magic'
  | 'bad-length'
  | 'decode-error'
  | 'bad-signature'
  | 'announcement-sanity'
  | 'announcement-replay'
  | 'encode-error'
  | 'disconnect';

/** Why a router dropped a traffic frame (delivery metrics count drops by reason). */
export type TrafficDropReason =
  | 'no-route' // no next hop / best is the local port at the origin
  | 'arrival-link' // next hop would be the link it came from
  | 'watermark' // chosen watermark worse than the frame's
  | 'queue' // fair-queue head drop
  | 'link-down' // queued on a link that went down
  | 'hop-limit' // [HEAD] hop limit exhausted
  | 'filter' // adversary / scenario filter
  | 'blackhole'; // would reach the application, but the router runs without a local queue (§7.3)

/**
 * Everything a router does to the outside world. The host implements it; tests implement a
 * recording one. A sink instead of returned arrays: no allocation per event.
 */
export interface Effects {
  /**
   * Put a frame on the wire of `port`. Returns true when the link can take another frame at once
   * (e.g. unlimited bandwidth); false when it is now busy serialising, in which case the host
   * calls `Router.portReady(port)` when it may transmit again. The router owns the queues.
   * `channel` is the number the host gave the link's connect (RouterLike.connect), −1 when none:
   * the host may find its end of the link by it rather than by port.
   */
  transmit(port: Port, frame: Frame, channel?: number): boolean;
  /** Arm (or re-arm, replacing the pending expiry) the router timer `timer` to fire at `at`. */
  setTimer(timer: number, at: Micros): void;
  /** The router has closed this link (it already cleaned its own state for the port). */
  closeLink(port: Port, reason: LinkDropReason): void;
  /** A traffic frame reached this node's application (maybe not addressed to it: §6.9, §7.1). */
  deliver(frame: TrafficFrame): void;
  /** A traffic frame was dropped here (originated or in transit). */
  dropTraffic(frame: TrafficFrame, reason: TrafficDropReason): void;
  /**
   * Optional hop explanation for the viewer's path explorer (router option `recordReasons`):
   * the router forwarded `frame` to `port` because of `reason` (a human sentence).
   */
  explain?(frame: TrafficFrame | BootstrapFrame, port: Port, reason: string): void;
  /**
   * Optional simulator hook (adversaries), PROTOCOL.md §7.1 step 2: return true to drop `frame`.
   * The router calls it with 'in' for every frame received on a peer port after the frame has
   * counted as received (read deadline, §4.3) and after traffic addressed to us was delivered
   * (step 1), before any per-type handling. 'out' is the host's: it sees every frame put on a wire
   * (which covers pineconesim's per-neighbour egress filter of flooded broadcasts).
   */
  filter?(port: Port, frame: Frame, direction: 'in' | 'out'): boolean;
  /**
   * Optional metrics hook: a bootstrap installed a table entry for a key the table lacked
   * (PROTOCOL.md §6.5 step 6; router/snake.ts SnakeState.installs counts the same per node).
   */
  tableInstall?(): void;
  /**
   * Optional observer hook: the node's convergence view (root key and sequence, parent, the
   * coordinates, the descending key; Router.convergenceView) may have changed. Called at every
   * change, sometimes without one, never missed: sim/convergence.ts re-reads only the nodes it
   * names.
   */
  viewChanged?(): void;
}

/** The node identity: a 32-byte ed25519 seed and its public key. */
export interface Identity {
  readonly seed: Uint8Array;
  readonly publicKey: PublicKey;
}

/** Read-only view of a router's state, for metrics and the viewer (never for routing). */
export interface RouterView {
  readonly key: PublicKey;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;
  /** null when this node is a root. */
  readonly parentPort: Port | null;
  readonly parentKey: PublicKey | null;
  readonly coords: Coordinates;
  /** Key of the descending table entry, or null. */
  readonly descendingKey: PublicKey | null;
  readonly tableSize: number;
  /** Table entries installed for a key the table lacked, since start (router/snake.ts installs). */
  readonly tableInstalls: number;
  readonly coordsCacheSize: number;
  /** Up peer links, ascending port order. */
  readonly peers: readonly { readonly port: Port; readonly key: PublicKey }[];
}

/**
 * The router's face towards the host. All methods take the virtual time and the effects sink.
 * Implemented by router/router.ts.
 */
export interface RouterLike {
  readonly publicKey: PublicKey;
  /**
   * True when the router calls Effects.viewChanged at every change of its convergence view (the
   * real router does); observers may then re-read only the nodes it names.
   */
  readonly reportsViewChanges?: boolean;
  /** Start timers (tree maintenance and snake maintenance at delay 0, PROTOCOL.md §5.3.1, §6.3). */
  start(now: Micros, fx: Effects): void;
  /**
   * A new peering with a known remote key (the handshake is skipped, §3.1). Returns the allocated
   * port (lowest free ≥ 1), or null when the node has no free port (the link is refused, §4.1).
   * The router sends its announcement on it at once (§4.2). `channel` (≥ 0) is the host's own
   * name for the connection, opaque to the router, which hands it back with every transmit on
   * the link (a socket's handle, as it were): the simulator's host finds the link by it in one
   * read instead of through the node's ports.
   */
  connect(
    now: Micros,
    remoteKey: PublicKey,
    linkType: LinkType,
    fx: Effects,
    channel?: number,
  ): Port | null;
  /** The peering on `port` is gone (remote close, link failure, scenario action). */
  disconnect(now: Micros, port: Port, fx: Effects): void;
  /**
   * A frame arrived on `port`. `handle`, when given, is what linkHandle(port) returned for this
   * link: the router may take the link from it rather than look the port up.
   */
  receive(now: Micros, port: Port, frame: Frame, fx: Effects, handle?: object): void;
  /**
   * The link on `port` as an opaque handle (undefined when none), for the host to give back with
   * each frame received on it (receive): a host that keeps it skips the router's port lookup.
   */
  linkHandle?(port: Port): object | undefined;
  /** The raw bytes of a frame arrived on `port` (used in `--wire-encode` runs): decode or drop link. */
  receiveBytes(now: Micros, port: Port, bytes: Uint8Array, fx: Effects): void;
  /** The link on `port` finished serialising and can transmit again (`handle`: as receive's). */
  portReady(now: Micros, port: Port, fx: Effects, handle?: object): void;
  /** A timer armed with Effects.setTimer fired. */
  timer(now: Micros, timer: number, fx: Effects): void;
  /**
   * The application sends `payload` to `destinationKey` (PROTOCOL.md §7.2). Without `route` the
   * destination coordinates come from the coordinates cache (hybrid routing). With `route` the
   * caller forces them (measurement modes): coords [] = SNEK only; coords + treeOnly = pure tree.
   */
  sendTraffic(
    now: Micros,
    destinationKey: PublicKey,
    payload: Uint8Array,
    fx: Effects,
    route?: TrafficRoute,
  ): void;
  snapshot(): RouterView;
}
