/**
 * sim/link.ts — the model of one peering: two directions, each with propagation latency, jitter,
 * bandwidth (serialisation) and random loss, and the link's up/down state.
 *
 * Pinecone peers over reliable ordered byte streams (PROTOCOL.md §1.1), so a direction never
 * reorders: arrival = max(previous arrival, t + serialisation + latency + jitter). Jitter is
 * uniform in [0, jitter) µs. With bandwidth b > 0 bps a frame of n bytes keeps the sender busy for
 * ceil(n·8·10^6 / b) µs; the host tells the router (Effects.transmit returns false) and calls
 * portReady when the sender is free. Jitter and loss draw from the link's own seeded stream,
 * created on first use.
 *
 * What `loss` means depends on the transport: over a stream a lost segment delays a frame, over
 * datagrams it drops it. The transports:
 * - 'stream' (Pinecone's TCP/WebSocket peerings, §1.1, §4.6): loss is TCP segment loss under a
 *   reliable ordered stream. A frame of n bytes is ceil(n / MSS) segments (MSS_BYTES); each lost
 *   segment is retransmitted after an RTO that doubles per repeated loss of that segment (RFC 6298
 *   §5.5) and starts again from the link's base RTO for the next one (reset on success). The frame
 *   arrives with its last segment; frames behind it on that direction wait (head-of-line blocking:
 *   the monotone arrival rule above). Nothing is lost inside a working link; a link only dies when
 *   the routers' 5 s read deadline (§4.3) sees nothing arrive. Retransmissions do not use wire time
 *   (bandwidth) and there is no fast retransmit (Pinecone's control traffic is sparse: most losses
 *   are tail losses, which TCP recovers by RTO). With loss 0 no draw is made: arrivals are exactly
 *   those of 'datagram' without loss.
 * - 'datagram' (research on unreliable links): a lost frame is gone (it still used the wire time).
 * A severed link (out of radio range, see sim/peering.ts) delivers nothing and draws nothing. Under
 * 'stream' its frames are held, not lost: TCP keeps retransmitting the first unacknowledged
 * segment with a backed-off RTO, so when the link is back in range the held frames arrive, in
 * order, at the first of those retransmissions after it (send returns HELD; `resume` says when).
 * Until then nothing arrives, so the routers' 5 s read deadline may close the link first (§4.3).
 */

import { InputError } from '../base/index.ts';
import type { Micros } from '../router/types.ts';
import type { LinkProps } from './host-api.ts';
import type { RandomStream, RandomStreams } from './rng.ts';

/** Run defaults when neither the command line nor the topology says otherwise: 1 ms, ideal. */
export const DEFAULT_LINK_PROPS: LinkProps = Object.freeze({
  latency: 1_000,
  jitter: 0,
  bandwidth: 0,
  loss: 0,
});

/** Merge `partial` over `base`, validating each given field; `source` names it in errors. */
export function resolveLinkProps(
  base: LinkProps,
  partial: Partial<LinkProps> | undefined,
  source: string,
): LinkProps {
  if (partial === undefined) return base;
  const out = { ...base };
  for (const [name, value] of Object.entries(partial) as [keyof LinkProps, unknown][]) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_LINK_PROPS)) {
      throw new InputError(
        `${source}: unknown link property '${name}' (expected latency, jitter, bandwidth, loss)`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InputError(
        `${source}: link ${name} must be a finite number ≥ 0, got ${String(value)}`,
      );
    }
    if ((name === 'latency' || name === 'jitter') && !Number.isInteger(value)) {
      throw new InputError(
        `${source}: link ${name} must be an integer number of microseconds, got ${value}`,
      );
    }
    if (name === 'loss' && value > 1) {
      throw new InputError(`${source}: link loss must be a probability in [0, 1], got ${value}`);
    }
    out[name] = value;
  }
  return Object.freeze(out);
}

/** How a link carries frames (see the header). */
export type Transport = 'stream' | 'datagram';
export const TRANSPORTS: readonly Transport[] = ['stream', 'datagram'];

/**
 * TCP maximum segment size on Ethernet: 1500 MTU − 20 (IPv4) − 20 (TCP) − 12 (timestamp option,
 * on by default in Linux) = 1448 bytes. A frame of n bytes is ceil(n / 1448) segments.
 */
