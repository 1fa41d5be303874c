/**
 * results/probe-ledger.ts — the one owner of the run's measurement probes: their ids, hops,
 * outcomes and recorded paths. Stretch measurements (a set of pairs probed at one instant, in each
 * routing mode) and traffic actions send probes through HostApi.sendProbe; the host reports each
 * probe's outcome and hops back here. At the end, summary() turns them into stretch and delivery
 * per mode, pairs.csv, paths.json and the time series points of earlier measurements.
 */

import type { Rng } from '../base/index.ts';
import { INITIAL_WATERMARK } from '../router/keys.ts';
import type { Micros, Watermark } from '../router/types.ts';
import type { HostApi, ProbeRoute, TrafficOutcome } from '../sim/host-api.ts';
import type { Csr } from './graph.ts';
import { DeliveryCounter, type ProbeResult, round, stretchSummary } from './metrics.ts';
import type {
  DeliverySummary,
  HopDecision,
  PairRow,
  PathHop,
  PathRecord,
  ProbeMode,
  RoutingMode,
  StretchSummary,
  TimeseriesRow,
} from './schema.ts';
import { selectPairs } from './stretch.ts';

interface Probe {
  /** Id of the packet in flight (a conversation's packets each get one: see CONVERSATION). */
  id: number;
  /** Packets of the conversation sent so far, this one included (1 for single packets). */
  packet: number;
  /** Hops of a conversation's first packet once it reached D (hybridFirst), else −1. */
  firstHops: number;
  readonly mode: ProbeMode;
  readonly source: string;
  readonly destination: string;
  readonly shortest: number;
  readonly path: readonly string[] | null;
  /** Index of the stretch measurement, or −1 for traffic probes. */
  readonly measurement: number;
  result: ProbeResult | null;
  hops: number;
  reached: string;
}

interface Measurement {
  readonly time: Micros;
  readonly modes: readonly RoutingMode[];
  readonly sampled: boolean;
  readonly probes: Probe[];
}

/** What the probes measured (the final measurement's figures; earlier ones as series rows). */
export interface LedgerSummary {
  readonly stretch: Partial<Record<RoutingMode, StretchSummary>>;
  readonly delivery: Partial<Record<RoutingMode, DeliverySummary>>;
  /** The final measurement's conversations' first packets (RunSummary.hybridFirst), if any. */
  readonly hybridFirst: StretchSummary | null;
  /** Traffic-action probes by mode (incl. "auto"). */
  readonly traffic: Partial<Record<ProbeMode, DeliverySummary>>;
  readonly pairs: PairRow[];
  readonly paths: PathRecord[];
  /** stretch_<mode>_mean/_p95, delivery_<mode>, … of measurements before the final one. */
  readonly rows: TimeseriesRow[];
}

/** The §6.6 decision of a SNEK hop and the watermark the frame leaves with (null: unknown). */
export type Decide = (
  node: string,
  destination: string,
  watermark: Watermark,
) => { readonly decision: HopDecision; readonly next: Watermark } | null;

const s = (us: Micros): number => us / 1_000_000;

/**
 * Mode 'hybrid' is a conversation, as an application talks (PROTOCOL.md §1.3, §7.2): packet 1
 * S→D, on its delivery packet 2 D→S, on its delivery packet 3 S→D, each sent through the
 * routers' own coordinates caches (route 'auto'). D's router caches S's coordinates from packet 1
 * (§7.1 step 1), so packet 2 is tree-routed; S caches D's from packet 2, so packet 3 is: packet 3
 * is what the conversation measures (its steady state). With router option hybrid off nothing is
 * cached and all three go by SNEK. A packet that is dropped or reaches another node ends the
 * conversation with that outcome. Each packet is sent at the instant the previous one arrived (an
 * application that answers at once), as a host action, not from inside the delivering router.
 */
const CONVERSATION = 3;

/** The host route of a measurement mode ('hybrid': its conversation's packets use the cache). */
function probeRoute(mode: ProbeMode): ProbeRoute {
  return mode === 'hybrid' ? 'auto' : mode;
}

export class ProbeLedger {
  private readonly host: HostApi;
  private readonly decide: Decide | undefined;
  private readonly probes = new Map<number, Probe>();
  private readonly measurements: Measurement[] = [];
  private readonly traffic = new Map<ProbeMode, DeliveryCounter>();
  private readonly hops = new Map<number, PathHop[]>();
  /** SNEK probes' watermarks on the way (for decisions), by probe id. */
  private readonly watermarks = new Map<number, Watermark>();
  private nextId = 1;
  private recordPaths = false;
  /** Probes sent and not yet resolved. */
  pending = 0;

