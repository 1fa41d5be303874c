/**
 * live/host.ts — the real-time driver: one pure router/ Router fed from sockets and a clock.
 *
 * It does for one node what sim/host.ts does for thousands in virtual time: implements the
 * router's Effects (transmit → encode and write to the peering's stream; setTimer → a clock timer
 * at `at`; closeLink → close the stream) and turns stream bytes and timer expiries into router
 * calls (receiveBytes, timer, connect, disconnect). Every router call reads `now` from the clock
 * once, so the router sees a monotonic clock and never learns about sockets.
 *
 * Application (what the reference's command-line node and the transcripts' Go side do): every
 * traffic payload delivered here is sent back to the frame's source key (the echo), except echoes
 * of our own pings, which complete a ping instead (so two echoing nodes never loop).
 */
import type { Ed25519 } from '../router/crypto.ts';
import { keysEqual, toHex } from '../router/keys.ts';
import type { RouterOptions } from '../router/options.ts';
import { Router } from '../router/router.ts';
import type {
  Effects,
  Frame,
  Identity,
  LinkType,
  Micros,
  Port,
  PublicKey,
  TrafficDropReason,
  TrafficFrame,
} from '../router/types.ts';
import { LinkType as LinkTypes, MICROS_PER_SECOND } from '../router/types.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { encodeFrame } from '../router/wire/frame.ts';
import { checkHandshake, encodeHandshake } from '../router/wire/handshake.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { Deframer, HandshakeReader } from './deframer.ts';
import type { ByteTransport } from './transport.ts';

/** §3.1: each side writes 104 bytes then reads 104 bytes within a 10 s deadline. */
export const HANDSHAKE_DEADLINE: Micros = 10 * MICROS_PER_SECOND;
/** §4.3: each write has a 3 s deadline [router/peer.go: _write]; a stalled writer drops the link. */
export const WRITE_DEADLINE: Micros = 3 * MICROS_PER_SECOND;
/** Default cap on peerings (handshaking included); the router's own is 253 ports (§4.1). */
export const DEFAULT_MAX_CONNECTIONS = 64;
const PING_PREFIX = 'pinelab-ping:';

/** One structured log line (a peering event). */
export interface LiveEvent {
  readonly event: string;
  readonly [field: string]: string | number | boolean | null | readonly number[];
}

export interface LiveHostConfig {
  readonly identity: Identity;
  readonly crypto: Ed25519;
  readonly clock: Clock;
  /** Router options (defaults: d0beb18, signatures and keepalives on). */
  readonly options?: Partial<RouterOptions>;
  /** Fair-queue randomness (router/queues.ts); the live node is not reproducible anyway. */
  readonly random?: () => number;
  readonly log?: (e: LiveEvent) => void;
  readonly maxConnections?: number;
  /** Echo traffic delivered here back to its source (default true). */
  readonly echo?: boolean;
}

export interface LiveCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  delivered: number;
  echoed: number;
  trafficDropped: number;
  handshakesFailed: number;
  linksDropped: number;
  connectionsRefused: number;
}

type PeeringState = 'handshake' | 'up' | 'closed';

/** One stream: handshake, then frames to and from the router's port. */
export class Peering {
  readonly transport: ByteTransport;
  readonly linkType: LinkType;
  readonly outbound: boolean;
  state: PeeringState = 'handshake';
  port: Port | null = null;
  remoteKey: PublicKey | null = null;
  readonly since: Micros;
  private readonly hsReader = new HandshakeReader();
  private readonly deframer = new Deframer();
  private deadline: TimerHandle | null = null;
  private writeStall: TimerHandle | null = null;
  /** Called once when the stream is gone (static peers re-dial from here). */
  onGone: ((p: Peering) => void) | null = null;
  /** Called once when the handshake succeeded and the router gave a port. */
  onUp: ((p: Peering) => void) | null = null;

  private readonly host: LiveHost;

  constructor(host: LiveHost, transport: ByteTransport, linkType: LinkType, outbound: boolean) {
    this.host = host;
    this.transport = transport;
    this.linkType = linkType;
    this.outbound = outbound;
    this.since = host.clock.now();
  }

