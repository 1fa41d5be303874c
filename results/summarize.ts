/**
 * results/summarize.ts — statistics over seeds for a sweep: a tidy long table (one row
 * per run × metric) and a per-grid-point table (n, mean, sd, median, 95% bootstrap CI of the mean)
 * for every numeric summary figure.
 *
 * Both tables load in pandas and R without cleaning: one header row, numbers as plain numbers
 * (durations given as sweep parameters converted to seconds, the unit in the column name, e.g.
 * `latency_s`), a metric's unit in the `unit` column, empty cells for missing values. Grid points
 * are the sweep parameters without `seed`: the seeds (and repetitions) are the samples.
 */
import { join } from 'node:path';
import {
  metricsOf,
  metricValues,
  type RunRecord,
  type RunSet,
  runsByPoint,
  unitOf,
} from './run-set.ts';
import { describe } from './stats.ts';
import { writeCsvAtomic } from './write.ts';

/** Parameters that are samples, not grid coordinates. */
export const SAMPLE_PARAMS = ['seed'];

const DURATION = /^(-?\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/;
const SECONDS: Readonly<Record<string, number>> = {
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};
const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

/** How one parameter's values are written: as numbers, seconds (`_s` column) or strings. */
export interface ParamColumn {
  readonly name: string;
  readonly column: string;
  readonly value: (v: string | undefined) => number | string | null;
}

/** Typed columns for parameters whose values are all numbers or all durations. */
export function paramColumns(names: readonly string[], runs: readonly RunRecord[]): ParamColumn[] {
  return names.map((name) => {
    const values = runs.map((r) => r.params[name]).filter((v): v is string => v !== undefined);
    if (values.length > 0 && values.every((v) => NUMBER.test(v)))
      return { name, column: name, value: (v) => (v === undefined ? null : Number(v)) };
    if (values.length > 0 && values.every((v) => DURATION.test(v)))
      return {
        name,
        column: `${name}_s`,
        value: (v) => {
          const m = v === undefined ? null : DURATION.exec(v);
          return m === null ? null : Number(m[1]) * (SECONDS[m[2] as string] as number);
        },
      };
    return { name, column: name, value: (v) => v ?? null };
  });
}

export type Row = Record<string, number | string | null>;

export interface Summarized {
  readonly longColumns: string[];
  readonly long: Row[];
  readonly gridColumns: string[];
  readonly grid: Row[];
  /** Number of grid points. */
  readonly points: number;
}

/** The two tables of a run set (pure; see writeSummaries for the files). */
export function summarizeRuns(set: RunSet): Summarized {
  const params = paramColumns(set.paramNames, set.runs);
  const long: Row[] = [];
  for (const run of set.runs) {
    const base: Row = { run: run.id, rep: run.rep };
    for (const p of params) base[p.column] = p.value(run.params[p.name]);
    for (const [metric, value] of run.metrics)
      long.push({ ...base, metric, unit: unitOf(metric), value });
  }
  const gridParams = params.filter((p) => !SAMPLE_PARAMS.includes(p.name));
  // Grid points in the order their first run appears (sweep grid order).
  const points = runsByPoint(set.runs, SAMPLE_PARAMS);
  const grid: Row[] = [];
  for (const [key, runs] of points) {
    const first = runs[0] as RunRecord;
    for (const metric of metricsOf(runs)) {
      const d = describe(metricValues(runs, metric), `${key}\0${metric}`);
      const row: Row = {};
      for (const p of gridParams) row[p.column] = p.value(first.params[p.name]);
      Object.assign(row, {
        metric,
        unit: unitOf(metric),
        n: d.n,
        missing: runs.length - d.n,
        mean: d.mean,
        sd: d.sd,
        median: d.median,
        ci95_low: d.ciLow,
        ci95_high: d.ciHigh,
      });
      grid.push(row);
    }
  }
  return {
    longColumns: ['run', 'rep', ...params.map((p) => p.column), 'metric', 'unit', 'value'],
    long,
    gridColumns: [
      ...gridParams.map((p) => p.column),
      'metric',
      'unit',
      'n',
      'missing',
      'mean',
      'sd',
      'median',
      'ci95_low',
      'ci95_high',
    ],
    grid,
    points: points.size,
  };
}

/** Write `summary-long.csv` and `summary-grid.csv` into `dir`; returns their paths. */
export function writeSummaries(dir: string, s: Summarized): { long: string; grid: string } {
  const long = join(dir, 'summary-long.csv');
  const grid = join(dir, 'summary-grid.csv');
  writeCsvAtomic(long, s.longColumns, s.long);
  writeCsvAtomic(grid, s.gridColumns, s.grid);
  return { long, grid };
}
