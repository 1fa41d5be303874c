/**
 * results/sampler.ts — the run's series on the virtual-time grid: convergence samples (with the
 * episodes no scenario action announced, detected at the sample after them) and control overhead
 * per virtual second. Rows go to a sink as they are taken, in time order (results/timeseries.ts
 * streams them to disk); the samples and changes stay for the episodes of the summary.
 */
import type { Micros } from '../router/types.ts';
import { type ConvergenceSource, ConvergenceTracker } from '../sim/convergence.ts';
import { FRAME_TYPE_NAMES } from '../sim/host.ts';
import type { HostApi } from '../sim/host-api.ts';
import type { Change, EpisodeKind, Sample } from './convergence-series.ts';
import { round } from './metrics.ts';
import type { TimeseriesRow } from './schema.ts';

/** Where series rows go as they are taken. */
export type RowSink = (row: TimeseriesRow) => void;

const s = (us: Micros): number => us / 1_000_000;

/** Virtual second: the bin width of the frames_<type> / bytes_<type> series. */
export const SECOND: Micros = 1_000_000;

/**
 * The convergence tracker of a run reading `source`. With `startUp` (the topology's links and the
 * time by which every node has started), a node with planned links none of which is up yet
 * counts as not converged until then, instead of as a trivially converged isolated node.
 */
export function startUpTracker(
  source: ConvergenceSource,
  startUp?: { readonly links: readonly (readonly [string, string])[]; readonly until: Micros },
): ConvergenceTracker {
  const planned: string[] = [];
  if (startUp !== undefined) for (const [a, b] of startUp.links) if (a !== b) planned.push(a, b);
  return new ConvergenceTracker(source, {
    ...(startUp === undefined ? {} : { startUp: { nodes: planned, until: startUp.until } }),
  });
}

/** Convergence samples, and the changes that open episodes (results/convergence-series.ts). */
export class ConvergenceSampler {
  readonly samples: Sample[] = [];
  readonly changes: Change[] = [{ time: 0, label: 'start-up', kind: 'start-up' }];
  /** Per change: the tracker's snakeLosses total when it happened (losses per episode). */
  readonly changeLosses: number[] = [0];
  /** The one convergence definition (sim/convergence.ts). */
  readonly tracker: ConvergenceTracker;
  /** A scenario action changed the topology since the last sample (it owns what that sample sees). */
  private scenarioChanged = false;
  /** Links up and nodes present at the previous sample (−1 before the first). */
  private prevLinks = -1;
  private prevNodes = -1;
  /** Router closes by reason at the previous sample. */
  private prevDrops = new Map<string, number>();
  /** Links the routers closed and no re-dial has brought back yet (re-peer episodes). */
  private unrepaired = 0;
  /** The tracker's snakeLosses total before the sample being taken. */
  private lossesBefore = 0;
  private readonly emit: RowSink;
  private readonly linkDrops: (() => ReadonlyMap<string, number>) | undefined;
  private readonly onEpisode: ((label: string, kind: EpisodeKind) => void) | undefined;

  /**
   * `linkDrops`: router closes so far by reason (sim/host.ts linkDrops); `onEpisode`: told of each
   * detected episode (the event log).
   */
  constructor(
    tracker: ConvergenceTracker,
    emit: RowSink,
    linkDrops?: () => ReadonlyMap<string, number>,
    onEpisode?: (label: string, kind: EpisodeKind) => void,
  ) {
    this.tracker = tracker;
    this.emit = emit;
    this.linkDrops = linkDrops;
    this.onEpisode = onEpisode;
  }

  /** A scenario action changed the topology now (its label names the episode). */
  topologyChanged(now: Micros, label: string): void {
    this.changes.push({ time: now, label, kind: 'scenario' });
    this.changeLosses.push(this.tracker.snakeLosses);
    this.scenarioChanged = true;
    this.emit({ time_s: s(now), metric: 'topology_change', value: 1 });
  }

