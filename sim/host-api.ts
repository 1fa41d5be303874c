/**
 * sim/host-api.ts — what scenarios and metrics may do to a running simulation.
 *
 * Implemented by sim/host.ts (the Host owns the scheduler, the routers and the links); consumed by
 * scenarios/ (actions at virtual times) and results/ (measurements). Nodes and links are named by
 * the topology's node names; everything here happens at the scheduler's current virtual time
 * unless an `at` is given.
 */

import type { Micros, RouterView, TrafficDropReason } from '../router/types.ts';
import type { Repeer } from './peering.ts';

/**
 * How the host makes a probe's destination coordinates (sendProbe). sim's own type: results/ maps
 * its measurement modes onto it (results/schema.ts RoutingMode: 'hybrid' is a conversation of
 * 'auto' packets), so sim imports nothing from above it.
 */
export type ProbeRoute = 'snek' | 'given' | 'tree' | 'auto';

export interface LinkProps {
  /** One-way propagation delay, µs. */
  readonly latency: Micros;
  /** Uniform extra delay in [0, jitter) µs; never reorders frames on one link direction. */
  readonly jitter: Micros;
  /** Bits per second; 0 = unlimited (no serialisation delay). */
  readonly bandwidth: number;
  /**
   * Probability in [0, 1] that a frame (transport 'datagram') or a TCP segment (transport
   * 'stream': retransmitted after an RTO, sim/link.ts) is lost.
   */
  readonly loss: number;
}

/** Outcome of one traffic frame, reported by the host when it is delivered or dropped. */
export interface TrafficOutcome {
  readonly id: number; // probe id given to sendProbe
  readonly source: string;
  readonly destination: string;
  readonly reached: string | null; // node whose application received it
  readonly hops: number; // links crossed
  readonly dropReason: TrafficDropReason | null;
  readonly at: Micros;
}

/** Frame filter for adversaries: return true to drop. `direction` is relative to `node`. */
export type FrameFilter = (
  node: string,
  peer: string,
  frameType: number,
  direction: 'in' | 'out',
) => boolean;

export interface HostApi {
  readonly now: Micros;
  nodeNames(): readonly string[];
  hasNode(name: string): boolean;
  addNode(name: string): void; // key derived from the run seed (or --keys)
  /**
   * The node leaves: all its links are cut, the router is discarded. Its peerings stay: when a
   * node of that name is added again they are re-dialled (sim/peering.ts).
   */
  removeNode(name: string): void;
  /**
   * Intend the peering a–b (again: a removed one keeps its attributes unless `props` are given),
   * re-connected by `repeer` (default: the run's) when it drops. `a` dials (static). An intended
   * peering that is down is connected now. Returns false when it is up already or a connect now
   * was refused (ports, §4.1). The ends must be known node names; an end that is away gets the
   * link when it returns.
   */
  addLink(a: string, b: string, props?: Partial<LinkProps>, repeer?: Repeer): boolean;
  /** The peering is no longer intended; its link is cut (severed for 'discovery'). */
  removeLink(a: string, b: string): void; // InputError when there is no such intended peering
  setLink(a: string, b: string, props: Partial<LinkProps>): void;
  /** Every up link, each once, as [a, b] with a < b by name order. */
  links(): readonly (readonly [string, string])[];
  /** Intended peerings (up or not) as [a, b] with a < b, sorted; only `node`'s when given. */
  peerings(node?: string): readonly (readonly [string, string])[];
  /** A peering's attributes, or null when a–b never was one. */
  linkProps(a: string, b: string): LinkProps | null;
  /** Intended peerings whose both ends are present (cheap: a counter). */
  linksWanted(): number;
  view(name: string): RouterView;
  /**
   * Send one probe frame from `source`'s application to `destination`'s key. Routes: 'snek' forces
   * empty destination coordinates; 'given' attaches the destination's current coordinates (read
   * from its router, as if learnt from an exchange: tree, SNEK fallback at a dead end); 'tree'
   * attaches them with treeOnly (dropped at a dead end); 'auto' is what an application does
   * (PROTOCOL.md §7.2): the router attaches its coordinates cache's entry, if fresh and hybrid on.
   * The probe id travels in the payload so outcomes and hops can be attributed.
   */
  sendProbe(source: string, destination: string, id: number, route: ProbeRoute): void;
  onTraffic(listener: (outcome: TrafficOutcome) => void): void;
  /**
   * Hop-by-hop explanations of probes (router option recordReasons): `node` forwarded probe `id`
   * on `port` (to `next`, null when delivered locally) because `reason`.
   */
  onHop(
    listener: (id: number, node: string, port: number, next: string | null, reason: string) => void,
  ): void;
  setFilter(filter: FrameFilter | null): void;
  /** Run a callback at virtual time `at` (scenario actions, measurement points). */
  at(time: Micros, action: () => void): void;
  /** Run the simulation until `until` (inclusive) or until `stop()` returns true. */
  runUntil(until: Micros, stop?: () => boolean): void;
}