  /** `decide`: explain recorded SNEK hops (results/snek-decision.ts), at the moment of the hop. */
  constructor(host: HostApi, decide?: Decide) {
    this.host = host;
    this.decide = decide;
  }

  /** The §6.6 decision of a recorded SNEK-mode hop, when a decider is given. */
  private decision(id: number, node: string): HopDecision | null {
    const decide = this.decide;
    const p = this.probes.get(id);
    if (decide === undefined || p === undefined || p.mode !== 'snek') return null;
    // §6.7: a frame leaves its origin with (FullMask, 0).
    const r = decide(node, p.destination, this.watermarks.get(id) ?? INITIAL_WATERMARK);
    if (r === null) return null;
    this.watermarks.set(id, r.next);
    return r.decision;
  }

  /** A hop of probe `id` (HostApi.onHop): recorded when paths are asked for. */
  hop(id: number, node: string, port: number, next: string | null, reason: string): void {
    if (!this.recordPaths) return;
    const list = this.hops.get(id);
    if (list === undefined) return;
    const decision = this.decision(id, node);
    list.push(
      decision === null ? { node, port, next, reason } : { node, port, next, reason, decision },
    );
  }

  /**
   * One stretch measurement now over the graph of up links `g`: pairs chosen by
   * results/stretch.ts with `rng`, one probe per pair and mode (with their paths when `withPaths`).
   */
  measure(
    g: Csr,
    modes: readonly RoutingMode[],
    exactUpTo: number,
    sample: number,
    rng: Rng,
    withPaths: boolean,
  ): void {
    const { pairs, sampled } = selectPairs(g, exactUpTo, sample, rng, withPaths);
    const m: Measurement = { time: this.host.now, modes, sampled, probes: [] };
    const index = this.measurements.length;
    this.measurements.push(m);
    if (withPaths) this.recordPaths = true;
    for (const mode of modes)
      for (const p of pairs) {
        const probe = this.newProbe(mode, p.source, p.destination, p.shortest, p.path, index);
        m.probes.push(probe);
        if (withPaths) this.hops.set(probe.id, []);
        this.host.sendProbe(p.source, p.destination, probe.id, probeRoute(mode));
      }
  }

  /** One traffic probe (scenario traffic actions); none when an end is absent. */
  sendTraffic(source: string, destination: string, mode: ProbeMode): void {
    if (!this.host.hasNode(source) || !this.host.hasNode(destination)) return;
    const probe = this.newProbe(mode, source, destination, -1, null, -1);
    this.host.sendProbe(source, destination, probe.id, probeRoute(mode));
  }

  /**
   * The next packet of a conversation (CONVERSATION), under a new id: even packets go D→S. Hop
   * records follow the packet in flight, so paths.json shows the measured packet (or the one
   * that ended the conversation).
   */
  private nextPacket(p: Probe): void {
    if (p.result !== null) return;
    if (!this.host.hasNode(p.source) || !this.host.hasNode(p.destination)) {
      // An end left between two packets: the conversation never completes.
      this.resolve(p, { kind: 'lost' });
      return;
    }
    const previous = p.id;
    p.id = this.nextId++;
    p.packet++;
    this.probes.set(p.id, p);
    if (this.hops.delete(previous)) this.hops.set(p.id, []);
    const reply = p.packet % 2 === 0;
    const from = reply ? p.destination : p.source;
    const to = reply ? p.source : p.destination;
    this.host.sendProbe(from, to, p.id, 'auto');
  }

  private newProbe(
    mode: ProbeMode,
    source: string,
    destination: string,
    shortest: number,
    path: readonly string[] | null,
    measurement: number,
  ): Probe {
    const probe: Probe = {
      id: this.nextId++,
      packet: 1,
      firstHops: -1,
      mode,
      source,
      destination,
      shortest,
      path,
      measurement,
      result: null,
      hops: -1,
      reached: '',
    };
    this.probes.set(probe.id, probe);
    this.pending++;
    return probe;
  }

  /** A probe's outcome (HostApi.onTraffic). */
  outcome(o: TrafficOutcome): void {
    const p = this.probes.get(o.id);
    // Not ours, a duplicate outcome, or a late one of an earlier packet of a conversation.
    if (p === undefined || p.result !== null || p.id !== o.id) return;
    this.probes.delete(o.id);
    const intended = p.packet % 2 === 0 ? p.source : p.destination;
    const conversing = p.mode === 'hybrid' && p.packet < CONVERSATION;
    if (conversing && o.dropReason === null && o.reached === intended) {
      // The receiving router has cached the sender's coordinates (§7.1 step 1); it answers.
      if (p.packet === 1) p.firstHops = o.hops;
      this.host.at(this.host.now, () => this.nextPacket(p));
      return;
    }
    p.reached = o.reached ?? '';
    if (o.dropReason === null) p.hops = o.hops;
    this.resolve(
      p,
      o.dropReason !== null
        ? { kind: 'dropped', reason: o.dropReason }
        : { kind: o.reached === intended ? 'delivered' : 'misdelivered' },
    );
  }

