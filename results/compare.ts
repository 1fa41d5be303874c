/**
 * results/compare.ts — compare two runs' summaries: flatten every numeric figure to a dotted path
 * ("stretch.hybrid.mean"), put them side by side with absolute and relative deltas, and check
 * regression thresholds like `stretch.hybrid.mean>+2%` (pure functions; cli/compare.ts prints).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../base/index.ts';
import { readCapped } from '../sim/read-file.ts';

/** A summary.json is a few kB; a device or an endless pipe is refused, not read for ever. */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

/** Numeric leaves of a JSON value by dotted path, in sorted path order (booleans as 0/1). */
export function flattenNumbers(
  value: unknown,
  prefix = '',
  out = new Map<string, number>(),
): Map<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) out.set(prefix, value);
  else if (typeof value === 'boolean') out.set(prefix, value ? 1 : 0);
  else if (typeof value === 'object' && value !== null && !Array.isArray(value))
    for (const k of Object.keys(value).sort())
      flattenNumbers(
        (value as Record<string, unknown>)[k],
        prefix === '' ? k : `${prefix}.${k}`,
        out,
      );
  return out;
}

/** Wall-clock and identity fields that are not metrics. */
const NOT_COMPARED = new Set(['wallSeconds']);

export interface CompareRow {
  readonly metric: string;
  readonly a: number | null;
  readonly b: number | null;
  readonly delta: number | null;
  /** Percent change relative to a (null when a is 0 or missing). */
  readonly deltaPct: number | null;
}

export function compareSummaries(a: unknown, b: unknown): CompareRow[] {
  const fa = flattenNumbers(a);
  const fb = flattenNumbers(b);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])]
    .filter((k) => !NOT_COMPARED.has(k))
    .sort();
  return keys.map((metric) => {
    const x = fa.get(metric) ?? null;
    const y = fb.get(metric) ?? null;
    const delta = x === null || y === null ? null : y - x;
    const deltaPct = delta === null || x === 0 || x === null ? null : (delta / Math.abs(x)) * 100;
    return { metric, a: x, b: y, delta, deltaPct };
  });
}

export interface Threshold {
  readonly text: string;
  readonly metric: string;
  readonly op: '>' | '<';
  readonly value: number;
  readonly percent: boolean;
}

/** `metric>+2%`, `metric<-0.5`, `delivery.snek.lost>0`. */
export function parseThreshold(text: string): Threshold {
  const m = /^\s*([A-Za-z0-9_.-]+)\s*([<>])\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (m === null)
    throw new InputError(
      `--fail-if ${JSON.stringify(text)}: expected METRIC>+N%, METRIC<-N, e.g. 'stretch.hybrid.mean>+2%'`,
    );
  return {
    text,
    metric: m[1] as string,
    op: m[2] as '>' | '<',
    value: Number(m[3]),
    percent: m[4] === '%',
  };
}

/**
 * The change in a threshold's terms: the delta, or for a % threshold the change relative to a,
 * where with a = 0 any change counts as ±Infinity %.
 */
export function observedChange(t: Threshold, delta: number, deltaPct: number | null): number {
  if (!t.percent) return delta;
  return (
    deltaPct ?? (delta === 0 ? 0 : delta > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)
  );
}

/** Whether an observed change crosses the threshold. */
export function crosses(t: Threshold, observed: number): boolean {
  return t.op === '>' ? observed > t.value : observed < t.value;
}

/** ` (did you mean one of: …)` for a metric not found: up to 8 with the same first segment. */
export function didYouMean(metric: string, metrics: readonly string[]): string {
  const close = metrics.filter((m) => m.startsWith(metric.split('.')[0] ?? '')).slice(0, 8);
  return close.length > 0 ? ` (did you mean one of: ${close.join(', ')})` : '';
}

/** Why an older run lacks a `hybrid` figure (see migrateSummary), for error messages. */
const HYBRID_HINT =
  '; older results measured `hybrid` with the destination coordinates given: compare it as `given`';

export interface Violation {
  readonly threshold: Threshold;
  readonly row: CompareRow;
  readonly observed: number;
}