  /**
   * One convergence sample now (sim/convergence.ts: O(N), nothing allocated per node); false when
   * this instant was sampled already. Rows: tree_fraction and snake_fraction (the headline
   * definition), coords_fraction (tree correct AND coordinates consistent with the
   * parent's, §5.2: a stricter diagnostic, not part of "converged"), nodes, nodes_up, links_up.
   */
  sample(now: Micros): boolean {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.time === now) return false;
    const tr = this.tracker;
    // Losses this sample sees belong to an episode it detects (detectChanges).
    this.lossesBefore = tr.snakeLosses;
    tr.sample(now);
    const n = tr.liveNodes;
    const sample: Sample = { time: now, tree: tr.treeFraction, snake: tr.snakeFraction };
    this.samples.push(sample);
    const t = s(now);
    this.emit({ time_s: t, metric: 'tree_fraction', value: round(sample.tree) });
    this.emit({ time_s: t, metric: 'snake_fraction', value: round(sample.snake) });
    this.emit({ time_s: t, metric: 'coords_fraction', value: round(tr.coordsFraction) });
    this.emit({ time_s: t, metric: 'nodes', value: n });
    this.emit({ time_s: t, metric: 'nodes_up', value: n });
    this.emit({ time_s: t, metric: 'links_up', value: tr.links });
    this.detectChanges(now);
    return true;
  }

  /**
   * Episodes no scenario action announced (results/convergence-series.ts), seen at the first
   * sample after them, so they start at that sample's time: links the routers closed (host
   * linkDrops, by reason), links re-dialled after such closes (re-peer), other changes in the
   * links up or nodes present, and root refreshes (sim/convergence.ts rootRefreshes, §5.3.1). A
   * change of links or nodes in a window in which a scenario action ran belongs to that action's
   * episode, and so do links coming up later with no router close to repair: the start-up's, or
   * a returning node's peerings re-dialled after it (§4.6).
   */
  private detectChanges(now: Micros): void {
    const tr = this.tracker;
    const links = tr.links;
    const nodes = tr.liveNodes;
    const byScenario = this.scenarioChanged;
    this.scenarioChanged = false;
    const dropped = this.newDrops();
    const moved = this.prevLinks >= 0 && (links !== this.prevLinks || nodes !== this.prevNodes);
    const gained = links - this.prevLinks;
    if (dropped !== null) this.detected(now, `link drop: ${dropped}`, 'link-drop');
    else if (moved && !byScenario) {
      if (nodes === this.prevNodes && gained > 0) {
        // Links coming up: after router closes, re-dialled peerings (§4.6) are an episode of their
        // own; otherwise they are links the start-up or a scenario action asked for (a returning
        // node's peerings, re-dialled 0-5 s after it) and belong to that episode.
        if (this.unrepaired > 0)
          this.detected(now, `re-peer: links up ${this.prevLinks}→${links}`, 'topology');
        this.unrepaired = Math.max(0, this.unrepaired - gained);
      } else {
        const parts: string[] = [];
        if (nodes !== this.prevNodes) parts.push(`nodes ${this.prevNodes}→${nodes}`);
        if (links !== this.prevLinks) parts.push(`links up ${this.prevLinks}→${links}`);
        this.detected(now, parts.join(', '), 'topology');
      }
    }
    if (tr.rootRefreshes > 0)
      this.detected(
        now,
        tr.rootRefreshes === 1 ? 'root refresh' : `root refresh ×${tr.rootRefreshes}`,
        'root-refresh',
      );
    this.prevLinks = links;
    this.prevNodes = nodes;
  }

  private detected(now: Micros, label: string, kind: EpisodeKind): void {
    this.changes.push({ time: now, label, kind });
    this.changeLosses.push(this.lossesBefore);
    this.onEpisode?.(label, kind);
  }

  /**
   * Router closes since the previous sample, "keepalive-timeout ×2, …" (sorted), or null; adds
   * them to `unrepaired`.
   */
  private newDrops(): string | null {
    const drops = this.linkDrops?.();
    if (drops === undefined) return null;
    const parts: string[] = [];
    for (const reason of [...drops.keys()].sort()) {
      const n = (drops.get(reason) as number) - (this.prevDrops.get(reason) ?? 0);
      if (n > 0) {
        parts.push(`${reason} ×${n}`);
        this.unrepaired += n;
      }
    }
    if (parts.length === 0) return null;
    this.prevDrops = new Map(drops);
    return parts.join(', ');
  }
}

