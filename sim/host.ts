/**
 * sim/host.ts — the simulated world around the routers: it owns the scheduler, the random
 * streams, one router per node, the links and the router timers, implements every node's
 * `Effects` (router/types.ts) and the `HostApi` (sim/host-api.ts) that scenarios and metrics use.
 *
 * Choices (each is also listed in the engineer's report):
 * - Start-up: node i starts at a uniform integer time in [0, startSpread) µs drawn from the stream
 *   "start-times" in node order (startSpread 0: all at t = 0). A topology link connects when the
 *   later of its two ends starts: at each start instant, first every node starting then runs
 *   start() and its delay-0 timers (tree/snake maintenance, PROTOCOL.md §5.3.1, §6.3), then that
 *   instant's links connect in topology edge order. So a fresh node's first announcement carries
 *   sequence 1 (§5.3.1) and each router numbers its ports in edge order (§4.1, checklist item 23).
 *   Scenario links (addLink) follow the same rule: a link with an end not started yet joins that
 *   end's after-start connect batch (the end whose start runs last), and a link with an end started
 *   at this very instant (addNode) connects in an event scheduled now, after that end's delay-0
 *   timers; only links between nodes started earlier connect synchronously (review A.1).
 * - connect(): both routers are connected in the same instant, a first, then b (a = the end named
 *   first by the edge). Frames a router transmits while its own port is not yet known (the
 *   announcement of §4.2, sent inside connect) are held and put on the wire, in order, right after
 *   both ends have a port. If b refuses (no free port, §4.1), a is told with disconnect().
 * - A router closing a link (fx.closeLink) detaches its end at once; the far end's router gets
 *   disconnect() when the close reaches it: after the link latency, and never before frames already
 *   in flight towards it (a stream's FIN follows its data). Frames sent towards a detached end are
 *   lost.
 * - Peerings (sim/peering.ts): the host keeps the intended peerings (topology links and
 *   scenario-added links, with their attributes) apart from the links that are up, and re-connects
 *   a wanted peering that is down by its repeer mode ('static' re-dial with backoff, 'discovery'
 *   beacons, 'none'), as PROTOCOL.md §4.6 says Pinecone's connection manager and multicast
 *   discovery do. A node that leaves (removeNode) keeps its peerings: when it returns (addNode)
 *   they are re-dialled. Link drops are counted by cause: router closes by the router's reason
 *   (linkDrops), scenario cuts and out-of-range closes apart (scenarioDrops).
 * - removeLink (a scenario action: the wire is cut) tells both ends at once, except on a
 *   'discovery' peering, whose link is severed (out of range: nothing gets through) and left to
 *   the routers' read deadline (§4.3). removeNode cuts all the node's links at once.
 * - Transport (HostConfig.transport, sim/link.ts): 'stream' (default) turns loss into
 *   retransmission delay, 'datagram' loses frames.
 * - Frames travel as the immutable objects the router built (no copy); with wireEncode they are
 *   encoded at the sender and the receiver gets the bytes (receiveBytes). An encode failure closes
 *   the link at the sender with reason 'encode-error' (PROTOCOL.md §3.6, §4.4); in object mode a
 *   frame over 65535 bytes (§7.5) takes the same path, so both modes give the same run.
 * - Adversary filter (setFilter): 'in' is applied by the router at PROTOCOL.md §7.1 step 2 through
 *   Effects.filter (after local delivery and after the read-deadline reset); 'out' by the host to
 *   every frame a node puts on a wire.
 * - Counters count frames put on a wire (after the 'out' filter), by frame type.
 */

import { InputError, withSlot } from '../base/index.ts';
import type {
  BootstrapFrame,
  Effects,
  Frame,
  Identity,
  LinkDropReason,
  LinkType,
  Micros,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
  TrafficDropReason,
  TrafficFrame,
  TrafficRoute,
} from '../router/types.ts';
import { FrameType, LinkType as LinkTypes, MICROS_PER_SECOND } from '../router/types.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { encodeFrame, frameLength, MAX_FRAME_LENGTH } from '../router/wire/frame.ts';
import type { FrameFilter, HostApi, LinkProps, ProbeRoute, TrafficOutcome } from './host-api.ts';
import {
  DEFAULT_LINK_PROPS,
  type Direction,
  HELD,
  Link,
  resolveLinkProps,
  type Transport,
} from './link.ts';
import {
  BEACON_INTERVAL,
  handshakeDelay,
  nextTick,
  type Peering,
  PeeringTable,
  pairKey,
  type Repeer,
  WORKER_INTERVAL,
} from './peering.ts';
import { Cpu, type ProcessingCosts, receiveCost, signedHere } from './processing.ts';
import { RandomStreams } from './rng.ts';
import { type EventHandler, Scheduler } from './scheduler.ts';
import { TimerTable } from './timer-table.ts';
import { TraceHash } from './trace.ts';

/** Builds the router of a node (the real one: router/router.ts; tests pass fakes). */
export type RouterFactory = (identity: Identity, nodeIndex: number, name: string) => RouterLike;

export interface HostConfig {
  readonly seed: string;
  /** Identity of a node by name (sim/identities.ts IdentitySource.identity). */
  readonly identity: (name: string) => Identity;
  readonly routerFactory: RouterFactory;
  /** Run-wide link defaults (DEFAULT_LINK_PROPS when absent). */
  readonly linkDefaults?: LinkProps;
  /** Encode every frame at the sender and deliver bytes (router.receiveBytes). */
  readonly wireEncode?: boolean;
  /** Node start times are spread uniformly over [0, startSpread) µs; default 1 s; 0 = all at 0. */
  readonly startSpread?: Micros;
  /** Link type given to routers for every peering (tie-breaker only, §4.1); default Pipe. */
  readonly linkType?: LinkType;
  /** What loss means on a link (sim/link.ts): default 'stream', as Pinecone's TCP peerings. */
  readonly transport?: Transport;
  /** How a dropped peering comes back (sim/peering.ts), unless a link says otherwise; 'static'. */
  readonly repeer?: Repeer;
  /**
   * Per-node CPU model (sim/processing.ts): frames and signatures cost time, served
   * first come first served per node. Absent: processing takes no time (no extra events).
   */
  readonly processing?: ProcessingCosts;
}

export interface TopologyEdge {
  readonly source: string;
  readonly target: string;
  readonly props?: Partial<LinkProps>;
}

/** Frame type → name used in counters and summaries (RunSummary.framesByType). */
export const FRAME_TYPE_NAMES = [
  'keepalive',
  'announcement',
  'bootstrap',
  'traffic',
  'wakeup',
] as const;

// Event kinds (scheduler `kind` column).
const K_START = 0;
const K_CONNECT_BATCH = 1;
const K_DELIVER = 2;
const K_TIMER = 3;
const K_PORT_READY = 4;
const K_REMOTE_CLOSE = 5;
const K_ACTION = 6;
const K_CONNECT = 7;
const K_LOCAL_CLOSE = 8;
// Re-peering (sim/peering.ts): a dial attempt, then the link comes up after the handshake.
const K_DIAL = 9;
const K_HANDSHAKE = 10;
// Processing model (sim/processing.ts), only scheduled when HostConfig.processing is set.
const K_CPU_RUN = 20;
const K_CPU_SEND = 21;

/**
 * aux of a delivery = channel · 2^20 + frame length (lengths are < 2^16 on the wire), the channel
 * naming the receiving end of the link (2 · link id + end, as RouterLike.connect is given).
 */
