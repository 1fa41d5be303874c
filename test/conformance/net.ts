/**
 * test/conformance/net.ts — the conformance suite's network: real routers (router/router.ts, real
 * ed25519 signatures through node:crypto with the shared verification cache) inside the real
 * simulator host (sim/host.ts), plus the observation the checklist items need.
 *
 * Why a wrapper and not a host hook: the host takes a router factory `(identity, index, name) =>
 * RouterLike`, so each real Router is wrapped in an `ObservedRouter` that passes every call through
 * and sees every input (frames received, timers) and every output (frames transmitted per port,
 * link closes, deliveries, drops) with the virtual time. sim/host.ts is not touched. The wrapper
 * can also rewrite or lose frames a router transmits (`tap`), which stands in for an in-flight
 * tamper hook, and can inject frames or bytes into a router as if they had arrived on a port.
 *
 * Defaults follow PROTOCOL.md §10 ("signatures on, keepalives on, link latency 0–10 ms"): 5 ms
 * links, every node started at t = 0 (startSpread 0) so that each router numbers its ports in edge
 * order (§4.1, checklist item 23) and its 1 s snake ticks fall on whole seconds.
 */
import { withVerificationCache } from '../../router/crypto-cache.ts';
import { createNodeEd25519 } from '../../router/crypto-node.ts';
import { compareKeys, toHex } from '../../router/keys.ts';
import type { RouterOptions } from '../../router/options.ts';
import { Router } from '../../router/router.ts';
import {
  type Effects,
  type Frame,
  FrameType,
  type Identity,
  type LinkDropReason,
  type LinkType,
  MICROS_PER_MS,
  MICROS_PER_SECOND,
  type Micros,
  type Port,
  type PublicKey,
  type RouterLike,
  type RouterView,
  type TrafficDropReason,
  type TrafficFrame,
  type TrafficRoute,
} from '../../router/types.ts';
import { readBootstrapPayload } from '../../router/wire/bootstrap.ts';
import { isCodecError } from '../../router/wire/errors.ts';
import { decodeFrame } from '../../router/wire/frame.ts';
import { Host, type TopologyEdge } from '../../sim/host.ts';
import type { LinkProps } from '../../sim/host-api.ts';

export const S = MICROS_PER_SECOND;
export const MS = MICROS_PER_MS;

/** One backend for the whole suite: node:crypto behind the run-wide verification cache. */
export const crypto = withVerificationCache(createNodeEd25519());

/** The identity of an ed25519 seed of 32 repeated bytes (as in PROTOCOL.md §3.9, §10 item 23). */
export function seedIdentity(byte: number): Identity {
  const seed = new Uint8Array(32).fill(byte);
  return { seed, publicKey: crypto.publicKey(seed) };
}

export const hex = toHex;
export const hex8 = (key: PublicKey | null): string | null =>
  key === null ? null : toHex(key).slice(0, 8);

export interface TxRecord {
  readonly at: Micros;
  readonly node: string;
  readonly port: Port;
  /** Node at the far end of the port (filled in once the port is known, see connect()). */
  peer: string | null;
  readonly frame: Frame;
}

export interface RxRecord {
  readonly at: Micros;
  readonly node: string;
  readonly port: Port;
  readonly peer: string | null;
  readonly frame: Frame;
}

export interface CloseRecord {
  readonly at: Micros;
  readonly node: string;
  readonly port: Port;
  readonly peer: string | null;
  readonly reason: LinkDropReason;
}

export interface TrafficRecord {
  readonly at: Micros;
  readonly node: string;
  readonly frame: TrafficFrame;
  /** null = delivered to the node's application. */
  readonly reason: TrafficDropReason | null;
}

export interface NodeSpec {
  readonly name: string;
  /** The byte of a repeated-byte seed, or a full 32-byte seed. */
  readonly seed: number | Uint8Array;
  readonly options?: Partial<RouterOptions>;
}