export const MSS_BYTES = 1448;
/** Linux TCP_RTO_MIN (include/net/tcp.h): 200 ms, the floor of the RTO's variance term. */
export const RTO_MIN: Micros = 200_000;
/** Linux TCP_RTO_MAX: 120 s, the ceiling of the backed-off RTO (RFC 6298 §2.5 allows ≥ 60 s). */
export const RTO_MAX: Micros = 120_000_000;
/**
 * Linux net.ipv4.tcp_retries2 default 15: after that many retransmissions of one segment the
 * kernel gives up on the connection. Here the frame is lost; the routers' 5 s read deadline
 * (§4.3) has closed the link long before (15 backed-off RTOs take over 13 minutes).
 */
export const MAX_RETRANSMISSIONS = 15;

/**
 * The base retransmission timeout of a link, RFC 6298 §2 shape RTO = SRTT + max(G, K·RTTVAR) with
 * K = 4 and, as Linux does (tcp_set_rto: RTTVAR floored at TCP_RTO_MIN), G = 200 ms. The link's
 * converged estimators: SRTT = mean RTT = 2·latency + jitter (each direction adds a uniform
 * [0, jitter) delay, mean jitter/2), RTTVAR = the RTT's mean absolute deviation = jitter/3 (the
 * sum of two uniform [0, J) draws is triangular on [0, 2J), MAD J/3). Serialisation is left out.
 */
export function baseRto(props: LinkProps): Micros {
  const srtt = 2 * props.latency + props.jitter;
  const rttvar = props.jitter / 3;
  return Math.round(srtt + Math.max(RTO_MIN, 4 * rttvar));
}

/** What send() returns for a frame a severed stream holds until the link is back in range. */
export const HELD = -2;

/** A frame a severed stream holds (kept by the host on the link, delivered on resume). */
export interface HeldFrame {
  readonly direction: Direction;
  readonly node: number;
  readonly port: number;
  readonly aux: number;
  readonly payload: unknown;
}

/** Direction index: 0 = from end a to end b, 1 = from b to a. */
export type Direction = 0 | 1;

export class Link {
  // Field order is layout: V8 lays fields out in this order, and a frame's send reads the ones up
  // to readyPending1. Kept together they span two cache lines of a link not touched for a while,
  // not four (the link was read at its ends, a miss at each, in 5% of a 20,000-node run).
  /** Node indices of the two ends; a is the end named first when the link was created. */
  readonly a: number;
  readonly b: number;
  /** Port of the link on a's and b's router; 0 while not (or no longer) attached there. */
  portA = 0;
  portB = 0;
  private busyUntil0 = 0;
  private busyUntil1 = 0;
  /** Set by send(): when the sender of that direction is free again. */
  readyAt: Micros = 0;
  private lastArrival0 = 0;
  private lastArrival1 = 0;
  props: LinkProps;
  /** Out of radio range (a discovery peering that moved apart): nothing gets through. */
  severed = false;
  readonly transport: Transport;
  /** Per direction: a portReady notification is scheduled (the host keeps at most one). */
  private readyPending0 = false;
  private readyPending1 = false;
  /** Unique per created link (in-flight frames carry it, so a reused port never gets them). */
  readonly id: number;
  up = true;
  /** Stream, severed: when the first held segment was sent, per direction (−1: none held). */
  private heldSince0: Micros = -1;
  private heldSince1: Micros = -1;
  /**
   * The frames held while severed, in send order (the host fills and empties it); null while none
   * are: an empty array in every link was 64 B of each idle router's share of the heap.
   */
  held: HeldFrame[] | null = null;
  private rng: RandomStream | null = null;
  private readonly streams: RandomStreams;
  /**
   * The stream's name, or a function of the ends that makes it on first use (the host shares one
   * function between all links instead of keeping a name string per link: idle heap per link).
   */
  private readonly streamName: string | ((a: number, b: number) => string);

  constructor(
    id: number,
    a: number,
    b: number,
    props: LinkProps,
    streams: RandomStreams,
    streamName: string | ((a: number, b: number) => string),
    transport: Transport = 'datagram',
  ) {
    this.id = id;
    this.transport = transport;
    this.a = a;
    this.b = b;
    this.props = props;
    this.streams = streams;
    this.streamName = streamName;
  }

  private random(): RandomStream {
    if (this.rng === null) {
      const name = this.streamName;
      this.rng = this.streams.stream(typeof name === 'string' ? name : name(this.a, this.b));
    }
    return this.rng;
  }

  /** A portReady notification is scheduled for `direction`. */
  readyPending(direction: Direction): boolean {
    return direction === 0 ? this.readyPending0 : this.readyPending1;
  }

