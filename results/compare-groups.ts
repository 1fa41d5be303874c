/**
 * results/compare-groups.ts — compare two sets of runs metric by metric: per grid
 * point, both means with their 95% bootstrap CIs, the difference of means with its CI, Cohen's d
 * and a permutation-test p-value; and regression gates that fail only when the change is both
 * larger than the threshold and significant at α, so a gate on a few seeds does not trip on noise.
 *
 * Grid points are matched by their sweep parameters without `seed` and `variant`: the seeds are
 * the samples, and comparing a sweep of one variant with a sweep of another is the point.
 */
import { InputError } from '../base/index.ts';
import { alignColumns, crosses, didYouMean, observedChange, type Threshold } from './compare.ts';
import {
  metricsOf,
  metricValues,
  type RunRecord,
  type RunSet,
  runsByPoint,
  unitOf,
} from './run-set.ts';
import {
  bootstrapDiffCi,
  cohensD,
  type Describe,
  describe,
  EXACT_PERMUTATIONS_UP_TO,
  permutationTest,
} from './stats.ts';

/** Parameters that do not make a grid point (samples, and the thing being compared). */
export const NOT_GRID = ['seed', 'variant'];

export interface GroupRow {
  /** Grid point parameters (without seed and variant); {} for plain groups of runs. */
  readonly point: Readonly<Record<string, string>>;
  readonly metric: string;
  readonly unit: string;
  readonly a: Describe;
  readonly b: Describe;
  /** mean(b) − mean(a), its 95% bootstrap CI, and relative to |mean(a)| in %. */
  readonly diff: number | null;
  readonly diffCiLow: number | null;
  readonly diffCiHigh: number | null;
  readonly diffPct: number | null;
  /** Cohen's d (pooled sd); null when undefined (fewer than 2 runs a side, or zero spread). */
  readonly effect: number | null;
  /** Two-sided permutation p-value of the difference of means (1 when a side is empty). */
  readonly p: number;
  readonly exact: boolean;
}

function pointOf(run: RunRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.params)) if (!NOT_GRID.includes(k)) out[k] = v;
  return out;
}

/** Every metric of every grid point both sets have; a grid point only one side has is an error. */
export function compareRunSets(a: RunSet, b: RunSet): GroupRow[] {
  const pa = runsByPoint(a.runs, NOT_GRID);
  const pb = runsByPoint(b.runs, NOT_GRID);
  const onlyA = [...pa.keys()].filter((k) => !pb.has(k));
  const onlyB = [...pb.keys()].filter((k) => !pa.has(k));
  if (onlyA.length > 0 || onlyB.length > 0) {
    const show = (k: string) =>
      (JSON.parse(k) as [string, string][]).map(([n, v]) => `${n}=${v}`).join(',') || '(none)';
    throw new InputError(
      `compare: the two sides have different grid points (parameters without seed and variant): ${onlyA.length > 0 ? `only in ${a.source}: ${onlyA.map(show).join('; ')}` : ''}${onlyA.length > 0 && onlyB.length > 0 ? '; ' : ''}${onlyB.length > 0 ? `only in ${b.source}: ${onlyB.map(show).join('; ')}` : ''}`,
    );
  }
  const rows: GroupRow[] = [];
  for (const [key, runsA] of pa) {
    const runsB = pb.get(key) as RunRecord[];
    for (const metric of metricsOf([...runsA, ...runsB])) {
      const xa = metricValues(runsA, metric);
      const xb = metricValues(runsB, metric);
      const label = `${key}\0${metric}`;
      const da = describe(xa, `a\0${label}`);
      const db = describe(xb, `b\0${label}`);
      const both = da.mean !== null && db.mean !== null;
      const diff = both ? (db.mean as number) - (da.mean as number) : null;
      const ci = both ? bootstrapDiffCi(xa, xb, label) : null;
      const test = permutationTest(xa, xb, label);
      rows.push({
        point: pointOf(runsA[0] as RunRecord),
        metric,
        unit: unitOf(metric),
        a: da,
        b: db,
        diff,
        diffCiLow: ci === null ? null : ci[0],
        diffCiHigh: ci === null ? null : ci[1],
        diffPct: diff === null || da.mean === 0 ? null : (diff / Math.abs(da.mean as number)) * 100,
        effect: both ? cohensD(xa, xb) : null,
        p: test.p,
        exact: test.exact,
      });
    }
  }
  return rows;
}

