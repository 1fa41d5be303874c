/**
 * cli/episode-lines.ts — the printed lines about convergence episodes (summary episodes,
 * results/convergence-series.ts) and about links the routers dropped (summary linkDrops), shared
 * by `pinelab run` and `pinelab scenario run`. Nothing is printed for a run with one episode, or
 * for results written before these fields existed.
 */
import type { EpisodeSummary, RunSummary } from '../results/schema.ts';

const KIND_WORDS: Readonly<Record<EpisodeSummary['kind'], [string, string]>> = {
  'start-up': ['start-up', 'start-up'],
  scenario: ['scenario action', 'scenario actions'],
  'link-drop': ['link drop', 'link drops'],
  topology: ['re-peer or other topology change', 're-peers or other topology changes'],
  'root-refresh': ['root refresh', 'root refreshes'],
};

const secs = (xs: readonly number[]): string => {
  if (xs.length === 0) return '–';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${lo} s` : `${lo}–${hi} s`;
};

const pct = (f: number): string => `${Math.round(f * 1000) / 10}%`;

/** How a group of episodes went: when tree and snake held again, the lowest share right. */
function groupLine(eps: readonly EpisodeSummary[]): string {
  const tree = eps.map((e) => e.tree).filter((t): t is number => t !== null);
  const snake = eps.map((e) => e.snake).filter((t): t is number => t !== null);
  const lowest = (k: 'treeMin' | 'snakeMin'): number => Math.min(...eps.map((e) => e[k] ?? 1));
  const never = eps.filter((e) => e.tree === null || e.snake === null).length;
  // snakeLosses per episode: absent in results written before it existed.
  const losses = eps.reduce((sum, e) => sum + (e.snakeLosses ?? 0), 0);
  return `tree right again after ${secs(tree)}, snake after ${secs(snake)} (lowest ${pct(lowest('treeMin'))} / ${pct(lowest('snakeMin'))} of nodes right; right pointers lost ${losses} times)${never > 0 ? `; ${never} not again before the next episode or the end` : ''}`;
}

/** 'episodes' lines: how many of each kind, then how refreshes and topology changes went. */
export function episodeLines(s: RunSummary): string[] {
  const eps = s.episodes;
  if (eps === undefined || eps.length <= 1) return [];
  const counts = new Map<EpisodeSummary['kind'], number>();
  for (const e of eps) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  const kinds = [...counts.entries()].map(([kind, n]) => {
    const [one, many] = KIND_WORDS[kind];
    return kind === 'start-up' ? one : `${n} ${n === 1 ? one : many}`;
  });
  const lines = [`episodes       ${eps.length}: ${kinds.join(', ')}`];
  const refreshes = eps.filter((e) => e.kind === 'root-refresh');
  const changes = eps.filter((e) => e.kind !== 'root-refresh' && e.kind !== 'start-up');
  if (changes.length > 0) lines.push(`  after changes   ${groupLine(changes)}`);
  if (refreshes.length > 0) lines.push(`  after refreshes ${groupLine(refreshes)}`);
  return lines;
}

/** The summary's warnings, one line each, for stderr. */
export function warningLines(s: { readonly warnings?: readonly string[] }): string[] {
  return (s.warnings ?? []).map((w) => `pinelab: warning: ${w}`);
}