  /** §3.1: write our handshake at once (both sides do, without waiting), then read theirs. */
  start(): void {
    this.transport.onData((chunk) => this.data(chunk));
    this.transport.onClose(() => this.gone());
    this.transport.onDrain(() => this.drained());
    this.transport.write(encodeHandshake(this.host.identity, this.host.crypto));
    this.deadline = this.host.clock.at(this.since + HANDSHAKE_DEADLINE, () => {
      if (this.state === 'handshake') this.fail('handshake-timeout');
    });
  }

  private data(chunk: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.state === 'handshake') {
      const hs = this.hsReader.push(chunk);
      if (hs === null) return;
      this.handshakeDone(hs.handshake);
      if ((this.state as PeeringState) !== 'up' || hs.rest.length === 0) return;
      chunk = hs.rest;
    }
    this.host.counters.bytesIn += chunk.length;
    const port = this.port as Port;
    const err = this.deframer.push(chunk, (frame) => {
      if (this.state !== 'up') return;
      this.host.counters.framesIn++;
      this.host.enter((now, fx) => this.host.router.receiveBytes(now, port, frame, fx));
    });
    if (err !== null && this.state === 'up') {
      this.host.enter((now, fx) => {
        this.host.router.disconnect(now, port, fx);
      });
      this.drop(err);
    }
  }

  private handshakeDone(bytes: Uint8Array): void {
    this.deadline?.cancel();
    const hs = checkHandshake(bytes, this.host.crypto);
    if (isCodecError(hs)) {
      this.host.counters.handshakesFailed++;
      this.fail(`bad-handshake: ${hs.message}`);
      return;
    }
    // router.connect sends our announcement at once (§4.2), before it returns the port: the
    // host routes transmits on an unknown port to the peering being connected.
    this.host.connecting = this;
    const port = this.host.enter((now, fx) =>
      this.host.router.connect(now, hs.publicKey, this.linkType, fx),
    );
    this.host.connecting = null;
    if (port === null) {
      this.host.counters.connectionsRefused++;
      this.fail('no-free-port');
      return;
    }
    this.state = 'up';
    this.port = port;
    this.remoteKey = hs.publicKey;
    this.host.byPort.set(port, this);
    this.host.emit({
      event: 'peer-up',
      port,
      key: toHex(hs.publicKey),
      remote: this.transport.remote,
      outbound: this.outbound,
    });
    this.onUp?.(this);
  }

  /** Handshake failure or refusal: close without any frame (bad-handshake transcripts). */
  private fail(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.host.emit({ event: 'peer-refused', reason, remote: this.transport.remote });
    this.transport.close();
  }

  /** The router closed the link (or the deframer refused a header): close the stream. */
  drop(reason: string): void {
    if (this.state !== 'up') return;
    this.state = 'closed';
    this.host.counters.linksDropped++;
    this.host.byPort.delete(this.port as Port);
    this.writeStall?.cancel();
    this.host.emit({
      event: 'peer-down',
      port: this.port as Port,
      key: toHex(this.remoteKey as PublicKey),
      reason,
      by: 'us',
    });
    this.transport.close();
  }

  /** The stream ended (remote close, error, or our own close completing). */
  private gone(): void {
    this.deadline?.cancel();
    this.writeStall?.cancel();
    if (this.state === 'up') {
      this.state = 'closed';
      const port = this.port as Port;
      this.host.byPort.delete(port);
      this.host.enter((now, fx) => this.host.router.disconnect(now, port, fx));
      this.host.emit({
        event: 'peer-down',
        port,
        key: toHex(this.remoteKey as PublicKey),
        reason: 'disconnect',
        by: 'remote',
      });
    }
    this.state = 'closed';
    this.host.peerings.delete(this);
    this.onGone?.(this);
  }

  /** Encode and write; false (and a 3 s write deadline) while the stream is backed up. */
  write(port: Port, frame: Frame): boolean {
    if (this.port === null) {
      this.port = port;
      this.host.byPort.set(port, this);
    }
    const bytes = encodeFrame(frame);
    if (isCodecError(bytes)) {
      this.host.enter((now, fx) => this.host.router.disconnect(now, this.port as Port, fx));
      this.drop('encode-error');
      return true;
    }
    this.host.counters.framesOut++;
    this.host.counters.bytesOut += bytes.length;
    if (this.transport.write(bytes)) return true;
    this.writeStall ??= this.host.clock.at(this.host.clock.now() + WRITE_DEADLINE, () => {
      this.writeStall = null;
      if (this.state !== 'up') return;
      this.host.enter((now, fx) => this.host.router.disconnect(now, this.port as Port, fx));
      this.drop('write-timeout');
    });
    return false;
  }

  private drained(): void {
    this.writeStall?.cancel();
    this.writeStall = null;
    if (this.state !== 'up') return;
    const port = this.port as Port;
    this.host.enter((now, fx) => this.host.router.portReady(now, port, fx));
  }
}

