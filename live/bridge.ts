/**
 * live/bridge.ts — real routers inside a simulated network (`pinelab emulate`).
 *
 * BridgeRouter stands in the simulator (sim/host.ts, through RouterLike) for node NODE and is
 * driven by an external Pinecone router instead of a pure Router: for every simulated peering of
 * NODE it dials the external router's TCP address and does the §3.1 handshake *as the simulated
 * neighbour* (its seed), so the external router sees one peering per simulated neighbour, with the
 * neighbours' keys. Frames the simulation puts on NODE's links are encoded and written to that
 * peering; frames the external router writes are decoded and put on the simulated link as if
 * NODE had transmitted them, as a scheduler action at the current virtual time. A socket close is
 * the link's close; a simulated link going down closes the socket.
 *
 * EchoRouter wraps the simulated nodes' routers with the application every live node has: traffic
 * delivered to a node is sent back to its source (so the external router can ping them), and
 * `ping` lets a simulated node ping any key.
 */
import { connect, type Socket } from 'node:net';
import type { Ed25519 } from '../router/crypto.ts';
import { keysEqual, toHex } from '../router/keys.ts';
import type {
  Effects,
  Frame,
  Identity,
  LinkType,
  Micros,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
  TrafficFrame,
  TrafficRoute,
} from '../router/types.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { decodeFrame, encodeFrame } from '../router/wire/frame.ts';
import { checkHandshake, encodeHandshake } from '../router/wire/handshake.ts';
import { Deframer, HandshakeReader } from './deframer.ts';

/** Run `fn` inside the simulation at its current virtual time (HostApi.at(host.now, fn)). */
export type Inject = (fn: (now: Micros) => void) => void;

interface BridgeLink {
  readonly port: Port;
  /** The simulated neighbour this peering speaks as. */
  readonly key: PublicKey;
  readonly socket: Socket;
  up: boolean;
  closed: boolean;
  readonly queue: Uint8Array[];
}

export interface BridgeConfig {
  readonly name: string;
  /** The external router's key (from a first handshake; see cli/emulate.ts). */
  readonly publicKey: PublicKey;
  readonly host: string;
  readonly port: number;
  /** Identity of a simulated node by key (the bridge speaks the handshake as it). */
  readonly identityOf: (key: PublicKey) => Identity | null;
  readonly crypto: Ed25519;
  readonly inject: Inject;
  readonly log: (e: Record<string, unknown>) => void;
}

export class BridgeRouter implements RouterLike {
  readonly publicKey: PublicKey;
  private readonly config: BridgeConfig;
  private readonly links = new Map<Port, BridgeLink>();
  private fx: Effects | null = null;
  framesIn = 0;
  framesOut = 0;

  constructor(config: BridgeConfig) {
    this.config = config;
    this.publicKey = config.publicKey;
  }

  start(_now: Micros, fx: Effects): void {
    this.fx = fx;
  }

  connect(_now: Micros, remoteKey: PublicKey, _linkType: LinkType, fx: Effects): Port | null {
    this.fx = fx;
    let port = 1;
    while (this.links.has(port)) port++;
    if (port > 253) return null;
    const identity = this.config.identityOf(remoteKey);
    if (identity === null) return null;
    const socket = connect({ host: this.config.host, port: this.config.port });
    socket.setNoDelay(true);
    const link: BridgeLink = { port, key: remoteKey, socket, up: false, closed: false, queue: [] };
    this.links.set(port, link);
    const hsReader = new HandshakeReader();
    const deframer = new Deframer();
    socket.on('connect', () => socket.write(encodeHandshake(identity, this.config.crypto)));
    socket.on('data', (chunk: Buffer) => {
      if (link.closed) return;
      let data: Uint8Array = chunk;
      if (!link.up) {
        const hs = hsReader.push(chunk);
        if (hs === null) return;
        const ok = checkHandshake(hs.handshake, this.config.crypto);
        if (isCodecError(ok) || !keysEqual(ok.publicKey, this.publicKey)) {
          this.config.log({
            event: 'bridge-refused',
            node: this.config.name,
            port,
            reason: isCodecError(ok) ? ok.message : 'another key',
          });
          this.close(link, true);
          return;
        }
        link.up = true;
        for (const b of link.queue.splice(0)) socket.write(b);
        data = hs.rest;
        this.config.log({
          event: 'bridge-up',
          node: this.config.name,
          port,
          as: toHex(identity.publicKey),
        });
      }
      const err = deframer.push(data, (bytes) => {
        const frame = decodeFrame(bytes);
        if (frame === null) return;
        if (isCodecError(frame)) {
          this.close(link, true);
          return;
        }
        this.framesIn++;
        this.config.inject(() => {
          if (!link.closed) this.fx?.transmit(port, frame);
        });
      });
      if (err !== null) this.close(link, true);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.close(link, true));
    return port;
  }

  /** Close the socket; `tellSim`: the external side ended it, so the simulated link goes too. */
  private close(link: BridgeLink, tellSim: boolean): void {
    if (link.closed) return;
    link.closed = true;
    link.socket.destroy();
    this.links.delete(link.port);
    this.config.log({ event: 'bridge-down', node: this.config.name, port: link.port });
    if (tellSim) this.config.inject(() => this.fx?.closeLink(link.port, 'disconnect'));
  }

  disconnect(_now: Micros, port: Port, _fx: Effects): void {
    const link = this.links.get(port);
    if (link !== undefined) this.close(link, false);
  }

  receive(_now: Micros, port: Port, frame: Frame, fx: Effects): void {
    this.fx = fx;
    const link = this.links.get(port);
    if (link === undefined) return;
    const bytes = encodeFrame(frame);
    if (isCodecError(bytes)) return;
    this.framesOut++;
    if (link.up) link.socket.write(bytes);
    else link.queue.push(bytes);
  }

  receiveBytes(now: Micros, port: Port, bytes: Uint8Array, fx: Effects): void {
    const frame = decodeFrame(bytes);
    if (frame !== null && !isCodecError(frame)) this.receive(now, port, frame, fx);
  }

  portReady(): void {}
  timer(): void {}
  sendTraffic(): void {}

  snapshot(): RouterView {
    return {
      key: this.publicKey,
      rootKey: this.publicKey,
      rootSeq: 0,
      parentPort: null,
      parentKey: null,
      coords: [],
      descendingKey: null,
      tableSize: 0,
      tableInstalls: 0,
      coordsCacheSize: 0,
      peers: [...this.links.values()]
        .map(({ port, key }) => ({ port, key }))
        .sort((a, b) => a.port - b.port),
    };
  }

  stop(): void {
    for (const link of [...this.links.values()]) this.close(link, false);
  }
}

const PING_PREFIX = 'pinelab-sim-ping:';

/** A simulated node's router with the live application: echo, and pings of its own. */
export class EchoRouter implements RouterLike {
  readonly publicKey: PublicKey;
  readonly inner: RouterLike;
  private readonly inject: Inject;
  private readonly wrapped = new WeakMap<Effects, Effects>();
  private readonly pings = new Map<string, (at: Micros) => void>();
  private counter = 0;
  private lastFx: Effects | null = null;

