/**
 * router/router.ts — the Pinecone router (RouterLike). Dispatch only: state lives in PeerTable
 * (peers.ts), TreeState (tree-state.ts), SnakeState (snake-state.ts), CoordsCache and the per-link
 * queues; decisions are the pure functions of router/decisions/. The handler modules see the router
 * as a RouterCore (core.ts).
 *
 * Timer ids (Effects.setTimer): 0 tree, 1 snake, 2 coords-cache sweep, 3 [HEAD] wakeup,
 * 1024 + port keepalive (idle writer), 2048 + port read deadline, and from 4096 a rolling counter
 * space for hold-down instances, because a second hold-down must not cancel the first (§5.4).
 */
import { BroadcastState, handleWakeup, TIMER_WAKEUP, wakeupTick } from './broadcast.ts';
import { CoordsCache } from './coords-cache.ts';
import type { RouterCore } from './core.ts';
import type { Ed25519 } from './crypto.ts';
import { forwardTraffic, originateTraffic, pump, sendProtocol } from './forward.ts';
import { keysEqual, toHex } from './keys.ts';
import { type RouterOptions, resolveRouterOptions } from './options.ts';
import { type Link, PeerTable } from './peers.ts';
import { keepaliveDue, PortDeadlines, portDue } from './port-deadlines.ts';
import { handleBootstrap, maintainSnake, resetSnake, setDescending, TIMER_SNAKE } from './snake.ts';
import { SnakeState } from './snake-state.ts';
import {
  handleAnnouncement,
  holdDownExpired,
  maintainTree,
  selectNewParent,
  sendAnnouncement,
  TIMER_TREE,
} from './tree.ts';
import { TreeState } from './tree-state.ts';
import type {
  Coordinates,
  Effects,
  Frame,
  Identity,
  LinkDropReason,
  LinkType,
  Micros,
  Port,
  PublicKey,
  RootAnnouncement,
  RouterLike,
  RouterView,
  TrafficRoute,
} from './types.ts';
import { FrameType } from './types.ts';
import type { RouterVariant } from './variant.ts';
import { isCodecError } from './wire/errors.ts';
import { decodeFrame, frameLength, keepaliveFrame } from './wire/frame.ts';

export const TIMER_COORDS = 2;
/**
 * Keepalives and read deadlines of every link (§4.3), one timer per node. With a timer
 * per port and direction, 29% of all events on ba:5000 were re-checks that found the link busy
 * with bootstraps; now the node's timer is armed at its earliest due link and re-armed
 * lazily (sends and receives only move dues later), which is the [DET] model of §4.3: a keepalive
 * when the writer has been idle for 3 s, a drop when nothing has arrived for 5 s.
 */
export const TIMER_PORTS = 4;
export const TIMER_HOLD_BASE = 4096;
const HOLD_SPACE = 1 << 30;

/** What Router.convergenceView fills in (a subset of RouterView; see sim/convergence.ts). */
export interface ConvergenceView {
  rootKey: PublicKey;
  rootSeq: number;
  parentPort: Port | null;
  descendingKey: PublicKey | null;
}

/** A table entry as seen by tests and metrics (debugTable). */
export interface DebugTableEntry {
  readonly key: PublicKey;
  readonly sourcePort: Port;
  readonly destinationPort: Port | null;
  readonly watermark: { readonly key: PublicKey; readonly seq: number };
  readonly lastSeen: Micros;
  readonly root: { readonly key: PublicKey; readonly seq: number };
}

export interface DebugAnnouncement {
  readonly port: Port;
  readonly remoteKey: PublicKey;
  readonly announcement: RootAnnouncement;
  readonly receiveTime: Micros;
  readonly receiveOrder: number;
  readonly peerCoords: Coordinates;
}

const NOOP_EFFECTS: Effects = {
  transmit: () => true,
  setTimer: () => {},
  closeLink: () => {},
  deliver: () => {},
  dropTraffic: () => {},
};

export class Router implements RouterLike, RouterCore {
  readonly publicKey: PublicKey;
  readonly identity: Identity;
  readonly options: RouterOptions;
  readonly variant: RouterVariant | null;
  readonly signer: Ed25519 | null;
  readonly memo: WeakMap<object, object> | undefined;
  readonly peers: PeerTable;
  readonly tree: TreeState;
  readonly snake: SnakeState;
  readonly cache = new CoordsCache();
  readonly broadcasts = new BroadcastState();
  now: Micros = 0;
  fx: Effects = NOOP_EFFECTS;
  private readonly random: () => number;
  private holdDownCounter = 0;
  /**
   * When TIMER_PORTS is armed for (§4.3; see checkPorts), −1 when not: an integer, not Infinity,
   * so that the field holds times as small integers, not boxed doubles (base/index.ts
   * asSmallInteger).
   */
  private portsArmedAt = -1;
  /** The links by when the port check must look at them next (router/port-deadlines.ts). */
  private readonly deadlines = new PortDeadlines<Link>();