/** Smallest p-value the exact permutation test can give with these group sizes. */
export function smallestP(na: number, nb: number): number {
  const n = na + nb;
  let c = 1;
  for (let i = 1; i <= na; i++) c = (c * (n - na + i)) / i;
  return c > EXACT_PERMUTATIONS_UP_TO ? 0 : Math.min(1, 2 / Math.round(c));
}

export interface GateResult {
  readonly threshold: Threshold;
  readonly row: GroupRow;
  /** The change in the threshold's terms (% of mean(a), or the metric's unit). */
  readonly observed: number;
  readonly exceeds: boolean;
  readonly significant: boolean;
  /** exceeds and significant. */
  readonly fail: boolean;
}

/**
 * Every threshold at every grid point. A metric missing from both sides (a typo) or without a
 * value on one side is an input error, as for two runs (results/compare.ts).
 */
export function checkGroupThresholds(
  rows: readonly GroupRow[],
  thresholds: readonly Threshold[],
  alpha: number,
): GateResult[] {
  const out: GateResult[] = [];
  for (const t of thresholds) {
    const mine = rows.filter((r) => r.metric === t.metric);
    if (mine.length === 0)
      throw new InputError(
        `--fail-if ${t.text}: metric "${t.metric}" is not in the runs${didYouMean(t.metric, [
          ...new Set(rows.map((r) => r.metric)),
        ])}`,
      );
    for (const row of mine) {
      if (row.diff === null)
        throw new InputError(
          `--fail-if ${t.text}: metric "${t.metric}" has no value in ${row.a.n === 0 ? 'a' : 'b'}'s runs${pointText(row.point)} (a figure that was null there, e.g. not converged)`,
        );
      const observed = observedChange(t, row.diff, row.diffPct);
      const exceeds = crosses(t, observed);
      const significant = row.p < alpha;
      out.push({ threshold: t, row, observed, exceeds, significant, fail: exceeds && significant });
    }
  }
  return out;
}

export function pointText(point: Readonly<Record<string, string>>): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? '' : ` [${parts.join(', ')}]`;
}

function fmt(v: number | null): string {
  if (v === null) return '–';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 1e4) return String(Math.round(v));
  return v
    .toPrecision(4)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

function signed(v: number | null): string {
  return v === null ? '–' : `${v > 0 ? '+' : ''}${fmt(v)}`;
}

/** One line per gate: FAIL / pass and why (threshold, significance). */
export function formatGate(g: GateResult, alpha: number): string {
  const r = g.row;
  const change = g.threshold.percent
    ? `${signed(Number(g.observed.toFixed(2)))}%`
    : signed(g.observed);
  const means = `mean ${fmt(r.a.mean)} → ${fmt(r.b.mean)} ${r.unit}, n ${r.a.n}/${r.b.n}`;
  const sig = `p=${fmt(r.p)} ${g.significant ? '<' : '≥'} α=${alpha}`;
  const where = `${g.threshold.text}${pointText(r.point)}`;
  if (g.fail) return `FAIL ${where}: ${change} (${means}), significant (${sig})`;
  if (g.exceeds)
    return `pass ${where}: ${change} (${means}) crosses the threshold but is not significant (${sig}): not distinguishable from seed noise`;
  return `pass ${where}: ${change} (${means}) is within the threshold${g.significant ? ` (a significant change, ${sig})` : ` (${sig})`}`;
}

/** Plain-text table of the rows (optionally only the metrics whose means differ). */
export function formatGroupTable(rows: readonly GroupRow[], onlyChanged: boolean): string {
  const body = rows
    .filter((r) => !onlyChanged || (r.diff !== null && r.diff !== 0))
    .map((r) => [
      `${r.metric}${pointText(r.point)}`,
      r.unit,
      `${fmt(r.a.mean)} [${fmt(r.a.ciLow)}, ${fmt(r.a.ciHigh)}]`,
      `${fmt(r.b.mean)} [${fmt(r.b.ciLow)}, ${fmt(r.b.ciHigh)}]`,
      `${signed(r.diff)} [${fmt(r.diffCiLow)}, ${fmt(r.diffCiHigh)}]`,
      r.diffPct === null ? '–' : `${r.diffPct > 0 ? '+' : ''}${r.diffPct.toFixed(2)}%`,
      fmt(r.effect === null ? null : Number(r.effect.toFixed(2))),
      fmt(r.p),
      `${r.a.n}/${r.b.n}`,
    ]);
  const table = [
    [
      'metric',
      'unit',
      'a mean [95% CI]',
      'b mean [95% CI]',
      'b − a [95% CI]',
      'b − a %',
      'd',
      'p',
      'n a/b',
    ],
    ...body,
  ];
  return alignColumns(table);
}
