/**
 * results/convergence-series.ts — convergence over time: from the fractions of correct nodes per
 * sample (sim/convergence.ts decides what "correct" means), the time to converge after start-up,
 * after every topology change and after every root refresh (an "episode" runs from one change to
 * the next).
 *
 * Root refreshes (PROTOCOL.md §5.3.1: the root's sequence goes up every 30 min) are episodes of
 * their own, and they do not break the run's headline convergence when they re-converged: at a
 * refresh every node clears a descending pointer that carries the old root sequence at its next
 * maintenance tick (§6.3 step 1) and waits for its predecessor's next bootstrap under the new one
 * (≤ 5 s), so a static ba:1000 run drops to ~70% right pointers for about 5 s every 30 min. That
 * dip is the protocol's (README "Convergence over a long run"), but a run that converged at 100 s
 * has still converged at 100 s.
 */
import type { Micros } from '../router/types.ts';

export interface Sample {
  readonly time: Micros;
  readonly tree: number; // fraction of nodes tree-correct
  readonly snake: number;
}

/**
 * What started an episode: the run's start, a scenario action, links the routers closed (§4.4),
 * another change of the up links or nodes (re-peering, say), or the root's periodic refresh.
 */
export type EpisodeKind = 'start-up' | 'scenario' | 'link-drop' | 'topology' | 'root-refresh';

export interface Change {
  readonly time: Micros;
  readonly label: string;
  /** Default 'scenario' (time 0: 'start-up'). */
  readonly kind?: EpisodeKind;
}

export interface Episode {
  readonly start: Micros;
  readonly label: string;
  /** Changes at the same instant merge: 'root-refresh' only when every one of them was. */
  readonly kind: EpisodeKind;
  /** Time from `start` until the fraction reached 1 and stayed 1 until the next change; null: never. */
  readonly tree: Micros | null;
  readonly snake: Micros | null;
  /** Lowest fraction sampled during the episode (null: no sample in it). */
  readonly treeMin: number | null;
  readonly snakeMin: number | null;
  /** End of the episode's window: the next episode's start, or +∞ for the last. */
  readonly end: Micros;
}

/** Same-time changes merged into one (labels joined), in time order as given. */
function mergeChanges(
  changes: readonly Change[],
): { time: Micros; label: string; kind: EpisodeKind }[] {
  const merged: { time: Micros; label: string; kind: EpisodeKind }[] = [];
  for (const c of changes) {
    const kind = c.kind ?? (c.time === 0 && merged.length === 0 ? 'start-up' : 'scenario');
    const last = merged[merged.length - 1];
    if (last !== undefined && last.time === c.time) {
      last.label += `; ${c.label}`;
      // A refresh merged with a topology change is a topology episode (no bridging).
      if (last.kind === 'root-refresh') last.kind = kind;
    } else merged.push({ time: c.time, label: c.label, kind });
  }
  return merged;
}

/**
 * For each change (the first is start-up at time 0), the delay until the series reached 1 and
 * stayed there up to the next change (or the end of the series), and the lowest fractions.
 */
export function episodes(samples: readonly Sample[], changes: readonly Change[]): Episode[] {
  const out: Episode[] = [];
  const merged = mergeChanges(changes);
  let s = 0;
  for (let k = 0; k < merged.length; k++) {
    const c = merged[k] as { time: Micros; label: string; kind: EpisodeKind };
    const next = merged[k + 1]?.time ?? Number.POSITIVE_INFINITY;
    while (s < samples.length && (samples[s] as Sample).time < c.time) s++;
    let e = s;
    while (e < samples.length && (samples[e] as Sample).time < next) e++;
    const window = samples.slice(s, e);
    out.push({
      start: c.time,
      label: c.label,
      kind: c.kind,
      tree: settle(window, 'tree', c.time),
      snake: settle(window, 'snake', c.time),
      treeMin: lowest(window, 'tree'),
      snakeMin: lowest(window, 'snake'),
      end: next,
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

function lowest(window: readonly Sample[], metric: 'tree' | 'snake'): number | null {
  let min: number | null = null;
  for (const s of window) if (min === null || s[metric] < min) min = s[metric];
  return min;
}

/**
 * Absolute time from which the series stayed at `atLeast` or above (default 1: every node) until
 * its end; null if it is below at the end. With `eps` (from episodes()), a dip inside a
 * root-refresh episode does not count as a break when the series was back at `atLeast` at that
 * episode's last sample (the refresh re-converged): the headline of a static run that converged
 * at 100 s stays 100 s after a refresh at 30 min. A refresh still under way at the end of the
 * series is not bridged (the network is not converged at the end).
 */
export function finalConvergence(
  samples: readonly Sample[],
  metric: 'tree' | 'snake',
  atLeast = 1,
  eps: readonly Episode[] = [],
): Micros | null {
  const bridged = bridgedRefreshes(samples, metric, atLeast, eps);
  let since: Micros | null = null;
  let k = 0;
  for (const s of samples) {
    while (k + 1 < eps.length && (eps[k + 1] as Episode).start <= s.time) k++;
    if (s[metric] >= atLeast) {
      if (since === null) since = s.time;
    } else if (!(bridged[k] === 1 && (eps[k] as Episode).start <= s.time)) since = null;
  }
  return since;
}

/** Per episode: 1 = a root refresh whose window ends with the series back at `atLeast`. */
function bridgedRefreshes(
  samples: readonly Sample[],
  metric: 'tree' | 'snake',
  atLeast: number,
  eps: readonly Episode[],
): Uint8Array {
  const out = new Uint8Array(eps.length);
  let k = 0;
  let lastInWindow: Sample | null = null;
  const close = (): void => {
    const e = eps[k];
    if (e?.kind === 'root-refresh' && lastInWindow !== null && lastInWindow[metric] >= atLeast)
      out[k] = 1;
    lastInWindow = null;
  };
  for (const s of samples) {
    while (k + 1 < eps.length && (eps[k + 1] as Episode).start <= s.time) {
      close();
      k++;
    }
    if (eps[k] !== undefined && (eps[k] as Episode).start <= s.time) lastInWindow = s;
  }
  close();
  return out;
}

/**
 * Per-node bridging of root refreshes (nodes.csv tree/snake_converged_at, summary Reached): a node
 * correct since `since` (µs, −1: not correct at the end) whose `since` falls inside a root-refresh
 * episode, and which was correct just before that refresh (`before(episodeStart)` gives its
 * correct-since then, −1 if not), counts from that earlier time, repeatedly.
 */
export function bridgeNode(
  since: number,
  eps: readonly Episode[],
  before: (refreshStart: Micros) => number | undefined,
): number {
  let t = since;
  for (let k = eps.length - 1; k >= 0 && t >= 0; k--) {
    const e = eps[k] as Episode;
    if (t < e.start) continue; // the first episode from the back that t is in holds it
    if (e.kind !== 'root-refresh') break;
    const t0 = before(e.start);
    if (t0 === undefined || t0 < 0 || t0 >= e.start) break;
    t = t0;
  }
  return t;
}