  constructor(
    identity: Identity,
    options: RouterOptions | Partial<RouterOptions>,
    crypto: Ed25519,
    random: () => number,
    variant: RouterVariant | null = null,
  ) {
    this.identity = identity;
    this.variant = variant;
    this.publicKey = identity.publicKey;
    this.options = resolveRouterOptions(options as Readonly<Record<string, unknown>>);
    this.signer = this.options.signatures ? crypto : null;
    this.memo = crypto.memo;
    this.random = random;
    this.peers = new PeerTable(this.options.maxPorts);
    this.tree = new TreeState(identity.publicKey, this.peers);
    this.snake = new SnakeState(this.options.bootstrapInterval);
  }

  private enter(now: Micros, fx: Effects): void {
    this.now = now;
    this.fx = fx;
  }

  // ---- RouterCore -------------------------------------------------------------------------

  sendProtocol(link: Link, frame: Frame): void {
    sendProtocol(this, link, frame);
  }

  armHoldDown(at: Micros): void {
    const id = TIMER_HOLD_BASE + this.holdDownCounter;
    this.holdDownCounter = (this.holdDownCounter + 1) % HOLD_SPACE;
    this.fx.setTimer(id, at);
  }

  closeLink(link: Link, reason: LinkDropReason): void {
    if (!link.up) return;
    this.cleanupLink(link);
    this.fx.closeLink(link.port, reason);
  }

  /** §4.5: mark down, discard queues, full reset or partial cleanup, free the slot. */
  private cleanupLink(link: Link): void {
    const port = link.port;
    const wasParent = this.tree.parent === link;
    this.peers.remove(port);
    link.protocolQueue?.drain(() => {});
    link.trafficQueue?.drain((f) => this.fx.dropTraffic(f, 'link-down'));
    link.busy = false;
    if (this.peers.count === 0) {
      this.fullReset(link);
      return;
    }
    link.stored = null;
    if (wasParent) this.fx.viewChanged?.(); // our root is ourselves until a new parent
    this.snake.removePort(port);
    const d = this.snake.descending;
    if (d !== null && d.sourcePort === port) setDescending(this, null);
    // §4.5 3d: no hold-down; selection starts from our own key (the announcement is gone).
    if (wasParent && selectNewParent(this)) this.snake.bootstrapSoon(this.now);
  }

  /**
   * §4.5 step 2 [router/state.go: _start]: parent, descending, ordering, hold-down flag,
   * announcements, table and cache reset; the tree and snake timers are re-armed to fire now
   * (replacing their pending expiry). The sequence counter, lastBootstrap and any pending
   * hold-down timer are kept.
   */
  private fullReset(link: Link): void {
    link.stored = null;
    this.tree.parent = null;
    this.fx.viewChanged?.();
    this.tree.ordering = 0;
    this.tree.waiting = false;
    resetSnake(this);
    this.cache.clear();
    this.fx.setTimer(TIMER_TREE, this.now);
    this.fx.setTimer(TIMER_SNAKE, this.now);
  }

  // ---- RouterLike -------------------------------------------------------------------------

  start(now: Micros, fx: Effects): void {
    this.enter(now, fx);
    fx.setTimer(TIMER_TREE, now);
    fx.setTimer(TIMER_SNAKE, now);
    fx.setTimer(TIMER_COORDS, now + this.options.coordsCacheMaintainInterval);
    if (this.options.headWakeupBroadcasts) {
      fx.setTimer(TIMER_WAKEUP, now + this.options.wakeupBroadcastInterval);
    }
  }

  connect(
    now: Micros,
    remoteKey: PublicKey,
    linkType: LinkType,
    fx: Effects,
    channel = -1,
  ): Port | null {
    this.enter(now, fx);
    const port = this.peers.freePort();
    if (port === null) return null;
    const link = this.peers.add(port, remoteKey, linkType, now, this.options, this.random);
    link.channel = channel;
    if (this.options.keepalives) {
      const due = portDue(link, this.options.keepaliveInterval, this.options.keepaliveTimeout);
      this.deadlines.add(link, due);
      this.armPorts(due);
    }
    // §4.2: our root announcement signed for this port is always the first frame.
    sendAnnouncement(this, link, this.tree.rootAnnouncement());
    return port;
  }

  disconnect(now: Micros, port: Port, fx: Effects): void {
    this.enter(now, fx);
    const link = this.peers.get(port);
    if (link !== undefined) this.cleanupLink(link);
  }

  linkHandle(port: Port): object | undefined {
    return this.peers.get(port);
  }

