/**
 * sim/link.ts — the model of one peering: two directions, each with propagation latency, jitter,
 * bandwidth (serialisation) and random loss, and the link's up/down state.
 *
 * Pinecone peers over reliable ordered byte streams (PROTOCOL.md §1.1), so a direction never
 * reorders: arrival = max(previous arrival, t + serialisation + latency + jitter). Jitter is
 * uniform in [0, jitter) µs. With bandwidth b > 0 bps a frame of n bytes keeps the sender busy for
 * ceil(n·8·10^6 / b) µs; the host tells the router (Effects.transmit returns false) and calls
 * portReady when the sender is free. Loss drops a frame silently (it still used the wire time).
 * Jitter and loss draw from the link's own seeded stream, created on first use.
 */
import type { Micros } from '../router/types.ts';
import { InputError } from './errors.ts';
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

/** Direction index: 0 = from end a to end b, 1 = from b to a. */
export type Direction = 0 | 1;

export class Link {
  /** Unique per created link (in-flight frames carry it, so a reused port never gets them). */
  readonly id: number;
  /** Node indices of the two ends; a is the end named first when the link was created. */
  readonly a: number;
  readonly b: number;
  /** Port of the link on a's and b's router; 0 while not (or no longer) attached there. */
  portA = 0;
  portB = 0;
  props: LinkProps;
  up = true;
  private lastArrival0 = 0;
  private lastArrival1 = 0;
  private busyUntil0 = 0;
  private busyUntil1 = 0;
  private rng: RandomStream | null = null;
  private readonly streams: RandomStreams;
  /**
   * The stream's name, or a function of the ends that makes it on first use (issue 7: the host
   * shares one function between all links instead of keeping a name string per link).
   */
  private readonly streamName: string | ((a: number, b: number) => string);
  /** Per direction: a portReady notification is scheduled (the host keeps at most one). */
  private readyPending0 = false;
  private readyPending1 = false;
  /** Set by send(): when the sender of that direction is free again. */
  readyAt: Micros = 0;

  constructor(
    id: number,
    a: number,
    b: number,
    props: LinkProps,
    streams: RandomStreams,
    streamName: string | ((a: number, b: number) => string),
  ) {
    this.id = id;
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
    // Draw jitter before loss, always in this order, so one knob never shifts the other's draws.
    const jitter = props.jitter > 0 ? this.random().int(props.jitter) : 0;
    if (props.loss > 0 && this.random().next() < props.loss) return -1;
    let arrival = done + props.latency + jitter;
    const previous = direction === 0 ? this.lastArrival0 : this.lastArrival1;
    if (arrival < previous) arrival = previous;
    if (direction === 0) this.lastArrival0 = arrival;
    else this.lastArrival1 = arrival;
    return arrival;
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