export interface NetConfig {
  readonly nodes: readonly NodeSpec[];
  /** [a, b] or [a, b, latency µs] or a full edge; created in this order (§4.1 port order). */
  readonly edges?: readonly (
    | readonly [string, string]
    | readonly [string, string, Micros]
    | TopologyEdge
  )[];
  /** Router options for every node (a node's own options override them). */
  readonly options?: Partial<RouterOptions>;
  /** Default one-way latency, µs (5 ms). */
  readonly latency?: Micros;
  readonly jitter?: Micros;
  readonly bandwidth?: number;
  readonly startSpread?: Micros;
  readonly seed?: string;
  readonly wireEncode?: boolean;
}

/** Called after every router call with the node name, what happened and the router. */
export type Watcher = (node: string, what: string, router: Router) => void;

/** Passes everything to the real router, recording inputs and outputs on the way. */
class ObservedRouter implements RouterLike {
  readonly inner: Router;
  readonly name: string;
  private readonly net: ConfNet;
  private hostFx: Effects | null = null;
  private wrapped: Effects | null = null;
  /** port → peer node name, set on connect. */
  readonly portPeer = new Map<Port, string>();

  constructor(inner: Router, name: string, net: ConfNet) {
    this.inner = inner;
    this.name = name;
    this.net = net;
  }

  get publicKey(): PublicKey {
    return this.inner.publicKey;
  }

  /** The host's Effects of this node (captured at start); calls through `this` record them. */
  effects(): Effects {
    if (this.hostFx === null) throw new Error(`${this.name}: not started`);
    return this.hostFx;
  }

  private fx(fx: Effects): Effects {
    if (fx === this.hostFx && this.wrapped !== null) return this.wrapped;
    this.hostFx = fx;
    const net = this.net;
    const self = this;
    const wrapped: Effects = {
      transmit(port, frame) {
        const f = net.tap === null ? frame : net.tap(self.name, port, frame, self.inner);
        if (f === null) return true;
        net.tx.push({
          at: net.now,
          node: self.name,
          port,
          peer: self.portPeer.get(port) ?? null,
          frame: f,
        });
        return fx.transmit(port, f);
      },
      setTimer(timer, at) {
        fx.setTimer(timer, at);
      },
      closeLink(port, reason) {
        net.closed.push({
          at: net.now,
          node: self.name,
          port,
          peer: self.portPeer.get(port) ?? null,
          reason,
        });
        fx.closeLink(port, reason);
      },
      deliver(frame) {
        net.traffic.push({ at: net.now, node: self.name, frame, reason: null });
        fx.deliver(frame);
      },
      dropTraffic(frame, reason) {
        net.traffic.push({ at: net.now, node: self.name, frame, reason });
        fx.dropTraffic(frame, reason);
      },
      explain(frame, port, reason) {
        fx.explain?.(frame, port, reason);
      },
      // The host's adversary filter (§7.1 step 2 hook) must reach the router through the wrapper.
      filter(port, frame, direction) {
        return fx.filter?.(port, frame, direction) ?? false;
      },
    };
    this.wrapped = wrapped;
    return wrapped;
  }

  private after(what: string): void {
    const w = this.net.watcher;
    if (w !== null) w(this.name, what, this.inner);
  }

  start(now: Micros, fx: Effects): void {
    this.inner.start(now, this.fx(fx));
    this.after('start');
  }

  connect(now: Micros, remoteKey: PublicKey, linkType: LinkType, fx: Effects): Port | null {
    const from = this.net.tx.length;
    const port = this.inner.connect(now, remoteKey, linkType, this.fx(fx));
    if (port !== null) {
      const peer = this.net.nameOfKey(remoteKey);
      if (peer !== null) this.portPeer.set(port, peer);
      // Frames sent inside connect() name the new port; the peer was not known yet.
      const tx = this.net.tx;
      for (let i = from; i < tx.length; i++) {
        const r = tx[i] as TxRecord;
        if (r.node === this.name && r.port === port) r.peer = peer;
      }
    }
    this.after('connect');
    return port;
  }