  constructor(inner: RouterLike, inject: Inject) {
    this.inner = inner;
    this.publicKey = inner.publicKey;
    this.inject = inject;
  }

  private wrap(fx: Effects): Effects {
    let w = this.wrapped.get(fx);
    if (w === undefined) {
      const deliver = (frame: TrafficFrame): void => {
        fx.deliver(frame);
        if (!keysEqual(frame.destinationKey, this.publicKey)) return;
        const text = Buffer.from(frame.payload).toString('latin1');
        const done = this.pings.get(text);
        if (done !== undefined) {
          this.pings.delete(text);
          this.inject((now) => done(now));
          return;
        }
        if (text.startsWith(`${PING_PREFIX}${toHex(this.publicKey)}:`)) return;
        const source = frame.sourceKey;
        const payload = frame.payload;
        this.inject((now) => this.inner.sendTraffic(now, source, payload, w as Effects));
      };
      w = Object.assign(Object.create(fx) as Effects, { deliver });
      this.wrapped.set(fx, w);
    }
    this.lastFx = w;
    return w;
  }

  /** Ping `key` from this node: `done` gets the virtual time the echo arrived. */
  ping(now: Micros, key: PublicKey, done: (at: Micros) => void): void {
    const id = `${PING_PREFIX}${toHex(this.publicKey)}:${++this.counter}`;
    this.pings.set(id, done);
    if (this.lastFx !== null)
      this.inner.sendTraffic(now, key, new Uint8Array(Buffer.from(id, 'latin1')), this.lastFx);
  }

  start(now: Micros, fx: Effects): void {
    this.inner.start(now, this.wrap(fx));
  }
  connect(now: Micros, remoteKey: PublicKey, linkType: LinkType, fx: Effects): Port | null {
    return this.inner.connect(now, remoteKey, linkType, this.wrap(fx));
  }
  disconnect(now: Micros, port: Port, fx: Effects): void {
    this.inner.disconnect(now, port, this.wrap(fx));
  }
  receive(now: Micros, port: Port, frame: Frame, fx: Effects): void {
    this.inner.receive(now, port, frame, this.wrap(fx));
  }
  receiveBytes(now: Micros, port: Port, bytes: Uint8Array, fx: Effects): void {
    this.inner.receiveBytes(now, port, bytes, this.wrap(fx));
  }
  portReady(now: Micros, port: Port, fx: Effects): void {
    this.inner.portReady(now, port, this.wrap(fx));
  }
  timer(now: Micros, timer: number, fx: Effects): void {
    this.inner.timer(now, timer, this.wrap(fx));
  }
  sendTraffic(
    now: Micros,
    destinationKey: PublicKey,
    payload: Uint8Array,
    fx: Effects,
    route?: TrafficRoute,
  ): void {
    this.inner.sendTraffic(now, destinationKey, payload, this.wrap(fx), route);
  }
  snapshot(): RouterView {
    return this.inner.snapshot();
  }
}