const LEN_SPAN = 1 << 20;
const TWO_32 = 4294967296;

interface PendingTransmit {
  readonly node: number;
  readonly port: Port;
  readonly frame: Frame;
}

/** A job on a node's CPU (processing model): a received frame, or a fired router timer. */
interface CpuJob {
  /** Router timer id, or −1 for a received frame. */
  readonly timer: number;
  readonly port: Port;
  readonly aux: number;
  readonly payload: Frame | Uint8Array | null;
  /** A fired timer the router re-armed while it waited: the re-arm replaces it (Effects.setTimer). */
  cancelled: boolean;
}

/** Processing-model state of one node (sim/processing.ts Cpu plus what the host needs). */
class NodeCpu extends Cpu<CpuJob> {
  /** Fired timers waiting for the CPU, by timer id. */
  readonly timers = new Map<number, CpuJob>();
  /** Per port: the link and time of the last departure (frames on a link leave in order). */
  readonly leaveLink: number[] = [];
  readonly leaveAt: Micros[] = [];
  /** The last wakeup payload signed: a flood sends one signed payload on every link (§7.7). */
  lastSigned: Uint8Array | null = null;
}

/** A scenario link waiting for its connect event (see addLink), with the peering's props. */
interface PendingLink {
  readonly a: number;
  readonly b: number;
  readonly peering: Peering;
}

interface Probe {
  readonly id: number;
  readonly source: string;
  readonly destination: string;
  hops: number;
}

/** The Effects sink of one node: pre-bound, one per node, no per-frame closures. */
class NodeEffects implements Effects {
  private readonly host: Host;
  private readonly node: number;
  constructor(host: Host, node: number) {
    this.host = host;
    this.node = node;
  }
  transmit(port: Port, frame: Frame, channel = -1): boolean {
    return this.host.fxTransmit(this.node, port, frame, channel);
  }
  setTimer(timer: number, at: Micros): void {
    this.host.fxSetTimer(this.node, timer, at);
  }
  closeLink(port: Port, reason: LinkDropReason): void {
    this.host.fxCloseLink(this.node, port, reason);
  }
  deliver(frame: TrafficFrame): void {
    this.host.fxTrafficOutcome(this.node, frame, null);
  }
  dropTraffic(frame: TrafficFrame, reason: TrafficDropReason): void {
    this.host.fxTrafficOutcome(this.node, frame, reason);
  }
  explain(frame: TrafficFrame | BootstrapFrame, port: Port, reason: string): void {
    this.host.fxExplain(this.node, frame, port, reason);
  }
  filter(port: Port, frame: Frame, direction: 'in' | 'out'): boolean {
    return this.host.fxFilter(this.node, port, frame, direction);
  }
  tableInstall(): void {
    this.host.tableInstalls++;
  }
  viewChanged(): void {
    const v = this.host.viewVersions;
    v[this.node] = ((v[this.node] as number) + 1) >>> 0;
  }
}

/** 8-byte big-endian probe id payload. */
export function encodeProbeId(id: number): Uint8Array {
  const out = new Uint8Array(8);
  const hi = Math.floor(id / TWO_32);
  const lo = id % TWO_32;
  out[0] = hi >>> 24;
  out[1] = (hi >>> 16) & 0xff;
  out[2] = (hi >>> 8) & 0xff;
  out[3] = hi & 0xff;
  out[4] = lo >>> 24;
  out[5] = (lo >>> 16) & 0xff;
  out[6] = (lo >>> 8) & 0xff;
  out[7] = lo & 0xff;
  return out;
}

/** The probe id of a traffic payload, or -1 when it is not an 8-byte probe payload. */
export function decodeProbeId(payload: Uint8Array): number {
  if (payload.length !== 8) return -1;
  const hi =
    (((payload[0] as number) << 24) |
      ((payload[1] as number) << 16) |
      ((payload[2] as number) << 8) |
      (payload[3] as number)) >>>
    0;
  const lo =
    (((payload[4] as number) << 24) |
      ((payload[5] as number) << 16) |
      ((payload[6] as number) << 8) |
      (payload[7] as number)) >>>
    0;
  return hi * TWO_32 + lo;
}

export class Host implements HostApi {
  readonly scheduler = new Scheduler(1 << 16);
  readonly streams: RandomStreams;
  readonly trace = new TraceHash();
  /** Frames and bytes put on a wire, indexed by frame type (FRAME_TYPE_NAMES). */
  readonly framesSent = new Float64Array(FRAME_TYPE_NAMES.length);
  readonly bytesSent = new Float64Array(FRAME_TYPE_NAMES.length);
  /** Table entries the routers installed for keys their tables lacked (Effects.tableInstall). */
  tableInstalls = 0;
  /** Links routers closed, by the router's reason (§4.4); links refused for lack of ports. */
  readonly linkDrops = new Map<string, number>();
  /**
   * Links that went down because of the scenario, by cause: 'cut' (removeLink, removeNode) and
   * 'out-of-range' (a severed discovery link the routers then closed by their read deadline).
   */
  readonly scenarioDrops = new Map<string, number>();
  /** Intended peerings (sim/peering.ts). */
  readonly peeringTable = new PeeringTable();
  readonly transport: Transport;
  readonly repeer: Repeer;
  refusedLinks = 0;
  /** Incremented on every link up/down and node add/remove (convergence re-derives components). */
  topologyVersion = 0;
  /**
   * Per node, bumped whenever its router says its convergence view may have changed
   * (Effects.viewChanged): sim/convergence.ts re-reads only the nodes whose count moved. Replaced
   * by a larger array as nodes are added.
   */
  viewVersions: Uint32Array = new Uint32Array(16);
  /** Every router created so far reports its view changes (RouterLike.reportsViewChanges). */
  viewsReported = true;