  disconnect(now: Micros, port: Port, fx: Effects): void {
    this.inner.disconnect(now, port, this.fx(fx));
    this.after('disconnect');
  }

  receive(now: Micros, port: Port, frame: Frame, fx: Effects): void {
    this.net.rx.push({
      at: now,
      node: this.name,
      port,
      peer: this.portPeer.get(port) ?? null,
      frame,
    });
    this.inner.receive(now, port, frame, this.fx(fx));
    this.after('receive');
  }

  receiveBytes(now: Micros, port: Port, bytes: Uint8Array, fx: Effects): void {
    const decoded = decodeFrame(bytes);
    if (decoded !== null && !isCodecError(decoded)) {
      this.net.rx.push({
        at: now,
        node: this.name,
        port,
        peer: this.portPeer.get(port) ?? null,
        frame: decoded,
      });
    }
    this.inner.receiveBytes(now, port, bytes, this.fx(fx));
    this.after('receive');
  }

  portReady(now: Micros, port: Port, fx: Effects): void {
    this.inner.portReady(now, port, this.fx(fx));
  }

  timer(now: Micros, timer: number, fx: Effects): void {
    this.inner.timer(now, timer, this.fx(fx));
    this.after(`timer:${timer}`);
  }

  sendTraffic(
    now: Micros,
    destinationKey: PublicKey,
    payload: Uint8Array,
    fx: Effects,
    route?: TrafficRoute,
  ): void {
    if (route === undefined) this.inner.sendTraffic(now, destinationKey, payload, this.fx(fx));
    else this.inner.sendTraffic(now, destinationKey, payload, this.fx(fx), route);
    this.after('send');
  }

  snapshot(): RouterView {
    return this.inner.snapshot();
  }
}

/** A network of real routers in the simulator host, with every frame recorded. */
export class ConfNet {
  readonly host: Host;
  readonly tx: TxRecord[] = [];
  readonly rx: RxRecord[] = [];
  readonly closed: CloseRecord[] = [];
  readonly traffic: TrafficRecord[] = [];
  /** Rewrite (or lose, with null) a frame a router transmits, before the host sees it. */
  tap: ((node: string, port: Port, frame: Frame, router: Router) => Frame | null) | null = null;
  watcher: Watcher | null = null;
  private readonly observed = new Map<string, ObservedRouter>();
  private readonly identities = new Map<string, Identity>();
  private readonly names = new Map<string, string>(); // key hex → name
  private readonly nodeOptions = new Map<string, Partial<RouterOptions>>();

  constructor(config: NetConfig) {
    for (const spec of config.nodes) this.define(spec, config.options);
    const defaults: LinkProps = {
      latency: config.latency ?? 5 * MS,
      jitter: config.jitter ?? 0,
      bandwidth: config.bandwidth ?? 0,
      loss: 0,
    };
    const host: Host = new Host({
      seed: config.seed ?? 'conformance',
      identity: (name) => this.identity(name),
      routerFactory: (identity, _index, name) => {
        const inner = new Router(
          identity,
          this.nodeOptions.get(name) ?? {},
          crypto,
          host.streams.sparse(`router:${name}`),
        );
        const wrapped = new ObservedRouter(inner, name, this);
        this.observed.set(name, wrapped);
        return wrapped;
      },
      linkDefaults: defaults,
      startSpread: config.startSpread ?? 0,
      ...(config.wireEncode === undefined ? {} : { wireEncode: config.wireEncode }),
      // The router's own behaviour at d0beb18: it never re-dials (PROTOCOL.md §4.6), so a link it
      // closed stays down until a test adds it again (the host's re-dialling: sim/peering.ts).
      repeer: 'none',
    });
    this.host = host;
    const edges: TopologyEdge[] = (config.edges ?? []).map((e) => {
      if (!Array.isArray(e)) return e as TopologyEdge;
      const [source, target, latency] = e as [string, string, Micros?];
      return latency === undefined ? { source, target } : { source, target, props: { latency } };
    });
    host.loadTopology(
      config.nodes.map((n) => n.name),
      edges,
      'conformance',
    );
  }