/** The host's live wire counters by frame type (sim/host.ts framesSent / bytesSent). */
export interface WireCounters {
  readonly frames: ArrayLike<number>;
  readonly bytes: ArrayLike<number>;
  /** Table entries installed so far, all nodes (sim/host.ts tableInstalls): table_installs. */
  readonly installs?: () => number;
}

/**
 * Control overhead: frames (and bytes, with host counters) sent per virtual second, one row per
 * frame type and bin, zeros included so each series is continuous for the plots. The row at time
 * t covers (t − 1 s, t]; the run's last partial second is binned at its end, as a rate.
 */
export class OverheadSampler {
  /** Frames counted through the filter (hosts without counters), by type; the last: unknown. */
  private readonly counted = new Float64Array(FRAME_TYPE_NAMES.length + 1);
  private readonly lastFrames = new Float64Array(FRAME_TYPE_NAMES.length);
  private readonly lastBytes = new Float64Array(FRAME_TYPE_NAMES.length);
  private lastInstalls = 0;
  /** End of the last bin, µs. */
  private lastBin: Micros = 0;
  private readonly emit: RowSink;
  private readonly counters: WireCounters | undefined;

  /** Without `counters`, frames come from countOut() (no bytes then). */
  constructor(emit: RowSink, counters?: WireCounters) {
    this.emit = emit;
    this.counters = counters;
  }

  /** A frame sent, seen through the filter: each transmission once, on its way out. */
  countOut(frameType: number): void {
    const k =
      frameType >= 0 && frameType < FRAME_TYPE_NAMES.length ? frameType : FRAME_TYPE_NAMES.length;
    this.counted[k] = (this.counted[k] as number) + 1;
  }

  /** Frames counted through the filter so far, by type. */
  get filterCounts(): Float64Array {
    return this.counted;
  }

  /** A bin every virtual second up to `end`, until `ended()` (finish() bins the last part). */
  schedule(host: HostApi, end: Micros, ended: () => boolean): void {
    const perSecond = (): void => {
      if (ended()) return;
      this.bin(host.now);
      if (host.now + SECOND <= end) host.at(host.now + SECOND, perSecond);
    };
    if (SECOND <= end) host.at(SECOND, perSecond);
  }

  /** One row per frame type for (lastBin, now], normalised to per virtual second. */
  bin(now: Micros): void {
    const width = now - this.lastBin;
    if (width <= 0) return;
    const scale = SECOND / width;
    const t = s(now);
    const counters = this.counters;
    for (let k = 0; k < FRAME_TYPE_NAMES.length; k++) {
      const name = FRAME_TYPE_NAMES[k] as string;
      const f = counters === undefined ? (this.counted[k] as number) : (counters.frames[k] ?? 0);
      this.emit({
        time_s: t,
        metric: `frames_${name}`,
        value: round((f - (this.lastFrames[k] as number)) * scale),
      });
      this.lastFrames[k] = f;
      if (counters !== undefined) {
        const b = counters.bytes[k] ?? 0;
        this.emit({
          time_s: t,
          metric: `bytes_${name}`,
          value: round((b - (this.lastBytes[k] as number)) * scale),
        });
        this.lastBytes[k] = b;
      }
    }
    const installs = counters?.installs?.();
    if (installs !== undefined) {
      this.emit({
        time_s: t,
        metric: 'table_installs',
        value: round((installs - this.lastInstalls) * scale),
      });
      this.lastInstalls = installs;
    }
    this.lastBin = now;
  }
}