  private readonly config: HostConfig;
  private readonly linkDefaults: LinkProps;
  private readonly wireEncode: boolean;
  private readonly linkType: LinkType;
  /** Processing model (HostConfig.processing), null = off; one CPU per node when on. */
  private readonly processing: ProcessingCosts | null;
  private readonly cpus: NodeCpu[] = [];
  /** Set while a deferred transmit (K_CPU_SEND) goes out: it was charged when it was made. */
  private sendingLater = false;
  /** Every node name ever created (a removed node's peerings may name it). */
  private readonly known = new Set<string>();
  /** Host actions dispatched so far (the `actions` getter). */
  private actionsRun = 0;
  /** The node removeNode is taking away (its links' re-dials are not scheduled by it). */
  private dyingNode = -1;
  /** LAN discovery beacon phase per node name, drawn on first use (sim/peering.ts). */
  private readonly beaconPhases = new Map<string, Micros>();
  // Per node index (indices are never reused; a removed node leaves a null router).
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly keys: PublicKey[] = [];
  private readonly routers: (RouterLike | null)[] = [];
  private readonly effects: NodeEffects[] = [];
  private readonly portLinks: (Link | undefined)[][] = [];
  private readonly timers = new TimerTable();
  private readonly startTimes: Micros[] = [];
  private readonly started: boolean[] = [];
  /** Node index → the connect batch to schedule after it starts (the last starter of an instant). */
  private readonly batchAfterStart = new Map<number, TopologyEdge[]>();
  /** Node index → scenario links to connect right after it starts (see addLink). */
  private readonly linksAfterStart = new Map<number, PendingLink[]>();
  /** Scenario links added but not connected yet, by pair: removeLink/setLink/removeNode see them. */
  private readonly pendingLinks = new Map<string, PendingLink>();
  // Up links by unordered name pair, in creation order.
  private readonly pairs = new Map<string, Link>();
  // nodeNames() / links() results, valid while topologyVersion is unchanged.
  private namesCache: readonly string[] = [];
  private namesCacheVersion = -1;
  private linksCache: readonly (readonly [string, string])[] = [];
  private linksCacheVersion = -1;
  private nextLinkId = 1;
  /**
   * Every link by id while either end is attached (undefined before id 1 and after): a router's
   * transmit names its link by channel (fxTransmit), one read here instead of three through the
   * node's port array, which were 4% of a 20,000-node run.
   */
  private readonly linksById: (Link | undefined)[] = [undefined];
  /**
   * The routers' handles of their ends of each link (RouterLike.linkHandle) by channel (2·link id
   * + end), while that end is attached: deliverFrame gives it back to the router, which then finds
   * the link without its peer table (three reads, about 7% of a 20,000-node run).
   */
  private readonly endHandles: (object | undefined)[] = [undefined, undefined];
  // Connect-in-progress state (see the header: frames sent before a port is known are held).
  private connecting: Link | null = null;
  private held: PendingTransmit[] = [];
  private filter: FrameFilter | null = null;
  private readonly probes = new Map<number, Probe>();
  private readonly trafficListeners: ((outcome: TrafficOutcome) => void)[] = [];
  private readonly hopListeners: ((
    id: number,
    node: string,
    port: number,
    next: string | null,
    reason: string,
  ) => void)[] = [];
  /** Name of a link's jitter/loss stream (made on first use, see Link). */
  private readonly linkStreamName: (a: number, b: number) => string;
  private readonly dispatch: EventHandler;

