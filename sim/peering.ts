/**
 * sim/peering.ts — intended peerings and who re-connects them (PROTOCOL.md §4.6).
 *
 * The router never re-dials: a dropped link stays down until something outside it connects again
 * (§4.6). The host therefore keeps the *intended peerings* (topology links and scenario-added
 * links) apart from the links that are up. A peering is intended until a scenario action removes
 * it; it is *wanted* while it is intended and both its ends exist. How a wanted peering that is
 * down gets back (its `repeer` mode):
 *
 * - 'static' — Pinecone's connection manager for `-connect` peers [connections/manager.go]: a
 *   worker every 5 s on the dialling node dials each static peer that is down and whose
 *   next-attempt time has passed; failed attempt k sets the next attempt to now + 2^k s (at most
 *   1 h); success resets. The first dial happens at once when the node starts. The dialling end is
 *   the end named first (the topology file's source, the add-link action's `a`): a link file lists
 *   each peering once, as one `-connect` URI held by one end; if both ends dialled, every drop would
 *   end in two parallel links (§4.1 allows them).
 * - 'discovery' — LAN discovery [multicast/multicast.go]: every node beacons every 2 s (phase
 *   drawn from the seeded stream "beacon:<node>" on first use); a node that hears a beacon from a
 *   key it has no link to dials it. So a down wanted peering is dialled at the next beacon of
 *   either end. Mobility's unit-disc peering uses it. Going out of range does not cut the link:
 *   frames stop getting through and the routers' own 5 s read deadline closes it (§4.3), as with a
 *   real radio; coming back in range before that keeps the link (a stream delivers what it held
 *   at its next retransmission, sim/link.ts).
 * - 'none' — connected when both ends start (initially, or when either returns) and never
 *   re-dialled after a drop.
 *
 * A dial succeeds when the far end is up (and has a free port, §4.1); the link then comes up after
 * the handshake delay: TCP's three-way handshake (1 RTT before the dialler can write) plus
 * Pinecone's 104-byte handshake each way (§3.1: each side writes, then reads the other's; the
 * listener starts writing when the ACK reaches it), 2 RTT = 4 one-way latencies in all. A failed
 * dial fails at once (connection refused): a node that is down is a stopped pinecone process on a
 * host that still answers; modelling the 5 s dial timeout instead would shift each next attempt by
 * at most 5 s against a backoff that grows to 1 h.
 *
 * Initial topology links and links a scenario adds connect at the instant they are due, without a
 * dial (sim/host.ts header): the scenario's timing is the author's, and static runs keep their
 * trace hashes. Only connects the host makes by itself (re-dials, node returns, discovery) take
 * the handshake delay.
 */
import type { Micros } from '../router/types.ts';
import type { LinkProps } from './host-api.ts';
import type { Link } from './link.ts';

export type Repeer = 'static' | 'discovery' | 'none';
export const REPEER_MODES: readonly Repeer[] = ['static', 'discovery', 'none'];

/** connections/manager.go: the static-peer worker runs every 5 s (§4.6). */
export const WORKER_INTERVAL: Micros = 5_000_000;
/** connections/manager.go: the backoff after k failed attempts is 2^k s, at most 1 h (§4.6). */
export const BACKOFF_MAX: Micros = 3_600_000_000;
/** multicast/multicast.go: a LAN discovery beacon every 2 s (§4.1, §4.6). */
export const BEACON_INTERVAL: Micros = 2_000_000;

/** Delay before the next attempt after `failures` (≥ 1) failed attempts: 2^k s, at most 1 h. */
export function backoffDelay(failures: number): Micros {
  // 2^12 s > 1 h: no need to compute larger powers.
  return failures >= 12 ? BACKOFF_MAX : Math.min(2 ** failures * 1_000_000, BACKOFF_MAX);
}

/** The first instant ≥ t of a periodic process that ran at `phase` and every `interval` since. */
export function nextTick(phase: Micros, t: Micros, interval: Micros): Micros {
  if (t <= phase) return phase;
  return phase + Math.ceil((t - phase) / interval) * interval;
}

/** TCP three-way handshake + the §3.1 104-byte handshake each way: 2 RTT (see the header). */
export function handshakeDelay(props: LinkProps): Micros {
  return 4 * props.latency;
}

