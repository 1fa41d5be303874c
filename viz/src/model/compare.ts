/**
 * viz/src/model/compare.ts — what the compare view shows besides overlaid curves: the table of
 * differences between two runs' summary figures, and the data of a sweep pair (two
 * sweep folders, one value per run and metric) as distributions per metric and grid point.
 * No imports beyond types: Node (cli/report.ts builds SweepPair) and the page both use it.
 */
import type { RunSummary } from '../../../results/schema.ts';

/** Figures that describe the machine or the run's identity, not the protocol (results/run-set.ts). */
const NOT_FIGURES = new Set(['wallSeconds']);

/** Numeric leaves of a summary by dotted path, sorted (arrays such as episodes left out). */
export function summaryFigures(
  value: unknown,
  prefix = '',
  out = new Map<string, number>(),
): Map<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (!NOT_FIGURES.has(prefix)) out.set(prefix, value);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const k of Object.keys(value).sort())
      summaryFigures(
        (value as Record<string, unknown>)[k],
        prefix === '' ? k : `${prefix}.${k}`,
        out,
      );
  }
  return out;
}

export interface DifferenceRow {
  readonly metric: string;
  readonly a: number | null;
  readonly b: number | null;
  /** b − a; null when a side lacks the figure. */
  readonly diff: number | null;
  /** (b − a) / |a| in %; null when a is 0 or missing. */
  readonly pct: number | null;
}

/** Every figure either summary has, A and B side by side, in dotted-path order. */
export function differences(a: RunSummary | null, b: RunSummary | null): DifferenceRow[] {
  const fa = summaryFigures(a ?? {});
  const fb = summaryFigures(b ?? {});
  const metrics = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return metrics.map((metric) => {
    const va = fa.get(metric) ?? null;
    const vb = fb.get(metric) ?? null;
    const diff = va !== null && vb !== null ? vb - va : null;
    return {
      metric,
      a: va,
      b: vb,
      diff,
      pct: diff !== null && va !== null && va !== 0 ? (diff / Math.abs(va)) * 100 : null,
    };
  });
}

/** One run of a sweep: its id, sweep parameters and numeric summary figures. */
export interface SweepRun {
  readonly id: string;
  readonly params: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface SweepSide {
  readonly name: string;
  readonly runs: readonly SweepRun[];
}

/** Per metric and grid point: mean difference with its CI and p (results/compare-groups.ts). */
export interface SweepRow {
  readonly point: string;
  readonly metric: string;
  readonly unit: string;
  readonly meanA: number | null;
  readonly meanB: number | null;
  readonly diff: number | null;
  readonly diffCiLow: number | null;
  readonly diffCiHigh: number | null;
  readonly p: number;
}

/** A sweep pair as the page gets it (cli/report.ts sweepPair). */
export interface SweepPair {
  readonly a: SweepSide;
  readonly b: SweepSide;
  /** Parameters that make a grid point (not seed, not variant). */
  readonly gridParams: readonly string[];
  readonly rows: readonly SweepRow[];
}

/** Grid point label of a run: its grid parameters as name=value, or 'all runs'. */
export function pointLabel(
  params: Readonly<Record<string, string>>,
  grid: readonly string[],
): string {
  const parts = grid.filter((g) => params[g] !== undefined).map((g) => `${g}=${params[g]}`);
  return parts.length === 0 ? 'all runs' : parts.join(', ');
}

/** Metrics shown as plots first (the headline figures), when the sweeps have them. */
export const HEADLINE_METRICS = [
  'treeConvergedAt',
  'snakeConvergedAt',
  'convergence.treeMean',
  'convergence.snakeMean',
  'stretch.snek.mean',
  'stretch.hybrid.mean',
  'stretch.given.mean',
  'stretch.tree.mean',
  'stretch.snek.p95',
  'stretch.hybrid.p95',
  'tableSize.mean',
  'tableInstalls',
  'snakeLosses',
  'framesByType.announcement',
  'framesByType.bootstrap',
  'bytesByType.announcement',
  'bytesByType.bootstrap',
];

/**
 * The distributions to draw: per metric (headline metrics present in either side first, then the
 * rest that vary in either side), per grid point, the values of A's and B's runs.
 */
export function sweepDistributions(pair: SweepPair): {
  readonly points: string[];
  readonly metrics: {
    readonly metric: string;
    readonly a: number[][];
    readonly b: number[][];
  }[];
} {
  const label = (r: SweepRun) => pointLabel(r.params, pair.gridParams);
  const points = [...new Set([...pair.a.runs, ...pair.b.runs].map(label))].sort();
  const all = new Set<string>();
  for (const r of [...pair.a.runs, ...pair.b.runs])
    for (const m of Object.keys(r.metrics)) all.add(m);
  const values = (side: SweepSide, metric: string): number[][] =>
    points.map((p) =>
      side.runs
        .filter((r) => label(r) === p)
        .map((r) => r.metrics[metric])
        .filter((v): v is number => v !== undefined),
    );
  const varies = (metric: string): boolean => {
    const v = new Set<number>();
    for (const r of [...pair.a.runs, ...pair.b.runs]) {
      const x = r.metrics[metric];
      if (x !== undefined) v.add(x);
    }
    return v.size > 1;
  };
  const head = HEADLINE_METRICS.filter((m) => all.has(m));
  const rest = [...all].filter((m) => !head.includes(m) && varies(m)).sort();
  return {
    points,
    metrics: [...head, ...rest].map((metric) => ({
      metric,
      a: values(pair.a, metric),
      b: values(pair.b, metric),
    })),
  };
}