  constructor(config: HostConfig) {
    this.config = config;
    this.streams = new RandomStreams(config.seed);
    this.linkDefaults = config.linkDefaults ?? DEFAULT_LINK_PROPS;
    this.wireEncode = config.wireEncode ?? false;
    this.linkType = config.linkType ?? LinkTypes.Pipe;
    this.transport = config.transport ?? 'stream';
    this.repeer = config.repeer ?? 'static';
    this.processing = config.processing ?? null;
    this.dispatch = (kind, node, port, aux, payload) => this.handle(kind, node, port, aux, payload);
    this.linkStreamName = (a, b) => `link:${this.names[a]}\0${this.names[b]}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Set-up

  /**
   * Create the topology's nodes (in order) and schedule their starts and the links' connects (see
   * the header for the start-up rule). Call once, before running, at time 0.
   */
  loadTopology(
    nodes: readonly string[],
    edges: readonly TopologyEdge[],
    source = 'topology',
  ): void {
    const spread = this.config.startSpread ?? MICROS_PER_SECOND;
    const stream = this.streams.stream('start-times');
    const first = this.names.length;
    for (const name of nodes) {
      const i = this.createNode(name);
      this.startTimes[i] = spread > 0 ? stream.int(spread) : 0;
    }
    const order: number[] = [];
    for (let i = first; i < this.names.length; i++) order.push(i);
    order.sort((x, y) => (this.startTimes[x] as number) - (this.startTimes[y] as number) || x - y);
    // The last node to start at each instant schedules that instant's links.
    const lastStarter = new Map<Micros, number>();
    for (const i of order) lastStarter.set(this.startTimes[i] as Micros, i);
    for (const edge of edges) {
      const a = this.index.get(edge.source);
      const b = this.index.get(edge.target);
      if (a === undefined || b === undefined) {
        throw new InputError(`${source}: link ${edge.source}–${edge.target} names an unknown node`);
      }
      if (a === b) throw new InputError(`${source}: self link on ${edge.source}`);
      const props =
        edge.props === undefined
          ? this.linkDefaults
          : resolveLinkProps(
              this.linkDefaults,
              edge.props,
              `${source}: link ${edge.source}–${edge.target}`,
            );
      // The topology's peerings: static by default, dialled by the end named first (peering.ts).
      if (this.peeringTable.get(edge.source, edge.target) === undefined)
        this.peeringTable.add(edge.source, edge.target, props, this.repeer).connectPending = true;
      const at = Math.max(this.startTimes[a] as number, this.startTimes[b] as number);
      const starter = lastStarter.get(at) as number;
      let batch = this.batchAfterStart.get(starter);
      if (batch === undefined) {
        batch = [];
        this.batchAfterStart.set(starter, batch);
      }
      batch.push(edge);
    }
    for (const i of order) this.scheduler.schedule(this.startTimes[i] as Micros, K_START, i, 0, 0);
  }

  private createNode(name: string): number {
    if (this.index.has(name)) throw new InputError(`node ${JSON.stringify(name)} already exists`);
    const i = this.names.length;
    const identity = this.config.identity(name);
    this.names.push(name);
    this.index.set(name, i);
    this.known.add(name);
    this.peeringTable.nodeUp(name);
    this.keys.push(identity.publicKey);
    this.effects.push(new NodeEffects(this, i));
    if (i >= this.viewVersions.length) {
      const grown = new Uint32Array(2 * this.viewVersions.length);
      grown.set(this.viewVersions);
      this.viewVersions = grown;
    }
    this.portLinks.push([]);
    this.timers.addNode();
    this.startTimes.push(0);
    this.started.push(false);
    const router = this.config.routerFactory(identity, i, name);
    if (router.reportsViewChanges !== true) this.viewsReported = false;
    this.routers.push(router);
    if (this.processing !== null) this.cpus[i] = new NodeCpu();
    this.topologyVersion++;
    return i;
  }

  // ---------------------------------------------------------------------------------------------
  // Introspection for metrics (index space includes removed nodes: check routerAt() !== null).

  get nodeCount(): number {
    return this.names.length;
  }
  nameAt(i: number): string {
    return this.names[i] as string;
  }
  keyAt(i: number): PublicKey {
    return this.keys[i] as PublicKey;
  }
  routerAt(i: number): RouterLike | null {
    return this.routers[i] ?? null;
  }
  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }
  /** Call `fn(a, b)` with node indices for every link with both ends attached, in creation order. */
  forEachUpLink(fn: (a: number, b: number) => void): void {
    for (const link of this.pairs.values()) if (link.up) fn(link.a, link.b);
  }
  /** Peer node index behind `port` of node `i`, or -1. */
  peerAt(i: number, port: Port): number {
    const link = this.portLinks[i]?.[port];
    if (link === undefined) return -1;
    return link.a === i ? link.b : link.a;
  }
  get events(): number {
    return this.scheduler.dispatched;
  }
  /** Host actions dispatched (at(): scenario actions, samplers, stop events), not router events. */
  get actions(): number {
    return this.actionsRun;
  }
  traceHash(): string {
    return this.trace.digest();
  }

  // ---------------------------------------------------------------------------------------------
  // HostApi

  get now(): Micros {
    return this.scheduler.now;
  }

  nodeNames(): readonly string[] {
    // Cached per topology version (metrics ask once per sample), frozen because shared.
    if (this.namesCacheVersion !== this.topologyVersion) {
      const out: string[] = [];
      for (let i = 0; i < this.names.length; i++)
        if (this.routers[i] !== null) out.push(this.names[i] as string);
      this.namesCache = Object.freeze(out);
      this.namesCacheVersion = this.topologyVersion;
    }
    return this.namesCache;
  }

  hasNode(name: string): boolean {
    return this.index.has(name);
  }

  addNode(name: string): void {
    const i = this.createNode(name);
    this.startTimes[i] = this.now;
    this.startNode(i);
  }

  removeNode(name: string): void {
    const i = this.requireNode(name);
    const ports = this.portLinks[i] as (Link | undefined)[];
    // Its peerings stay (sim/peering.ts): the far ends' diallers keep trying, its return re-dials.
    this.dyingNode = i;
    try {
      for (let port = 1; port < ports.length; port++) {
        const link = ports[port];
        if (link !== undefined) this.cutLink(link);
      }
    } finally {
      this.dyingNode = -1;
    }
    for (const [key, pending] of this.pendingLinks)
      if (pending.a === i || pending.b === i) this.pendingLinks.delete(key);
    for (const p of this.peeringTable.of(name)) {
      p.connectPending = false;
      p.epoch++;
    }
    this.peeringTable.nodeDown(name);
    this.timers.clear(i, (id) => this.scheduler.cancel(id));
    this.routers[i] = null;
    this.index.delete(name);
    this.topologyVersion++;
    // The far ends' static diallers try again (0–5 s later, then with backoff).
    for (const p of this.peeringTable.of(name)) this.redial(p);
  }

  addLink(a: string, b: string, props?: Partial<LinkProps>, repeer?: Repeer): boolean {
    if (!this.known.has(a)) throw new InputError(`unknown node ${JSON.stringify(a)}`);
    if (!this.known.has(b)) throw new InputError(`unknown node ${JSON.stringify(b)}`);
    if (a === b) throw new InputError(`addLink: cannot link ${a} to itself`);
    const key = pairKey(a, b);
    let p = this.peeringTable.get(a, b);
    // Intended and up (or about to connect): nothing to do. Intended but down: connect now.
    if (p?.intended && (p.link !== null || p.connectPending)) return false;
    if (p === undefined) {
      const resolved = resolveLinkProps(this.linkDefaults, props, `link ${a}–${b}`);
      p = this.peeringTable.add(a, b, resolved, repeer ?? this.repeer);
    } else {
      // Added again: the peering keeps its own attributes (the topology file's), unless given.
      if (props !== undefined) p.props = resolveLinkProps(p.props, props, `link ${a}–${b}`);
      if (repeer !== undefined) p.mode = repeer;
      this.peeringTable.setIntended(p, true);
      if (p.link !== null) {
        // Still up (a severed discovery link back in range before the routers closed it).
        p.link.severed = false;
        p.link.props = p.props;
        this.releaseHeld(p.link);
        return true;
      }
    }
    const ia = this.liveIndex(a);
    const ib = this.liveIndex(b);
    if (ia < 0 || ib < 0 || p.mode === 'discovery') {
      // An end is away (it re-dials when it returns), or at the next beacon of either end.
      this.redial(p);
      return true;
    }
    if (this.pairs.has(key)) return false;
    if (!this.started[ia] || !this.started[ib]) {
      // Not both running yet: connect right after the later one's start, in its connect batch
      // (K_CONNECT_BATCH is scheduled by startNode after router.start(), so after the delay-0
      // tree/snake timers: the first announcement carries sequence 1, PROTOCOL.md §5.3.1).
      // "Later" = the one whose K_START runs last: later time, then higher index (loadTopology
      // and addNode schedule starts in that order).
      const later = this.startsAfter(ia, ib) ? ia : ib;
      const pending: PendingLink = { a: ia, b: ib, peering: p };
      this.pendingLinks.set(key, pending);
      p.connectPending = true;
      let list = this.linksAfterStart.get(later);
      if (list === undefined) {
        list = [];
        this.linksAfterStart.set(later, list);
      }
      list.push(pending);
      return true;
    }
    if (this.startTimes[ia] === this.now || this.startTimes[ib] === this.now) {
      // An end started at this instant (addNode, or a start event just before this action): its
      // delay-0 timers may not have run yet. A connect event scheduled now runs after them (ties
      // run in insertion order), so the first announcement carries sequence 1 (§5.3.1; review A.1).
      const pending: PendingLink = { a: ia, b: ib, peering: p };
      this.pendingLinks.set(key, pending);
      p.connectPending = true;
      this.scheduler.schedule(this.now, K_CONNECT, ia, ib, 0, pending);
      return true;
    }
    if (this.connectLink(ia, ib, p.props)) return true;
    this.attemptFailed(p);
    return false;
  }

  /** True when node x's start event runs after node y's (both not started yet). */
  private startsAfter(x: number, y: number): boolean {
    const tx = this.startTimes[x] as number;
    const ty = this.startTimes[y] as number;
    return tx > ty || (tx === ty && x > y);
  }

  removeLink(a: string, b: string): void {
    const p = this.peeringTable.get(a, b);
    if (p === undefined || !p.intended) throw new InputError(`there is no link ${a}–${b}`);
    this.peeringTable.setIntended(p, false);
    // A link still waiting for its connect event is simply never connected.
    if (this.pendingLinks.delete(p.key)) {
      p.connectPending = false;
      return;
    }
    const link = p.link;
    // Down already (closed by a router, an end away): it is just not re-dialled any more.
    if (link === null) return;
    // Out of radio range: nothing gets through; the routers' read deadline closes it (§4.3).
    if (p.mode === 'discovery') link.severed = true;
    else this.cutLink(link);
  }

  setLink(a: string, b: string, props: Partial<LinkProps>): void {
    const p = this.peeringTable.get(a, b);
    if (p === undefined) throw new InputError(`there is no link ${a}–${b}`);
    p.props = resolveLinkProps(p.props, props, `setLink ${a}–${b}`);
    if (p.link !== null) p.link.props = p.props;
  }

  /** Intended peerings (up or not), [x, y] with x < y, sorted; only `node`'s when given. */
  peerings(node?: string): readonly (readonly [string, string])[] {
    return this.peeringTable.intended(node);
  }

  /** A peering's attributes (kept while it is down or removed), or null if there never was one. */
  linkProps(a: string, b: string): LinkProps | null {
    return this.peeringTable.get(a, b)?.props ?? null;
  }

  /** A severed stream is back in range: what it held arrives at its next retransmission. */
  private releaseHeld(link: Link): void {
    const held = link.held;
    link.held = null;
    // Both directions resume whether or not they held frames (resume clears the held state).
    const at0 = link.resume(0, this.now);
    const at1 = link.resume(1, this.now);
    if (held === null) return;
    for (const h of held) {
      const at = h.direction === 0 ? at0 : at1;
      if (at >= 0) this.scheduler.schedule(at, K_DELIVER, h.node, h.port, h.aux, h.payload);
    }
  }

  /** Links up (O(1)). */
  linksUp(): number {
    return this.pairs.size;
  }

  /** Intended peerings whose both ends are present (O(1)). */
  linksWanted(): number {
    return this.peeringTable.wanted;
  }

  /** Nodes present (O(1): the index holds exactly those). */
  nodesUp(): number {
    return this.index.size;
  }

  links(): readonly (readonly [string, string])[] {
    // Cached per topology version like nodeNames(): every link up/down bumps the version.
    if (this.linksCacheVersion !== this.topologyVersion) {
      const out: (readonly [string, string])[] = [];
      for (const link of this.pairs.values()) {
        if (!link.up) continue;
        const x = this.names[link.a] as string;
        const y = this.names[link.b] as string;
        out.push(Object.freeze(x < y ? [x, y] : [y, x]) as readonly [string, string]);
      }
      this.linksCache = Object.freeze(out);
      this.linksCacheVersion = this.topologyVersion;
    }
    return this.linksCache;
  }

  view(name: string): RouterView {
    return (this.routers[this.requireNode(name)] as RouterLike).snapshot();
  }

  sendProbe(source: string, destination: string, id: number, route: ProbeRoute): void {
    const s = this.requireNode(source);
    const d = this.requireNode(destination);
    if (!Number.isSafeInteger(id) || id < 0)
      throw new InputError(`sendProbe: probe id must be a non-negative integer, got ${id}`);
    const router = this.routers[s] as RouterLike;
    // 'auto' leaves `forced` undefined: the router consults its own coordinates cache (§7.2).
    let forced: TrafficRoute | undefined;
    if (route === 'snek') forced = { coords: [], treeOnly: false };
    else if (route === 'given' || route === 'tree') {
      const coords = (this.routers[d] as RouterLike).snapshot().coords;
      forced = { coords, treeOnly: route === 'tree' };
    }
    this.probes.set(id, { id, source, destination, hops: 0 });
    const payload = encodeProbeId(id);
    const fx = this.effects[s] as NodeEffects;
    if (forced === undefined) router.sendTraffic(this.now, this.keys[d] as PublicKey, payload, fx);
    else router.sendTraffic(this.now, this.keys[d] as PublicKey, payload, fx, forced);
  }

  onTraffic(listener: (outcome: TrafficOutcome) => void): void {
    this.trafficListeners.push(listener);
  }

  onHop(
    listener: (id: number, node: string, port: number, next: string | null, reason: string) => void,
  ): void {
    this.hopListeners.push(listener);
  }

  setFilter(filter: FrameFilter | null): void {
    this.filter = filter;
  }

  at(time: Micros, action: () => void): void {
    this.scheduler.schedule(Math.max(time, this.now), K_ACTION, -1, 0, 0, action);
  }

  runUntil(until: Micros, stop?: () => boolean): void {
    this.scheduler.runUntil(until, this.dispatch, stop);
  }

  /** Called from an action: the run dispatching it returns right after it (Scheduler.stop). */
  stop(): void {
    this.scheduler.stop();
  }

  /** Run at most `maxEvents` events not later than `until` (for chunked, interruptible runs). */
  runBatch(until: Micros, maxEvents: number): number {
    return this.scheduler.runBatch(until, maxEvents, this.dispatch);
  }

  /** Probes sent and not yet delivered or dropped. */
  /** Router timers of node `i` that are armed and have not fired (tests: no leak). */
  armedTimers(i: number): number {
    return this.timers.count(i);
  }

  pendingProbes(): number {
    return this.probes.size;
  }

  // ---------------------------------------------------------------------------------------------
  // Event dispatch

  private handle(kind: number, node: number, port: number, aux: number, payload: unknown): void {
    switch (kind) {
      case K_DELIVER:
        if (this.processing !== null)
          this.queueFrame(node, port, aux, payload as Frame | Uint8Array);
        else this.deliverFrame(node, port, aux, payload as Frame | Uint8Array);
        return;
      case K_TIMER: {
        const router = this.routers[node];
        if (router === null || router === undefined) return;
        // The entry is this event (a re-arm cancels and replaces it, and cancelled events never
        // fire): forget it, or one-shot ids such as hold-downs pile up (review B.10).
        this.timers.delete(node, port);
        if (this.processing !== null) {
          this.queueTimer(node, port);
          return;
        }
        this.trace.timer(this.now, node, port);
        router.timer(this.now, port, this.effects[node] as NodeEffects);
        return;
      }
      case K_PORT_READY:
        this.portReady(node, port, aux);
        return;
      case K_REMOTE_CLOSE: {
        const link = this.portLinks[node]?.[port];
        if (link === undefined || link.id !== aux) return;
        this.detach(link, node);
        (this.routers[node] as RouterLike).disconnect(
          this.now,
          port,
          this.effects[node] as NodeEffects,
        );
        return;
      }
      case K_LOCAL_CLOSE: {
        const link = this.portLinks[node]?.[port];
        if (link === undefined || link.id !== aux) return;
        (this.routers[node] as RouterLike).disconnect(
          this.now,
          port,
          this.effects[node] as NodeEffects,
        );
        this.fxCloseLink(node, port, 'encode-error');
        return;
      }
      case K_START:
        this.startNode(node);
        return;
      case K_CONNECT_BATCH:
        for (const edge of payload as TopologyEdge[]) {
          const p = this.peeringTable.get(edge.source, edge.target) as Peering;
          p.connectPending = false;
          const a = this.index.get(edge.source);
          const b = this.index.get(edge.target);
          // Removed by a scenario before it came up, or an end away (redial knows who dials).
          if (!p.intended || p.link !== null) continue;
          if (a === undefined || b === undefined) this.redial(p);
          else if (!this.connectLink(a, b, p.props)) this.attemptFailed(p);
        }
        return;
      case K_CONNECT: {
        // A scenario link (addLink); skipped when removed (removeLink/removeNode) meanwhile.
        const pending = payload as PendingLink;
        const p = pending.peering;
        if (this.pendingLinks.get(p.key) !== pending) return;
        this.pendingLinks.delete(p.key);
        p.connectPending = false;
        if (this.routers[node] === null || this.routers[port] === null || this.pairs.has(p.key)) {
          this.redial(p);
          return;
        }
        if (!this.connectLink(node, port, p.props)) this.attemptFailed(p);
        return;
      }
      case K_DIAL: {
        // A dial attempt (sim/peering.ts): the far end answers if it is up, then the handshake.
        const p = payload as Peering;
        if (p.epoch !== aux || !p.intended || p.link !== null) return;
        const a = this.liveIndex(p.a);
        const b = this.liveIndex(p.b);
        if (a >= 0 && b >= 0 && this.started[a] === true && this.started[b] === true)
          this.scheduler.schedule(this.now + handshakeDelay(p.props), K_HANDSHAKE, a, b, aux, p);
        else this.attemptFailed(p);
        return;
      }
      case K_HANDSHAKE: {
        const p = payload as Peering;
        if (p.epoch !== aux || !p.intended || p.link !== null) return;
        // Both ends must still be the incarnations that shook hands.
        const ok =
          this.liveIndex(p.a) === node &&
          this.liveIndex(p.b) === port &&
          this.connectLink(node, port, p.props);
        if (!ok) this.attemptFailed(p);
        return;
      }
      case K_ACTION:
        this.actionsRun++;
        (payload as () => void)();
        return;
      case K_CPU_RUN:
        this.runCpu(node);
        return;
      case K_CPU_SEND:
        this.sendLater(node, port, aux, payload as Frame);
        return;
      default:
        throw new Error(`host: unknown event kind ${kind}`);
    }
  }

  private startNode(i: number): void {
    const router = this.routers[i];
    if (router === null || router === undefined) return;
    this.started[i] = true;
    router.start(this.now, this.effects[i] as NodeEffects);
    const batch = this.batchAfterStart.get(i);
    if (batch !== undefined) {
      this.batchAfterStart.delete(i);
      this.scheduler.schedule(this.now, K_CONNECT_BATCH, i, 0, 0, batch);
    }
    const links = this.linksAfterStart.get(i);
    if (links !== undefined) {
      // Scheduled after start() armed the delay-0 timers, so they connect after them (§5.3.1).
      this.linksAfterStart.delete(i);
      for (const l of links) this.scheduler.schedule(this.now, K_CONNECT, l.a, l.b, 0, l);
    }
    this.peeringsAtStart(i);
  }

  // ---------------------------------------------------------------------------------------------
  // Re-peering (sim/peering.ts, PROTOCOL.md §4.6)

  /** Node `i` started (first time or returning): its wanted peerings that are down come back. */
  private peeringsAtStart(i: number): void {
    const name = this.names[i] as string;
    for (const p of this.peeringTable.of(name)) {
      if (!p.intended || p.link !== null || p.connectPending) continue;
      const other = this.liveIndex(p.other(name));
      const otherUp = other >= 0 && this.started[other] === true;
      switch (p.mode) {
        case 'static':
          // A fresh connection manager dials its static peers at once (§4.6); the listening end
          // waits for its dialler's next attempt, which the dialler's backoff decides.
          if (p.a === name) {
            p.dialler.succeed();
            this.scheduleAttempt(p, this.now);
          }
          break;
        case 'discovery':
          if (otherUp) this.scheduleAttempt(p, this.nextBeacon(p));
          break;
        case 'none':
          if (otherUp) this.scheduleAttempt(p, this.now);
          break;
      }
    }
  }

  /** A wanted peering is down (its link dropped, or an attempt failed): when to try again. */
  private redial(p: Peering): void {
    // removeNode re-dials its peerings once, after the node is gone.
    if (!p.intended || p.link !== null || this.dyingNode >= 0) return;
    switch (p.mode) {
      case 'static': {
        // The dialler's worker runs every 5 s from its start (phase computed, no tick events).
        const d = this.liveIndex(p.a);
        if (d < 0 || this.started[d] !== true) return;
        const due = Math.max(this.now, p.dialler.nextAttempt);
        this.scheduleAttempt(p, nextTick(this.startTimes[d] as Micros, due, WORKER_INTERVAL));
        return;
      }
      case 'discovery': {
        const a = this.liveIndex(p.a);
        const b = this.liveIndex(p.b);
        if (a < 0 || b < 0 || this.started[a] !== true || this.started[b] !== true) return;
        this.scheduleAttempt(p, this.nextBeacon(p));
        return;
      }
      case 'none':
        return;
    }
  }

  private attemptFailed(p: Peering): void {
    if (p.mode === 'static') p.dialler.fail(this.now);
    this.redial(p);
  }

  /** One pending attempt per peering: a newer one makes older events stale (epoch). */
  private scheduleAttempt(p: Peering, at: Micros): void {
    p.epoch++;
    this.scheduler.schedule(at, K_DIAL, -1, 0, p.epoch, p);
  }

  /** The next beacon (≥ now) of either end of a discovery peering. */
  private nextBeacon(p: Peering): Micros {
    return Math.min(this.beaconAt(p.a), this.beaconAt(p.b));
  }

  private beaconAt(name: string): Micros {
    let phase = this.beaconPhases.get(name);
    if (phase === undefined) {
      phase = this.streams.stream(`beacon:${name}`).int(BEACON_INTERVAL);
      this.beaconPhases.set(name, phase);
    }
    return nextTick(phase, this.now, BEACON_INTERVAL);
  }

  /** Index of the node named `name` if it is present, else −1. */
  private liveIndex(name: string): number {
    const i = this.index.get(name);
    return i === undefined || this.routers[i] === null ? -1 : i;
  }

  private connectLink(a: number, b: number, props: LinkProps): boolean {
    const nameA = this.names[a] as string;
    const nameB = this.names[b] as string;
    const link = new Link(
      this.nextLinkId++,
      a,
      b,
      props,
      this.streams,
      this.linkStreamName,
      this.transport,
    );
    // Ids are given in order from 1: the link's slots are the next ones.
    this.linksById.push(link);
    this.endHandles.push(undefined, undefined);
    const routerA = this.routers[a] as RouterLike;
    const routerB = this.routers[b] as RouterLike;
    this.connecting = link;
    this.held = [];
    try {
      const portA = routerA.connect(
        this.now,
        this.keys[b] as PublicKey,
        this.linkType,
        this.effects[a] as NodeEffects,
        2 * link.id,
      );
      if (portA === null) {
        this.refusedLinks++;
        this.linksById[link.id] = undefined;
        return false;
      }
      this.attach(link, a, portA);
      this.endHandles[2 * link.id] = routerA.linkHandle?.(portA);
      const portB = routerB.connect(
        this.now,
        this.keys[a] as PublicKey,
        this.linkType,
        this.effects[b] as NodeEffects,
        2 * link.id + 1,
      );
      if (portB === null) {
        this.refusedLinks++;
        this.detach(link, a);
        this.connecting = null;
        routerA.disconnect(this.now, portA, this.effects[a] as NodeEffects);
        return false;
      }
      this.attach(link, b, portB);
      this.endHandles[2 * link.id + 1] = routerB.linkHandle?.(portB);
    } finally {
      this.connecting = null;
    }
    link.up = true;
    this.pairs.set(pairKey(nameA, nameB), link);
    this.topologyVersion++;
    const peering = this.peeringTable.get(nameA, nameB);
    if (peering !== undefined) {
      // Connected: the dialler's count resets (§4.6); a pending attempt is now stale.
      peering.link = link;
      peering.dialler.succeed();
      peering.epoch++;
    }
    const held = this.held;
    this.held = [];
    for (const tx of held) {
      // A router that got false for an earlier held frame is told later with portReady, as usual.
      this.fxTransmit(tx.node, tx.port, tx.frame);
    }
    return true;
  }

  private attach(link: Link, node: number, port: Port): void {
    const ports = this.portLinks[node] as (Link | undefined)[];
    if (!Number.isInteger(port) || port < 1)
      throw new Error(`host: router ${this.names[node]} allocated invalid port ${port}`);
    if (ports[port] !== undefined)
      throw new Error(`host: router ${this.names[node]} reused busy port ${port}`);
    // Exactly as long as the highest port used (withSlot): a store past the end left 16-odd
    // empty slots in every node's array.
    this.portLinks[node] = withSlot(ports, port, link);
    if (link.a === node) link.portA = port;
    else link.portB = port;
  }

  /**
   * `node`'s end of link `linkId` is attached at `port` (portLinks[node][port] is that link). A
   * delivery asks only when the end has no handle (deliverFrame): a frame on a closed link, or a
   * router that gives none.
   */
  private attachedAt(node: number, port: Port, linkId: number): boolean {
    const link = this.linksById[linkId];
    if (link === undefined) return false;
    return (link.a === node ? link.portA : link.b === node ? link.portB : 0) === port;
  }

  /** Detach `node`'s end of `link`; the link is down from now on. */
  private detach(link: Link, node: number): void {
    const port = link.a === node ? link.portA : link.portB;
    if (port === 0) return;
    const ports = this.portLinks[node] as (Link | undefined)[];
    if (ports[port] === link) ports[port] = undefined;
    if (link.a === node) link.portA = 0;
    else link.portB = 0;
    this.endHandles[2 * link.id + (link.a === node ? 0 : 1)] = undefined;
    if (link.portA === 0 && link.portB === 0) this.linksById[link.id] = undefined;
    if (link.up) {
      link.up = false;
      const nameA = this.names[link.a] as string;
      const nameB = this.names[link.b] as string;
      const key = pairKey(nameA, nameB);
      if (this.pairs.get(key) === link) this.pairs.delete(key);
      this.topologyVersion++;
      const peering = this.peeringTable.get(nameA, nameB);
      if (peering !== undefined && peering.link === link) {
        peering.link = null;
        this.redial(peering);
      }
    }
  }

  /** Scenario cut: both ends detach now and both routers are told now. */
  private cutLink(link: Link): void {
    if (link.up) this.scenarioDrops.set('cut', (this.scenarioDrops.get('cut') ?? 0) + 1);
    const portA = link.portA;
    const portB = link.portB;
    this.detach(link, link.a);
    this.detach(link, link.b);
    const ra = this.routers[link.a];
    const rb = this.routers[link.b];
    if (portA !== 0 && ra) ra.disconnect(this.now, portA, this.effects[link.a] as NodeEffects);
    if (portB !== 0 && rb) rb.disconnect(this.now, portB, this.effects[link.b] as NodeEffects);
  }

  // ---------------------------------------------------------------------------------------------
  // Processing model (sim/processing.ts): jobs on each node's CPU, outputs leaving when done.

  /** A frame arrived (processing on): it waits for the CPU, then is handled (deliverFrame). */
  private queueFrame(node: number, port: Port, aux: number, payload: Frame | Uint8Array): void {
    if (!this.attachedAt(node, port, Math.floor(aux / LEN_SPAN) >> 1) || !this.routers[node]) {
      this.deliverFrame(node, port, aux, payload); // the usual drop path
      return;
    }
    const cost = receiveCost(this.processing as ProcessingCosts, payload);
    this.submitJob(node, { timer: -1, port, aux, payload, cancelled: false }, cost);
  }

  /** A router timer fired (processing on): the router handles it when the CPU is free. */
  private queueTimer(node: number, timer: number): void {
    const job: CpuJob = { timer, port: 0, aux: 0, payload: null, cancelled: false };
    (this.cpus[node] as NodeCpu).timers.set(timer, job);
    this.submitJob(node, job, 0);
  }

  private submitJob(node: number, job: CpuJob, cost: Micros): void {
    const due = (this.cpus[node] as NodeCpu).submit(this.now, job, cost);
    if (due >= 0) this.scheduler.schedule(due, K_CPU_RUN, node, 0, 0);
  }

  /** The due job of node's CPU is handled now; then the next one, if any, is scheduled. */
  private runCpu(node: number): void {
    const cpu = this.cpus[node] as NodeCpu;
    const job = cpu.begin(this.now);
    const router = this.routers[node];
    if (router !== null && router !== undefined) {
      if (job.timer < 0) this.deliverFrame(node, job.port, job.aux, job.payload as Frame);
      else if (!job.cancelled) {
        if (cpu.timers.get(job.timer) === job) cpu.timers.delete(job.timer);
        this.trace.timer(this.now, node, job.timer);
        router.timer(this.now, job.timer, this.effects[node] as NodeEffects);
      }
    }
    const next = cpu.end(this.now);
    if (next >= 0) this.scheduler.schedule(next, K_CPU_RUN, node, 0, 0);
  }

  /**
   * When a frame node transmits now on `port` leaves: after the signature it made for it, if any,
   * and the work before it (sim/processing.ts Cpu.charge), never before an earlier frame on the
   * same link.
   */
  private departure(node: number, port: Port, linkId: number, frame: Frame): Micros {
    const cpu = this.cpus[node] as NodeCpu;
    const costs = this.processing as ProcessingCosts;
    let cost = 0;
    if (costs.sign > 0 && signedHere(frame, this.keys[node] as PublicKey)) {
      if (frame.type !== FrameType.WakeupBroadcast) cost = costs.sign;
      else if (cpu.lastSigned !== frame.payload) {
        cpu.lastSigned = frame.payload;
        cost = costs.sign;
      }
    }
    let leave = cpu.charge(this.now, cost);
    if (cpu.leaveLink[port] === linkId && (cpu.leaveAt[port] as Micros) > leave)
      leave = cpu.leaveAt[port] as Micros;
    cpu.leaveLink[port] = linkId;
    cpu.leaveAt[port] = leave;
    return leave;
  }

  /** A frame whose signing ended now goes on the wire (lost if its link went down meanwhile). */
  private sendLater(node: number, port: Port, linkId: number, frame: Frame): void {
    const link = this.portLinks[node]?.[port];
    if (link === undefined || link.id !== linkId) {
      if (frame.type === FrameType.Traffic) this.trafficOutcome(node, frame, 'link-down');
      return;
    }
    this.sendingLater = true;
    try {
      this.fxTransmit(node, port, frame);
    } finally {
      this.sendingLater = false;
    }
  }

  private deliverFrame(node: number, port: Port, aux: number, payload: Frame | Uint8Array): void {
    const channel = Math.floor(aux / LEN_SPAN);
    const router = this.routers[node];
    const frame = payload instanceof Uint8Array ? null : payload;
    // The end's handle is kept exactly while the end is attached (at the port it was sent to: an
    // end never moves), so a handle found is the attachment check; without one, attachedAt.
    const handle = this.endHandles[channel];
    if (
      (handle === undefined && !this.attachedAt(node, port, channel >> 1)) ||
      router === null ||
      router === undefined
    ) {
      if (frame !== null && frame.type === FrameType.Traffic)
        this.trafficOutcome(node, frame, 'link-down');
      return;
    }
    const type = frame === null ? ((payload as Uint8Array)[5] as number) : frame.type;
    const length = aux - channel * LEN_SPAN;
    // The 'in' filter is not applied here: the router calls it (Effects.filter → fxFilter) at
    // PROTOCOL.md §7.1 step 2, after the frame reset the read deadline and after local delivery.
    this.trace.frame(this.now, node, port, type, length);
    const fx = this.effects[node] as NodeEffects;
    if (frame === null) router.receiveBytes(this.now, port, payload as Uint8Array, fx);
    else router.receive(this.now, port, frame, fx, handle);
  }

  private portReady(node: number, port: Port, linkId: number): void {
    // By id, as a transmit finds it (fxTransmit): the link while node's end is attached at port.
    const link = this.linksById[linkId];
    if (link === undefined || (link.a === node ? link.portA : link.portB) !== port) return;
    const direction = link.a === node ? 0 : 1;
    const busy = link.busyUntil(direction);
    if (busy > this.now) {
      // The router sent more while busy: the wire is free only later.
      this.scheduler.schedule(busy, K_PORT_READY, node, port, linkId);
      return;
    }
    link.setReadyPending(direction, false);
    const router = this.routers[node];
    if (router === null || router === undefined) return;
    router.portReady(
      this.now,
      port,
      this.effects[node] as NodeEffects,
      this.endHandles[2 * linkId + direction],
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Effects (called by NodeEffects)

  /** @internal */
  fxTransmit(node: number, port: Port, frame: Frame, channel = -1): boolean {
    // The channel (2·link id + end, given to the router's connect) names the link in one read;
    // it is that link while its end is attached at this port, else the ports say (connect in
    // progress, a channel-less router).
    let link = channel >= 0 ? this.linksById[channel >> 1] : undefined;
    if (link === undefined || ((channel & 1) === 0 ? link.portA : link.portB) !== port)
      link = this.portLinks[node]?.[port];
    if (link === undefined) {
      const connecting = this.connecting;
      if (connecting !== null && (connecting.a === node || connecting.b === node)) {
        // Inside connect(): the port is not known to the host yet (see header).
        this.held.push({ node, port, frame });
        return true;
      }
      if (frame.type === FrameType.Traffic) this.trafficOutcome(node, frame, 'link-down');
      return true;
    }
    if (this.processing !== null && !this.sendingLater) {
      // Processing model: the frame leaves when the CPU has done the work before it (signing).
      const leave = this.departure(node, port, link.id, frame);
      if (leave > this.now) {
        this.scheduler.schedule(leave, K_CPU_SEND, node, port, link.id, frame);
        return true;
      }
    }
    const fromA = link.a === node;
    const peer = fromA ? link.b : link.a;
    const peerPort = fromA ? link.portB : link.portA;
    if (this.filter?.(this.names[node] as string, this.names[peer] as string, frame.type, 'out')) {
      if (frame.type === FrameType.Traffic) this.trafficOutcome(node, frame, 'filter');
      return true;
    }
    let bytes: Uint8Array | null = null;
    let length: number;
    if (this.wireEncode) {
      const encoded = encodeFrame(frame);
      if (isCodecError(encoded)) {
        // The sending node stops the link (§3.6); done as an event, not inside the router's call.
        this.scheduler.schedule(this.now, K_LOCAL_CLOSE, node, port, link.id);
        return true;
      }
      bytes = encoded;
      length = encoded.length;
    } else {
      length = frameLength(frame);
      if (length > MAX_FRAME_LENGTH) {
        // §3.6/§7.5: the encoder refuses it; same close path as an encode error in wire mode
        // (router.ts frameTooLong), so object mode and --wire-encode agree (review A.2).
        this.scheduler.schedule(this.now, K_LOCAL_CLOSE, node, port, link.id);
        return true;
      }
    }
    const type = frame.type;
    if (type < FRAME_TYPE_NAMES.length) {
      this.framesSent[type] = (this.framesSent[type] as number) + 1;
      this.bytesSent[type] = (this.bytesSent[type] as number) + length;
    }
    if (type === FrameType.Traffic && this.probes.size > 0) {
      const probe = this.probes.get(decodeProbeId(frame.payload));
      if (probe !== undefined) probe.hops++;
    }
    if (peerPort === 0) {
      // The far end is detached (closing): the frame is lost on a dead stream.
      if (type === FrameType.Traffic) this.trafficOutcome(node, frame, 'link-down');
      return true;
    }
    const direction: Direction = fromA ? 0 : 1;
    const arrival = link.send(direction, this.now, length);
    // The receiving end's channel: the far end of this direction.
    const aux =
      (2 * link.id + 1 - direction) * LEN_SPAN + (length < LEN_SPAN ? length : LEN_SPAN - 1);
    if (arrival >= 0) {
      this.scheduler.schedule(arrival, K_DELIVER, peer, peerPort, aux, bytes ?? frame);
    } else if (arrival === HELD) {
      // Out of range on a stream: delivered when the link is back in range (releaseHeld).
      const held = { direction, node: peer, port: peerPort, aux, payload: bytes ?? frame };
      if (link.held === null) link.held = [held];
      else link.held.push(held);
    }
    if (link.readyAt > this.now) {
      if (!link.readyPending(direction)) {
        link.setReadyPending(direction, true);
        this.scheduler.schedule(link.readyAt, K_PORT_READY, node, port, link.id);
      }
      return false;
    }
    return true;
  }

  /** @internal */
  fxSetTimer(node: number, timer: number, at: Micros): void {
    if (this.processing !== null) {
      // A fired instance still waiting for the CPU is replaced by the re-arm, as a pending one is.
      const waiting = (this.cpus[node] as NodeCpu).timers;
      const job = waiting.get(timer);
      if (job !== undefined) {
        job.cancelled = true;
        waiting.delete(timer);
      }
    }
    const event = this.scheduler.schedule(at, K_TIMER, node, timer, 0);
    const previous = this.timers.set(node, timer, event);
    if (previous >= 0) this.scheduler.cancel(previous);
  }

  /**
   * @internal The router's §7.1 step 2 hook ('in') or an egress check ('out'), mapped to the
   * scenario filter by node names. True = drop.
   */
  fxFilter(node: number, port: Port, frame: Frame, direction: 'in' | 'out'): boolean {
    const filter = this.filter;
    if (filter === null) return false;
    const link = this.portLinks[node]?.[port];
    if (link === undefined) return false;
    const peer = link.a === node ? link.b : link.a;
    return filter(this.names[node] as string, this.names[peer] as string, frame.type, direction);
  }

  /** @internal */
  fxCloseLink(node: number, port: Port, reason: LinkDropReason): void {
    const link = this.portLinks[node]?.[port];
    // A severed link's close is the scenario's doing (out of range), not a fault: counted apart
    // so that fault figures show only what the protocol caused.
    if (link?.severed === true)
      this.scenarioDrops.set('out-of-range', (this.scenarioDrops.get('out-of-range') ?? 0) + 1);
    else this.linkDrops.set(reason, (this.linkDrops.get(reason) ?? 0) + 1);
    if (link === undefined) return;
    const fromA = link.a === node;
    const far = fromA ? link.b : link.a;
    const farPort = fromA ? link.portB : link.portA;
    this.detach(link, node);
    if (farPort !== 0) {
      // The close travels like a frame: after the latency, never before data already in flight.
      const at = Math.max(this.now + link.props.latency, link.lastArrival(fromA ? 0 : 1));
      this.scheduler.schedule(at, K_REMOTE_CLOSE, far, farPort, link.id);
    }
  }

  /** @internal */
  fxTrafficOutcome(node: number, frame: TrafficFrame, reason: TrafficDropReason | null): void {
    this.trafficOutcome(node, frame, reason);
  }

  /** @internal */
  fxExplain(node: number, frame: TrafficFrame | BootstrapFrame, port: Port, reason: string): void {
    if (this.hopListeners.length === 0 || frame.type !== FrameType.Traffic) return;
    const id = decodeProbeId(frame.payload);
    if (id < 0) return;
    const peer = port === 0 ? -1 : this.peerAt(node, port);
    const next = peer < 0 ? null : (this.names[peer] as string);
    for (const listener of this.hopListeners)
      listener(id, this.names[node] as string, port, next, reason);
  }

  private trafficOutcome(
    node: number,
    frame: TrafficFrame,
    reason: TrafficDropReason | null,
  ): void {
    if (this.probes.size === 0) return;
    const id = decodeProbeId(frame.payload);
    const probe = this.probes.get(id);
    if (probe === undefined) return;
    this.probes.delete(id);
    const outcome: TrafficOutcome = {
      id,
      source: probe.source,
      destination: probe.destination,
      reached: reason === null ? (this.names[node] as string) : null,
      hops: probe.hops,
      dropReason: reason,
      at: this.now,
    };
    for (const listener of this.trafficListeners) listener(outcome);
  }

  private requireNode(name: string): number {
    const i = this.index.get(name);
    if (i === undefined || this.routers[i] === null)
      throw new InputError(`unknown node ${JSON.stringify(name)}`);
    return i;
  }
}
