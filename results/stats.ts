/**
 * results/stats.ts — statistics over seeds: descriptive figures from d3-array, a seeded
 * percentile bootstrap for confidence intervals, a two-sample permutation test and Cohen's d.
 *
 * Determinism: resampling draws come from seedrandom's Alea seeded with a fixed string plus the
 * caller's label (metric and grid point), so the same inputs give the same intervals and p-values
 * on every machine and in any order of computation, like the simulator's named streams.
 */
import { deviation, mean, median, quantileSorted } from 'd3-array';
import seedrandom from 'seedrandom';

/** Bootstrap resamples per interval (Efron & Tibshirani 1993 recommend ≥ 1000 for percentile CIs). */
export const BOOTSTRAP_RESAMPLES = 2000;
/** Exact permutation test up to this many label assignments, else a seeded Monte Carlo one. */
export const EXACT_PERMUTATIONS_UP_TO = 20_000;
/** Monte Carlo permutations when the exact test is too big. */
export const MONTE_CARLO_PERMUTATIONS = 10_000;
/** Two values this close count as equal (floating sums of the same numbers in another order). */
const TIE_TOLERANCE = 1e-9;

function rng(label: string): () => number {
  return seedrandom.alea(`pinelab-stats\0${label}`);
}

export interface Describe {
  readonly n: number;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null below 2 values. */
  readonly sd: number | null;
  readonly median: number | null;
  /** 95% percentile-bootstrap interval of the mean; [x, x] for one value, null for none. */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** n, mean, sd, median and the 95% bootstrap CI of the mean of `xs` (finite numbers). */
export function describe(xs: readonly number[], label: string): Describe {
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, median: null, ciLow: null, ciHigh: null };
  const ci = bootstrapMeanCi(xs, label);
  return {
    n,
    mean: mean(xs) ?? null,
    sd: deviation(xs) ?? null,
    median: median(xs) ?? null,
    ciLow: ci[0],
    ciHigh: ci[1],
  };
}

function resampleMean(xs: readonly number[], next: () => number): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[Math.floor(next() * xs.length)] as number;
  return s / xs.length;
}

function percentiles(sorted: number[], level: number): [number, number] {
  const a = (1 - level) / 2;
  return [quantileSorted(sorted, a) as number, quantileSorted(sorted, 1 - a) as number];
}

/** 95% (or `level`) percentile bootstrap interval of the mean. */
export function bootstrapMeanCi(
  xs: readonly number[],
  label: string,
  level = 0.95,
): [number, number] {
  if (xs.length === 1) return [xs[0] as number, xs[0] as number];
  const next = rng(`mean\0${label}`);
  const means: number[] = [];
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) means.push(resampleMean(xs, next));
  means.sort((x, y) => x - y);
  return percentiles(means, level);
}

/** Percentile bootstrap interval of mean(b) − mean(a), groups resampled independently. */
export function bootstrapDiffCi(
  a: readonly number[],
  b: readonly number[],
  label: string,
  level = 0.95,
): [number, number] {
  const next = rng(`diff\0${label}`);
  const diffs: number[] = [];
  for (let k = 0; k < BOOTSTRAP_RESAMPLES; k++)
    diffs.push(resampleMean(b, next) - resampleMean(a, next));
  diffs.sort((x, y) => x - y);
  return percentiles(diffs, level);
}

/** Cohen's d: (mean(b) − mean(a)) / pooled sd; 0 when both are constant and equal, null if ±∞. */
export function cohensD(a: readonly number[], b: readonly number[]): number | null {
  if (a.length < 2 || b.length < 2) return null;
  const va = (deviation(a) as number) ** 2;
  const vb = (deviation(b) as number) ** 2;
  const pooled = Math.sqrt(((a.length - 1) * va + (b.length - 1) * vb) / (a.length + b.length - 2));
  const diff = (mean(b) as number) - (mean(a) as number);
  if (pooled === 0) return Math.abs(diff) <= TIE_TOLERANCE ? 0 : null;
  return diff / pooled;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

export interface PermutationTest {
  /** Two-sided p-value of "same distribution" for the difference of means. */
  readonly p: number;
  readonly exact: boolean;
  readonly permutations: number;
}

/**
 * Two-sided permutation test of the difference of means (Good 2005, ch. 3): the share of the
 * relabellings of the pooled values whose |mean difference| is at least the observed one. Exact
 * (every relabelling) up to EXACT_PERMUTATIONS_UP_TO; otherwise MONTE_CARLO_PERMUTATIONS seeded
 * draws with the (count + 1) / (draws + 1) correction (Phipson & Smyth 2010). With 4 and 4 runs
 * the smallest possible p is 2/70 ≈ 0.029.
 */
export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  label: string,
): PermutationTest {
  const na = a.length;
  const pooled = [...a, ...b];
  const n = pooled.length;
  if (na === 0 || b.length === 0) return { p: 1, exact: true, permutations: 0 };
  const total = pooled.reduce((s, x) => s + x, 0);
  const stat = (sumA: number) => Math.abs((total - sumA) / (n - na) - sumA / na);
  const observed = stat(a.reduce((s, x) => s + x, 0));
  const threshold = observed - TIE_TOLERANCE * Math.max(1, Math.abs(observed));
  const count = binomial(n, na);
  if (count <= EXACT_PERMUTATIONS_UP_TO) {
    let extreme = 0;
    let seen = 0;
    // Every subset of size na of the pooled indices, as group a.
    const pick = (start: number, left: number, sum: number): void => {
      if (left === 0) {
        seen++;
        if (stat(sum) >= threshold) extreme++;
        return;
      }
      for (let i = start; i <= n - left; i++) pick(i + 1, left - 1, sum + (pooled[i] as number));
    };
    pick(0, na, 0);
    return { p: extreme / seen, exact: true, permutations: seen };
  }
  const next = rng(`perm\0${label}`);
  const idx = pooled.map((_, i) => i);
  let extreme = 0;
  for (let d = 0; d < MONTE_CARLO_PERMUTATIONS; d++) {
    // Partial Fisher–Yates: the first na slots are a uniform random subset.
    let sum = 0;
    for (let i = 0; i < na; i++) {
      const j = i + Math.floor(next() * (n - i));
      const t = idx[i] as number;
      idx[i] = idx[j] as number;
      idx[j] = t;
      sum += pooled[idx[i] as number] as number;
    }
    if (stat(sum) >= threshold) extreme++;
  }
  return {
    p: (extreme + 1) / (MONTE_CARLO_PERMUTATIONS + 1),
    exact: false,
    permutations: MONTE_CARLO_PERMUTATIONS,
  };
}