  private define(spec: NodeSpec, common: Partial<RouterOptions> | undefined): void {
    const id =
      typeof spec.seed === 'number'
        ? seedIdentity(spec.seed)
        : { seed: spec.seed, publicKey: crypto.publicKey(spec.seed) };
    this.identities.set(spec.name, id);
    this.names.set(toHex(id.publicKey), spec.name);
    this.nodeOptions.set(spec.name, { ...common, ...spec.options });
  }

  /** An identity that is no node (e.g. a foreign root in forged announcements). */
  defineIdentity(name: string, seed: number): void {
    const id = seedIdentity(seed);
    this.identities.set(name, id);
    this.names.set(toHex(id.publicKey), name);
  }

  /** Declare a node to be created later with host.addNode / this.addNode. */
  addNode(spec: NodeSpec, common?: Partial<RouterOptions>): void {
    this.define(spec, common);
    this.host.addNode(spec.name);
  }

  identity(name: string): Identity {
    const id = this.identities.get(name);
    if (id === undefined) throw new Error(`conformance net: no identity for ${name}`);
    return id;
  }

  get now(): Micros {
    return this.host.now;
  }

  /** Run until absolute virtual time `t`. */
  run(t: Micros): void {
    this.host.runUntil(t);
  }

  runFor(d: Micros): void {
    this.host.runUntil(this.host.now + d);
  }

  router(name: string): Router {
    return this.wrapper(name).inner;
  }

  private wrapper(name: string): ObservedRouter {
    const r = this.observed.get(name);
    if (r === undefined) throw new Error(`conformance net: no node ${name}`);
    return r;
  }

  key(name: string): PublicKey {
    return this.identity(name).publicKey;
  }

  view(name: string): RouterView {
    return this.router(name).snapshot();
  }

  nameOfKey(key: PublicKey | null): string | null {
    if (key === null) return null;
    return this.names.get(toHex(key)) ?? null;
  }

  /** Node names of live nodes, in ascending key order. */
  sortedByKey(): string[] {
    return this.host
      .nodeNames()
      .slice()
      .sort((a, b) => compareKeys(this.key(a), this.key(b)));
  }

  /** The port of `name` towards `peer` (the lowest when parallel), or throws. */
  port(name: string, peer: string): Port {
    const key = this.key(peer);
    for (const p of this.view(name).peers) if (compareKeys(p.key, key) === 0) return p.port;
    throw new Error(`conformance net: ${name} has no link to ${peer}`);
  }

  /** Hand `frame` to `name`'s router as if it had just arrived on `port` (at the current time). */
  inject(name: string, port: Port, frame: Frame): void {
    const w = this.wrapper(name);
    w.receive(this.now, port, frame, w.effects());
  }

  injectBytes(name: string, port: Port, bytes: Uint8Array): void {
    const w = this.wrapper(name);
    w.receiveBytes(this.now, port, bytes, w.effects());
  }

  /** Fire one of `name`'s router timers now (as the host would). */
  fireTimer(name: string, timer: number): void {
    const w = this.wrapper(name);
    w.timer(this.now, timer, w.effects());
  }

  /** `source`'s application sends `payload` to `destination` (a node name or a raw key). */
  send(
    source: string,
    destination: string | PublicKey,
    payload: Uint8Array,
    route?: TrafficRoute,
  ): void {
    const w = this.wrapper(source);
    const key = typeof destination === 'string' ? this.key(destination) : destination;
    w.sendTraffic(this.now, key, payload, w.effects(), route);
  }

  // ---- queries over the records -------------------------------------------------------------