  /**
   * The link on `port`, from the host's `handle` when it has one: that is the Link linkHandle(port)
   * gave, so it is ours, and it names the port's link while it is up (a link closed since then is
   * not, and the port may hold another by now). Taken from it, the link costs no reads of the
   * peer table and its port array.
   */
  private linkOn(port: Port, handle: object | undefined): Link | undefined {
    const link = handle as Link | undefined;
    return link?.up && link.port === port ? link : this.peers.get(port);
  }

  receive(now: Micros, port: Port, frame: Frame, fx: Effects, handle?: object): void {
    this.enter(now, fx);
    const link = this.linkOn(port, handle);
    if (link === undefined) return;
    link.lastReceived = now;
    // §7.1 step 2 simulator hook (adversaries): after the frame counted as received for the read
    // deadline (§4.3; pineconesim's reader resets it on any frame, so a dropped keepalive never
    // kills the link) and after step 1 (traffic for us is delivered, never filtered), before any
    // per-type handling (pineconesim filters every type there, simulator/adversary).
    if (
      fx.filter !== undefined &&
      !(frame.type === FrameType.Traffic && keysEqual(frame.destinationKey, this.publicKey)) &&
      fx.filter(port, frame, 'in')
    ) {
      if (frame.type === FrameType.Traffic) fx.dropTraffic(frame, 'filter');
      return;
    }
    switch (frame.type) {
      case FrameType.Keepalive:
        return;
      case FrameType.TreeAnnouncement:
        handleAnnouncement(this, link, frame.announcement);
        return;
      case FrameType.Bootstrap:
        handleBootstrap(this, link, frame);
        return;
      case FrameType.Traffic:
        forwardTraffic(this, frame, port);
        return;
      case FrameType.WakeupBroadcast:
        // d0beb18 has no type 4: ignored like any unknown type (§3.2).
        if (this.options.headWakeupBroadcasts) handleWakeup(this, this.broadcasts, link, frame);
        return;
      default: {
        const never: never = frame;
        void never;
      }
    }
  }

  receiveBytes(now: Micros, port: Port, bytes: Uint8Array, fx: Effects): void {
    this.enter(now, fx);
    const link = this.peers.get(port);
    if (link === undefined) return;
    const frame = decodeFrame(bytes);
    if (frame === null) {
      link.lastReceived = now; // unknown type: silently ignored (§3.2)
      return;
    }
    if (isCodecError(frame)) {
      this.closeLink(link, frame.reason);
      return;
    }
    this.receive(now, port, frame, fx);
  }

  portReady(now: Micros, port: Port, fx: Effects, handle?: object): void {
    this.enter(now, fx);
    const link = this.linkOn(port, handle);
    if (link === undefined) return;
    link.busy = false;
    link.lastSent = now; // the writer starts waiting now (§4.3)
    pump(this, link);
  }

  timer(now: Micros, timer: number, fx: Effects): void {
    this.enter(now, fx);
    switch (timer) {
      case TIMER_TREE:
        maintainTree(this);
        return;
      case TIMER_SNAKE:
        maintainSnake(this);
        return;
      case TIMER_COORDS:
        this.cache.sweep(now, this.options.coordsCacheLifetime);
        fx.setTimer(TIMER_COORDS, now + this.options.coordsCacheMaintainInterval);
        return;
      case TIMER_WAKEUP:
        if (this.options.headWakeupBroadcasts) wakeupTick(this, this.broadcasts);
        return;
      case TIMER_PORTS:
        this.checkPorts();
        return;
    }
    if (timer >= TIMER_HOLD_BASE) holdDownExpired(this);
  }

  /** Arm TIMER_PORTS for `at` unless it is already armed no later. */
  private armPorts(at: Micros): void {
    if (this.portsArmedAt >= 0 && at >= this.portsArmedAt) return;
    this.portsArmedAt = at;
    this.fx.setTimer(TIMER_PORTS, at);
  }

