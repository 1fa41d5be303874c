/**
 * results/measurement.ts — the contract between a run's actions (scenarios/) and its measurement
 * (results/collector.ts): what to measure and the calls the runner makes. It lives on the
 * measuring side so results/ imports nothing from scenarios/ (ENGINEERING.md §2.2: no import points
 * up a floor, type-only included); scenarios/ re-exports it where its callers expect it.
 */
import type { Micros, Rng } from '../base/index.ts';
import type { HostApi } from '../sim/host-api.ts';
import type { ProbeMode, RoutingMode } from './schema.ts';

export interface MeasureOptions {
  /** Convergence sampling interval (tree/snake fractions). */
  readonly interval: Micros;
  /** Stretch measured at the end of the run (in addition to `stretch` actions); [] = none. */
  readonly stretchModes: readonly RoutingMode[];
  readonly exactUpTo: number;
  readonly sample: number;
  /** How long probes may travel before the run ends and they count as lost. */
  readonly probeTimeout: Micros;
  /** Record hop-by-hop paths (paths.json) for the final stretch measurement. */
  readonly paths: boolean;
  /**
   * Also measure stretch and delivery (measure.stretch modes) at every multiple of this interval
   * before the end (timeseries stretch_<mode>_mean/_p95, delivery_<mode>); absent = never.
   */
  readonly stretchEvery?: Micros;
}

/** What the measurement needs to know of the run: how long it lasts and what to measure. */
export interface MeasuredRun {
  readonly duration: Micros;
  readonly measure: MeasureOptions;
}

/** What the runner tells the measurement side (results/collector.ts implements it). */
export interface ScenarioCollector {
  /** Called once before anything runs (install listeners, schedule sampling). */
  attach(host: HostApi, run: MeasuredRun): void;
  /** A scenario action changed the topology (for convergence-after-change metrics). */
  topologyChanged(label: string): void;
  /** Count a frame seen by the filter (control overhead); return value ignored. */
  countFrame?(node: string, peer: string, frameType: number, direction: 'in' | 'out'): void;
  /** Positions of mobile nodes, for snapshots. */
  setPosition(node: string, x: number, y: number): void;
  snapshot(label: string | null): void;
  /** Stretch measurement with real probes. */
  measureStretch(modes: readonly RoutingMode[], exactUpTo: number, sample: number, rng: Rng): void;
  /** One application probe (traffic actions). */
  sendTraffic(source: string, destination: string, mode: ProbeMode): void;
  /** The scenario's duration is over: final measurements; returns when the run may stop. */
  finish(): void;
}
