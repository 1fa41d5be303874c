/**
 * results/convergence-series.ts — convergence over time: from the fractions of correct nodes per
 * sample (sim/convergence.ts decides what "correct" means), the time to converge after start-up
 * and after every topology change (an "episode" runs from one change to the next).
 */
import type { Micros } from '../router/types.ts';

export interface Sample {
  readonly time: Micros;
  readonly tree: number; // fraction of nodes tree-correct
  readonly snake: number;
}

export interface Episode {
  readonly start: Micros;
  readonly label: string;
  /** Time from `start` until the fraction reached 1 and stayed 1 until the next change; null: never. */
  readonly tree: Micros | null;
  readonly snake: Micros | null;
}

/**
 * For each change (the first is start-up at time 0), the delay until the series reached 1 and
 * stayed there up to the next change (or the end of the series).
 */
export function episodes(
  samples: readonly Sample[],
  changes: readonly { readonly time: Micros; readonly label: string }[],
): Episode[] {
  const out: Episode[] = [];
  // Changes at the same virtual time merge into one episode (labels joined).
  const merged: { time: Micros; label: string }[] = [];
  for (const c of changes) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.time === c.time) last.label += `; ${c.label}`;
    else merged.push({ time: c.time, label: c.label });
  }
  let s = 0;
  for (let k = 0; k < merged.length; k++) {
    const c = merged[k] as { time: Micros; label: string };
    const next = merged[k + 1]?.time ?? Number.POSITIVE_INFINITY;
    while (s < samples.length && (samples[s] as Sample).time < c.time) s++;
    let e = s;
    while (e < samples.length && (samples[e] as Sample).time < next) e++;
    const window = samples.slice(s, e);
    out.push({
      start: c.time,
      label: c.label,
      tree: settle(window, 'tree', c.time),
      snake: settle(window, 'snake', c.time),
    });
  }
  return out;
}

/** First sample time from which `metric` is 1 to the end of the window, minus `start`. */
function settle(window: readonly Sample[], metric: 'tree' | 'snake', start: Micros): Micros | null {
  let since: Micros | null = null;
  for (const s of window) {
    if (s[metric] === 1) {
      if (since === null) since = s.time;
    } else since = null;
  }
  return since === null ? null : since - start;
}

/**
 * Absolute time from which the series stayed at `atLeast` or above (default 1: every node) until
 * its end; null if it is below at the end.
 */
export function finalConvergence(
  samples: readonly Sample[],
  metric: 'tree' | 'snake',
  atLeast = 1,
): Micros | null {
  let since: Micros | null = null;
  for (const s of samples) {
    if (s[metric] >= atLeast) {
      if (since === null) since = s.time;
    } else since = null;
  }
  return since;
}