  private resolve(p: Probe, result: ProbeResult): void {
    this.pending--;
    p.result = result;
    if (p.measurement === -1) this.trafficCounter(p.mode).add(result);
  }

  private trafficCounter(mode: ProbeMode): DeliveryCounter {
    let c = this.traffic.get(mode);
    if (c === undefined) {
      c = new DeliveryCounter();
      this.traffic.set(mode, c);
    }
    return c;
  }

  /**
   * Stretch and delivery: the last measurement feeds the summary and pairs.csv; earlier ones
   * become time series points. Probes still unresolved count as lost.
   */
  summary(): LedgerSummary {
    const stretch: Partial<Record<RoutingMode, StretchSummary>> = {};
    const delivery: Partial<Record<RoutingMode, DeliverySummary>> = {};
    let hybridFirst: StretchSummary | null = null;
    const pairs: PairRow[] = [];
    const paths: PathRecord[] = [];
    const rows: TimeseriesRow[] = [];
    this.measurements.forEach((m, k) => {
      const final = k === this.measurements.length - 1;
      const at = s(m.time);
      for (const mode of m.modes) {
        const ps = m.probes.filter((p) => p.mode === mode);
        const summary = stretchSummary(
          ps
            .filter((p) => p.result?.kind === 'delivered')
            .map((p) => ({ hops: p.hops, shortest: p.shortest })),
          m.sampled,
        );
        const counter = new DeliveryCounter();
        for (const p of ps) counter.add(p.result ?? { kind: 'lost' });
        if (final) {
          stretch[mode] = summary;
          delivery[mode] = counter.summary();
        } else {
          rows.push({ time_s: at, metric: `stretch_${mode}_mean`, value: summary.mean });
          rows.push({ time_s: at, metric: `stretch_${mode}_p95`, value: summary.p95 });
          // Delivery beside stretch, both over time: delivered / sent (none sent: no row).
          const d = counter.summary();
          if (d.sent > 0)
            rows.push({
              time_s: at,
              metric: `delivery_${mode}`,
              value: round(d.delivered / d.sent),
            });
        }
        if (mode !== 'hybrid') continue;
        // The conversations' first packets, S→D through S's cache as the measurement found it:
        // SNEK without a fresh entry, tree with one (§7.2: 60 s lifetime, clearing rules).
        const first = stretchSummary(
          ps
            .filter((p) => p.firstHops >= 0)
            .map((p) => ({ hops: p.firstHops, shortest: p.shortest })),
          m.sampled,
        );
        if (final) hybridFirst = first;
        else {
          rows.push({ time_s: at, metric: 'stretch_hybrid_first_mean', value: first.mean });
          rows.push({ time_s: at, metric: 'stretch_hybrid_first_p95', value: first.p95 });
        }
      }
      if (final) this.finalRows(m, pairs, paths);
    });
    const traffic: Partial<Record<ProbeMode, DeliverySummary>> = {};
    for (const mode of [...this.traffic.keys()].sort())
      traffic[mode] = (this.traffic.get(mode) as DeliveryCounter).summary();
    return { stretch, delivery, hybridFirst, traffic, pairs, paths, rows };
  }

  /** pairs.csv rows and paths.json records of the final measurement. */
  private finalRows(m: Measurement, pairs: PairRow[], paths: PathRecord[]): void {
    for (const p of m.probes) {
      const outcome = p.result?.kind ?? 'lost';
      const delivered = outcome === 'delivered' || outcome === 'misdelivered';
      pairs.push({
        mode: p.mode as RoutingMode,
        source: p.source,
        destination: p.destination,
        shortest_hops: p.shortest,
        hops: delivered ? p.hops : '',
        stretch: outcome === 'delivered' ? round(p.hops / p.shortest) : '',
        outcome,
        reached: p.reached,
      });
      const hops = this.hops.get(p.id);
      if (hops !== undefined)
        paths.push({
          mode: p.mode as RoutingMode,
          source: p.source,
          destination: p.destination,
          outcome,
          hops,
          shortest: p.path ?? [],
        });
    }
  }
}