  txOf(type: FrameType, node?: string): TxRecord[] {
    return this.tx.filter((r) => r.frame.type === type && (node === undefined || r.node === node));
  }

  rxOf(type: FrameType, node?: string): RxRecord[] {
    return this.rx.filter((r) => r.frame.type === type && (node === undefined || r.node === node));
  }

  /** Bootstraps `node` originated (destination key = its own key), in time order. */
  bootstrapsFrom(node: string): TxRecord[] {
    const key = toHex(this.key(node));
    return this.tx.filter(
      (r) =>
        r.node === node &&
        r.frame.type === FrameType.Bootstrap &&
        toHex(r.frame.destinationKey) === key,
    );
  }

  clearRecords(): void {
    this.tx.length = 0;
    this.rx.length = 0;
    this.closed.length = 0;
    this.traffic.length = 0;
  }
}

/** Bootstrap sequence of a bootstrap frame (§3.8). */
export function bootstrapSeq(frame: Frame): number {
  if (frame.type !== FrameType.Bootstrap) throw new Error('not a bootstrap');
  const p = readBootstrapPayload(frame.payload);
  if (isCodecError(p)) throw new Error(p.message);
  return p.seq;
}

/** A fixed 8-byte payload carrying `id` (distinguishes frames in the records). */
export function payloadOf(id: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(4, id);
  return out;
}

export function idOf(frame: TrafficFrame): number {
  if (frame.payload.length !== 8) return -1;
  return new DataView(frame.payload.buffer, frame.payload.byteOffset, 8).getUint32(4);
}

/** Tree distance between coordinate lists (§2). */
export function treeDistance(a: readonly number[], b: readonly number[]): number {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  return a.length + b.length - 2 * p;
}

/** Deterministic random connected graph: a random spanning tree plus `extra` edges. */
export function randomGraph(
  names: readonly string[],
  extra: number,
  random: () => number,
): [string, string][] {
  const edges: [string, string][] = [];
  const have = new Set<string>();
  const n = names.length;
  const add = (i: number, j: number): boolean => {
    const k = i < j ? `${i}-${j}` : `${j}-${i}`;
    if (i === j || have.has(k)) return false;
    have.add(k);
    edges.push([names[i] as string, names[j] as string]);
    return true;
  };
  for (let i = 1; i < n; i++) add(Math.floor(random() * i), i);
  let guard = 0;
  while (edges.length < n - 1 + extra && guard++ < 100_000) {
    add(Math.floor(random() * n), Math.floor(random() * n));
  }
  return edges;
}

/** The line 1–2–3–4–5–6 of checklist item 23, links created in this order (ports follow it). */
export const LINE_EDGES = [
  ['seed1', 'seed2'],
  ['seed2', 'seed3'],
  ['seed3', 'seed4'],
  ['seed4', 'seed5'],
  ['seed5', 'seed6'],
] as const;

/** The golden line of checklist item 23 (keys from seeds 0x01..0x06; root seed3), run to 15 s. */
export function goldenLine(options: Partial<RouterOptions> = {}): ConfNet {
  const net = new ConfNet({
    nodes: [1, 2, 3, 4, 5, 6].map((s) => ({ name: `seed${s}`, seed: s })),
    edges: LINE_EDGES,
    options,
  });
  net.run(15 * S);
  return net;
}

/**
 * Node names n0..n(k−1) with distinct seeds [i, salt, tag, 0…]. Each suite passes its own `tag`
 * so different files draw different key sets.
 */
export function seeds(k: number, salt: number, tag: number): { name: string; seed: Uint8Array }[] {
  const out: { name: string; seed: Uint8Array }[] = [];
  for (let i = 0; i < k; i++) {
    const seed = new Uint8Array(32);
    seed[0] = i;
    seed[1] = salt;
    seed[2] = tag;
    out.push({ name: `n${i}`, seed });
  }
  return out;
}