  /**
   * §4.3, every link due now (router/port-deadlines.ts finds them without scanning the others):
   * first the reader (nothing received for `keepaliveTimeout` drops the link), then the writer
   * (idle for `keepaliveInterval`: send a keepalive; busy or with frames queued: look again one
   * interval later, Link.keepaliveFloor), in port order; then re-arm for the earliest due link.
   * A link's dues only move later between checks (every send and receive pushes them), so a check
   * may find nothing due and just re-arm; none is ever late. These are the links, in the order, a
   * scan of every link would find (port-deadlines.test.ts).
   */
  private checkPorts(): void {
    this.portsArmedAt = -1;
    if (!this.options.keepalives) return;
    const now = this.now;
    const interval = this.options.keepaliveInterval;
    const timeout = this.options.keepaliveTimeout;
    const n = this.deadlines.takeDue(now, interval, timeout);
    const due = this.deadlines.taken;
    let silent: Link[] | null = null;
    for (let i = 0; i < n; i++) {
      const link = due[i] as Link;
      if (now - link.lastReceived < timeout) continue;
      if (silent === null) silent = [];
      silent.push(link);
    }
    // Closing changes the links (and may reset the node, §4.5): collected first.
    if (silent !== null) for (const link of silent) this.closeLink(link, 'keepalive-timeout');
    for (let i = 0; i < n; i++) {
      const link = due[i] as Link;
      due[i] = undefined; // the scratch keeps no link past the check
      if (!link.up) continue; // closed just now
      if (keepaliveDue(link, interval) <= now) {
        if (
          link.busy ||
          (link.protocolQueue?.length ?? 0) > 0 ||
          (link.trafficQueue?.length ?? 0) > 0
        ) {
          link.keepaliveFloor = now + interval;
        } else sendProtocol(this, link, keepaliveFrame());
      }
      this.deadlines.add(link, portDue(link, interval, timeout));
    }
    const next = this.deadlines.next(interval, timeout);
    if (next !== Number.POSITIVE_INFINITY) this.armPorts(next);
  }

  sendTraffic(
    now: Micros,
    destinationKey: PublicKey,
    payload: Uint8Array,
    fx: Effects,
    route?: TrafficRoute,
  ): void {
    this.enter(now, fx);
    let coords: Coordinates;
    let treeOnly = false;
    if (route !== undefined) {
      coords = route.coords;
      treeOnly = route.treeOnly;
    } else {
      const cached = this.options.hybrid
        ? this.cache.get(destinationKey, now, this.options.coordsCacheLifetime)
        : null;
      coords = cached ?? [];
    }
    originateTraffic(this, destinationKey, payload, coords, treeOnly);
  }

  snapshot(): RouterView {
    const tree = this.tree;
    const root = tree.rootAnnouncement();
    const parent = tree.parent;
    return {
      key: this.publicKey,
      rootKey: root.rootKey,
      rootSeq: root.rootSeq,
      parentPort: parent === null ? null : parent.port,
      parentKey: parent === null ? null : parent.remoteKey,
      coords: [...tree.coords()],
      descendingKey: this.snake.descending?.key ?? null,
      tableSize: this.snake.size,
      tableInstalls: this.snake.installs,
      coordsCacheSize: this.cache.size,
      peers: this.peers.peerViews(),
    };
  }

  /**
   * The four fields convergence tracking reads (sim/convergence.ts), written into `out`:
   * snapshot() copies the coordinates and the peer list, which made sampling 10% of a run at a few
   * thousand nodes. Same values as snapshot(); nothing is allocated.
   */
  /** Every change of what convergenceView reads is reported (Effects.viewChanged). */
  get reportsViewChanges(): boolean {
    return true;
  }

  convergenceView(out: ConvergenceView): ConvergenceView {
    const root = this.tree.rootAnnouncement();
    const parent = this.tree.parent;
    out.rootKey = root.rootKey;
    out.rootSeq = root.rootSeq;
    out.parentPort = parent === null ? null : parent.port;
    out.descendingKey = this.snake.descending?.key ?? null;
    return out;
  }

  /**
   * Our coordinates as stored (§5.2), not copied: read-only, valid until the next event. For the
   * coordinates-consistency metric of sim/convergence.ts (snapshot() copies them).
   */
  coordinates(): Coordinates {
    return this.tree.coords();
  }

  // ---- debugging views (tests, metrics; not on RouterLike) --------------------------------

  debugTable(): DebugTableEntry[] {
    return this.snake.entries.map((e) => ({
      key: e.key,
      sourcePort: e.sourcePort,
      destinationPort: e.destinationPort < 0 ? null : e.destinationPort,
      watermark: { key: e.watermark.key, seq: e.watermark.seq },
      lastSeen: e.lastSeen,
      root: { key: e.rootKey, seq: e.rootSeq },
    }));
  }

  debugAnnouncements(): DebugAnnouncement[] {
    const out: DebugAnnouncement[] = [];
    for (const l of this.peers.links) {
      if (l.stored === null) continue;
      out.push({
        port: l.port,
        remoteKey: l.remoteKey,
        announcement: l.stored.announcement,
        receiveTime: l.stored.receiveTime,
        receiveOrder: l.stored.receiveOrder,
        peerCoords: l.stored.peerCoords,
      });
    }
    return out;
  }

  /** Short label for logs. */
  toString(): string {
    return `Router(${toHex(this.publicKey).slice(0, 8)})`;
  }
}

/** Frame size guard used by hosts that encode (§3.6: refuse frames > 65535 bytes). */
export function frameTooLong(frame: Frame): boolean {
  return frameLength(frame) > 0xffff;
}