/** The static-peer attempt state of connections/manager.go, for one peering. */
export class Dialler {
  /** Failed attempts since the last success. */
  failures = 0;
  /** No attempt before this time (0: at once). */
  nextAttempt: Micros = 0;

  /** An attempt at `now` failed: the next one is due 2^k s later (k = failures so far). */
  fail(now: Micros): Micros {
    this.failures++;
    this.nextAttempt = now + backoffDelay(this.failures);
    return this.nextAttempt;
  }

  /** Connected: count and next-attempt time reset. */
  succeed(): void {
    this.failures = 0;
    this.nextAttempt = 0;
  }
}

/**
 * One intended (or formerly intended) peering, named by its ends; `a` dials (see the header). A
 * peering is its own Dialler (`dialler` is the peering itself): a separate object per peering was
 * ~40 B of host heap per link that most runs never use.
 */
export class Peering extends Dialler {
  readonly key: string;
  readonly a: string;
  readonly b: string;
  /** The peering's own attributes: kept across drops and removals (topology file values). */
  props: LinkProps;
  mode: Repeer;
  /** No scenario action removed it. */
  intended = true;
  /** The link that is up for it, if any. */
  link: Link | null = null;
  /** A connect without a dial is due (topology batch or scenario link): do not dial it. */
  connectPending = false;
  /** Bumped whenever a scheduled attempt becomes stale; events carry the value they saw. */
  epoch = 0;

  constructor(key: string, a: string, b: string, props: LinkProps, mode: Repeer) {
    super();
    this.key = key;
    this.a = a;
    this.b = b;
    this.props = props;
    this.mode = mode;
  }

  /** The static-peer attempt state of this peering (connections/manager.go). */
  get dialler(): Dialler {
    return this;
  }

  other(name: string): string {
    return name === this.a ? this.b : this.a;
  }
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

/**
 * Every peering ever intended, by pair and by node, with the count of wanted ones kept up to date
 * (O(1) to read; the host tells it when nodes come and go).
 */
export class PeeringTable {
  private readonly byKey = new Map<string, Peering>();
  private readonly byNode = new Map<string, Peering[]>();
  /** Nodes that exist now (started or not). */
  private readonly present = new Set<string>();
  /** Intended peerings with both ends present. */
  wanted = 0;

  get(a: string, b: string): Peering | undefined {
    return this.byKey.get(pairKey(a, b));
  }

  /** Every peering of `node`, in creation order. */
  of(node: string): readonly Peering[] {
    return this.byNode.get(node) ?? [];
  }

  /** Create a peering (intended), `a` dialling. */
  add(a: string, b: string, props: LinkProps, mode: Repeer): Peering {
    const p = new Peering(pairKey(a, b), a, b, props, mode);
    this.byKey.set(p.key, p);
    // Copied on add, not pushed: push grows a list by ~half plus 16 slots, and most nodes hold two
    // or three peerings (a node's list was ~150 B of host heap; a copy costs O(degree) per add).
    for (const n of [a, b]) {
      const list = this.byNode.get(n);
      this.byNode.set(n, list === undefined ? [p] : list.concat([p]));
    }
    if (this.bothPresent(p)) this.wanted++;
    return p;
  }

  setIntended(p: Peering, intended: boolean): void {
    if (p.intended === intended) return;
    p.intended = intended;
    p.epoch++;
    if (this.bothPresent(p)) this.wanted += intended ? 1 : -1;
  }

  nodeUp(name: string): void {
    if (this.present.has(name)) return;
    this.present.add(name);
    for (const p of this.of(name)) if (p.intended && this.present.has(p.other(name))) this.wanted++;
  }

  nodeDown(name: string): void {
    if (!this.present.has(name)) return;
    for (const p of this.of(name)) if (p.intended && this.present.has(p.other(name))) this.wanted--;
    this.present.delete(name);
  }

  /** Intended peerings as [x, y] with x < y, sorted; only those of `node` when given. */
  intended(node?: string): [string, string][] {
    const out: [string, string][] = [];
    const source = node === undefined ? this.byKey.values() : this.of(node);
    for (const p of source) if (p.intended) out.push(p.a < p.b ? [p.a, p.b] : [p.b, p.a]);
    out.sort((x, y) =>
      x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0,
    );
    return out;
  }

  private bothPresent(p: Peering): boolean {
    return this.present.has(p.a) && this.present.has(p.b);
  }
}