/**
 * Thresholds crossed. A metric missing from either run is an input error (a typo must not pass
 * silently). For % thresholds with a = 0: any change counts as ±Infinity %.
 */
export function checkThresholds(
  rows: readonly CompareRow[],
  thresholds: readonly Threshold[],
): Violation[] {
  const byMetric = new Map(rows.map((r) => [r.metric, r]));
  const out: Violation[] = [];
  for (const t of thresholds) {
    const row = byMetric.get(t.metric);
    if (row === undefined)
      throw new InputError(
        `--fail-if ${t.text}: metric "${t.metric}" is not in both runs${didYouMean(
          t.metric,
          rows.map((r) => r.metric),
        )}`,
      );
    const delta = row.delta;
    if (delta === null) {
      // A value in one run only, or in neither: an older results folder, or a null figure (e.g.
      // snakeReached.p99 when 99% of the nodes never settled).
      const where =
        row.a === null && row.b === null
          ? 'in either run'
          : `in run ${row.a === null ? 'a' : 'b'} (${row.a ?? row.b} in the other)`;
      const hint = /^(stretch|delivery)\.hybrid\./.test(t.metric) ? HYBRID_HINT : '';
      throw new InputError(
        `--fail-if ${t.text}: metric "${t.metric}" has no value ${where}: results written before it existed, or a figure that was null there${hint}`,
      );
    }
    const observed = observedChange(t, delta, row.deltaPct);
    if (crosses(t, observed)) out.push({ threshold: t, row, observed });
  }
  return out;
}

/**
 * Older summaries in today's mode names. Before `hybridStretch` existed, `hybrid` was
 * measured with the destination's coordinates given to the source: that figure is `given` now,
 * and `hybrid` is a conversation through the coordinates cache. So an old `stretch.hybrid` /
 * `delivery.hybrid` becomes `given`, and a gate on `stretch.hybrid` never compares the two
 * measurements as if they were one. Returns a new object; others are returned as they are.
 */
export function migrateSummary(summary: unknown): unknown {
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) return summary;
  const s = summary as Record<string, unknown>;
  if (s['hybridStretch'] !== undefined) return summary;
  const out: Record<string, unknown> = { ...s };
  for (const field of ['stretch', 'delivery']) {
    const byMode = s[field];
    if (typeof byMode !== 'object' || byMode === null || !('hybrid' in byMode)) continue;
    const { hybrid, ...rest } = byMode as Record<string, unknown>;
    out[field] = { ...rest, given: hybrid };
  }
  return out;
}

/** Read a run's summary: a results folder (summary.json inside) or a summary JSON file. */
export function readSummary(path: string): unknown {
  let file = path;
  if (existsSync(path) && statSync(path).isDirectory()) file = join(path, 'summary.json');
  if (!existsSync(file))
    throw new InputError(`${path}: no summary.json (is it a finished run folder?)`);
  const text = readCapped(file, MAX_SUMMARY_BYTES, 'a run summary').toString('utf8');
  try {
    return migrateSummary(JSON.parse(text));
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

function fmt(v: number | null): string {
  if (v === null) return '–';
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
}

/** Plain-text table: metric, a, b, delta, delta %. `onlyChanged` hides equal rows. */
export function formatCompareTable(rows: readonly CompareRow[], onlyChanged = false): string {
  const body = rows
    .filter((r) => !onlyChanged || r.delta !== 0)
    .map((r) => [
      r.metric,
      fmt(r.a),
      fmt(r.b),
      r.delta === null ? '–' : `${r.delta > 0 ? '+' : ''}${fmt(r.delta)}`,
      r.deltaPct === null ? '–' : `${r.deltaPct > 0 ? '+' : ''}${r.deltaPct.toFixed(2)}%`,
    ]);
  return alignColumns([['metric', 'a', 'b', 'delta', 'delta %'], ...body]);
}

/**
 * A plain-text table from rows of cells (the first row the header): the first column padded on
 * the right, the others on the left (numbers line up), two spaces between columns.
 */
export function alignColumns(table: readonly (readonly string[])[]): string {
  const widths =
    table[0]?.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length))) ?? [];
  return table
    .map((row) =>
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