interface PendingPing {
  readonly sentAt: Micros;
  readonly resolve: (rttMs: number | null) => void;
  readonly timer: TimerHandle;
}

export class LiveHost {
  readonly router: Router;
  readonly identity: Identity;
  readonly crypto: Ed25519;
  readonly clock: Clock;
  readonly counters: LiveCounters = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    delivered: 0,
    echoed: 0,
    trafficDropped: 0,
    handshakesFailed: 0,
    linksDropped: 0,
    connectionsRefused: 0,
  };
  readonly byPort = new Map<Port, Peering>();
  /** The peering inside router.connect (its first frame is sent before the port is known). */
  connecting: Peering | null = null;
  readonly peerings = new Set<Peering>();
  readonly maxConnections: number;
  /** Every traffic frame delivered to our application (tests read it). */
  readonly deliveries: TrafficFrame[] = [];
  private readonly timers = new Map<number, TimerHandle>();
  private readonly log: (e: LiveEvent) => void;
  private readonly echo: boolean;
  private readonly pings = new Map<string, PendingPing>();
  private pingCounter = 0;
  private lastNow: Micros = 0;
  private stopped = false;
  private readonly fx: Effects;

  constructor(config: LiveHostConfig) {
    this.identity = config.identity;
    this.crypto = config.crypto;
    this.clock = config.clock;
    this.log = config.log ?? (() => {});
    this.echo = config.echo ?? true;
    this.maxConnections = config.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.router = new Router(
      config.identity,
      { ...config.options },
      config.crypto,
      config.random ?? (() => 0.5),
    );
    this.fx = {
      transmit: (port, frame) =>
        (this.byPort.get(port) ?? this.connecting)?.write(port, frame) ?? true,
      setTimer: (timer, at) => this.setTimer(timer, at),
      closeLink: (port, reason) => this.byPort.get(port)?.drop(reason),
      deliver: (frame) => this.deliver(frame),
      dropTraffic: (_frame, reason: TrafficDropReason) => {
        this.counters.trafficDropped++;
        void reason;
      },
    };
  }

  start(): void {
    this.enter((now, fx) => this.router.start(now, fx));
  }

  /** Run a router call with the current time (never earlier than the previous call's). */
  enter<T>(call: (now: Micros, fx: Effects) => T): T {
    const now = Math.max(this.lastNow, this.clock.now());
    this.lastNow = now;
    return call(now, this.fx);
  }

  emit(e: LiveEvent): void {
    this.log(e);
  }

  /** Adopt a new stream (accepted or dialled): handshake first, then a router port. */
  attach(transport: ByteTransport, linkType: LinkType, outbound: boolean): Peering | null {
    if (this.stopped || this.peerings.size >= this.maxConnections) {
      this.counters.connectionsRefused++;
      this.emit({ event: 'peer-refused', reason: 'connection-limit', remote: transport.remote });
      transport.close();
      return null;
    }
    const p = new Peering(this, transport, linkType, outbound);
    this.peerings.add(p);
    p.start();
    return p;
  }

  private setTimer(timer: number, at: Micros): void {
    this.timers.get(timer)?.cancel();
    if (this.stopped) return;
    this.timers.set(
      timer,
      this.clock.at(at, () => {
        this.timers.delete(timer);
        if (!this.stopped) this.enter((now, fx) => this.router.timer(now, timer, fx));
      }),
    );
  }

  private deliver(frame: TrafficFrame): void {
    this.counters.delivered++;
    this.deliveries.push(frame);
    const text = Buffer.from(frame.payload).toString('latin1');
    if (text.startsWith(PING_PREFIX)) {
      const pending = this.pings.get(text);
      if (pending !== undefined) {
        this.pings.delete(text);
        pending.timer.cancel();
        pending.resolve((this.clock.now() - pending.sentAt) / 1000);
        return;
      }
      // An echo of a ping of ours that already timed out: never echo it again (no loops).
      if (text.startsWith(`${PING_PREFIX}${toHex(this.identity.publicKey)}:`)) return;
    }
    if (!this.echo || keysEqual(frame.sourceKey, this.identity.publicKey)) return;
    // The application answers after the router has finished this event (never re-enter it).
    const source = frame.sourceKey;
    const payload = frame.payload;
    this.clock.at(this.clock.now(), () => {
      if (this.stopped) return;
      this.counters.echoed++;
      this.enter((now, fx) => this.router.sendTraffic(now, source, payload, fx));
    });
  }

  /** Send traffic to `key` from our application (hybrid: cached coordinates, else SNEK, §7.2). */
  send(key: PublicKey, payload: Uint8Array): void {
    this.enter((now, fx) => this.router.sendTraffic(now, key, payload, fx));
  }

  /** Ping `key`: resolves with the echo's round trip in ms, or null after `timeoutMs`. */
  ping(key: PublicKey, timeoutMs: number): Promise<number | null> {
    const id = `${PING_PREFIX}${toHex(this.identity.publicKey)}:${++this.pingCounter}`;
    return new Promise((resolve) => {
      const sentAt = this.clock.now();
      const timer = this.clock.at(sentAt + timeoutMs * 1000, () => {
        this.pings.delete(id);
        resolve(null);
      });
      this.pings.set(id, { sentAt, resolve, timer });
      this.send(key, new Uint8Array(Buffer.from(id, 'latin1')));
    });
  }

  /** Admin view: the router's state plus peers and counters, JSON-ready. */
  state(): Record<string, unknown> {
    const v = this.router.snapshot();
    return {
      key: toHex(v.key),
      root: toHex(v.rootKey),
      rootSeq: v.rootSeq,
      parent: v.parentKey === null ? null : toHex(v.parentKey),
      parentPort: v.parentPort,
      coords: v.coords,
      descending: v.descendingKey === null ? null : toHex(v.descendingKey),
      // §6.1: nodes do not record their ascending neighbour at d0beb18; it is the node whose
      // descending pointer names us, known only from outside.
      ascending: null,
      tableSize: v.tableSize,
      coordsCacheSize: v.coordsCacheSize,
      peers: v.peers.map((p) => {
        const peering = this.byPort.get(p.port);
        return {
          port: p.port,
          key: toHex(p.key),
          remote: peering?.transport.remote ?? null,
          outbound: peering?.outbound ?? null,
          linkType: peering?.linkType ?? null,
        };
      }),
      handshaking: [...this.peerings].filter((p) => p.state === 'handshake').length,
      counters: { ...this.counters },
      uptimeMs: Math.floor(this.clock.now() / 1000),
    };
  }

  /** Close every peering and cancel every timer (clean shutdown). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const p of this.pings.values()) {
      p.timer.cancel();
      p.resolve(null);
    }
    this.pings.clear();
    for (const p of [...this.peerings]) p.transport.close();
  }
}

/** The link type of accepted and dialled TCP/WebSocket peerings (reference: "remote", §4.1). */
export const REMOTE_LINK: LinkType = LinkTypes.Remote;