  setReadyPending(direction: Direction, pending: boolean): void {
    if (direction === 0) this.readyPending0 = pending;
    else this.readyPending1 = pending;
  }

  /**
   * Put `bytes` on direction `direction` at `now`. Returns the arrival time at the far end, or -1
   * when the frame is lost. Sets `readyAt` to when the sender may transmit again (> now means busy).
   */
  send(direction: Direction, now: Micros, bytes: number): Micros {
    const props = this.props;
    const busy = direction === 0 ? this.busyUntil0 : this.busyUntil1;
    let done = busy > now ? busy : now;
    if (props.bandwidth > 0) done += Math.ceil((bytes * 8_000_000) / props.bandwidth);
    if (direction === 0) this.busyUntil0 = done;
    else this.busyUntil1 = done;
    this.readyAt = done;
    if (this.severed) {
      if (this.transport === 'datagram') return -1;
      if (direction === 0 ? this.heldSince0 < 0 : this.heldSince1 < 0) {
        if (direction === 0) this.heldSince0 = done;
        else this.heldSince1 = done;
      }
      return HELD;
    }
    // Draw jitter before loss, always in this order, so one knob never shifts the other's draws.
    const jitter = props.jitter > 0 ? this.random().int(props.jitter) : 0;
    let retransmission = 0;
    if (props.loss > 0) {
      if (this.transport === 'datagram') {
        if (this.random().next() < props.loss) return -1;
      } else {
        retransmission = this.retransmissionDelay(bytes);
        if (retransmission < 0) return -1;
      }
    }
    return this.arrive(direction, done + props.latency + jitter + retransmission);
  }

  /** A direction never reorders (the header): `at`, or its previous arrival if that is later. */
  private arrive(direction: Direction, at: Micros): Micros {
    const previous = direction === 0 ? this.lastArrival0 : this.lastArrival1;
    const arrival = at < previous ? previous : at;
    if (direction === 0) this.lastArrival0 = arrival;
    else this.lastArrival1 = arrival;
    return arrival;
  }

  /**
   * Stream transport: how much later than a loss-free send the last of the frame's segments
   * arrives (each segment: the sum of its backed-off RTOs), or -1 when a segment exceeds
   * MAX_RETRANSMISSIONS (or loss is 1: nothing ever gets through).
   */
  private retransmissionDelay(bytes: number): Micros {
    const loss = this.props.loss;
    if (loss >= 1) return -1;
    const segments = Math.max(1, Math.ceil(bytes / MSS_BYTES));
    const base = baseRto(this.props);
    const rng = this.random();
    let worst = 0;
    for (let s = 0; s < segments; s++) {
      let delay = 0;
      let rto = base;
      let tries = 0;
      while (rng.next() < loss) {
        if (++tries > MAX_RETRANSMISSIONS) return -1;
        delay += rto;
        rto = Math.min(2 * rto, RTO_MAX);
      }
      if (delay > worst) worst = delay;
    }
    return worst;
  }

  /**
   * Back in range at `now` (stream): when the frames `direction` held arrive — at the first
   * retransmission of the first held segment at or after now (RTOs doubling from its send, RFC
   * 6298 §5.5), plus the latency, never before earlier arrivals — or −1 if none were held. Frames
   * sent after this wait behind them (head-of-line blocking).
   */
  resume(direction: Direction, now: Micros): Micros {
    const since = direction === 0 ? this.heldSince0 : this.heldSince1;
    if (since < 0) return -1;
    if (direction === 0) this.heldSince0 = -1;
    else this.heldSince1 = -1;
    let retransmit = since;
    let rto = baseRto(this.props);
    for (let k = 0; retransmit < now && k <= MAX_RETRANSMISSIONS; k++) {
      retransmit += rto;
      rto = Math.min(2 * rto, RTO_MAX);
    }
    if (retransmit < now) return -1; // the kernel gave up on the connection (tcp_retries2)
    return this.arrive(direction, retransmit + this.props.latency);
  }

  /** When the sender of `direction` is free. */
  busyUntil(direction: Direction): Micros {
    return direction === 0 ? this.busyUntil0 : this.busyUntil1;
  }

  /** Latest scheduled arrival on a direction (a stream's close reaches the far end after it). */
  lastArrival(direction: Direction): Micros {
    return direction === 0 ? this.lastArrival0 : this.lastArrival1;
  }
}
