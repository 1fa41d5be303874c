/**
 * viz/src/model/modes.ts — the stretch modes the viewer knows (results/schema.ts RoutingMode), in
 * display order, their labels, and reading folders written before hybridStretch existed, whose
 * `hybrid` was measured with the destination's coordinates given (today's `given`).
 */
import type { PairRow, PathRecord, RoutingMode, RunSummary } from '../../../results/schema.ts';

/** Display order (viz imports only types from results/, so the list is repeated here). */
export const MODES: readonly RoutingMode[] = ['snek', 'hybrid', 'given', 'tree'];

const LABELS: Readonly<Record<RoutingMode, string>> = {
  snek: 'snek',
  hybrid: 'hybrid (conversation)',
  given: 'given coordinates',
  tree: 'tree only',
};

/** Legend and menu text of a mode (README "Stretch modes"); unknown names as they are. */
export function modeLabel(mode: string): string {
  return LABELS[mode as RoutingMode] ?? mode;
}

/**
 * True when a run's `hybrid` rows are the old measurement (destination coordinates given): the
 * summary predates RunSummary.hybridStretch. Without a summary nothing can be told: as written.
 */
export function hybridWasGiven(summary: RunSummary | null): boolean {
  return summary !== null && summary.hybridStretch === undefined;
}

const renamed = <T extends { readonly mode: RoutingMode }>(row: T): T =>
  row.mode === 'hybrid' ? { ...row, mode: 'given' } : row;

/** An old run's pairs, paths and summary with `hybrid` renamed to `given` (see hybridWasGiven). */
export function migrateModes(
  summary: RunSummary,
  pairs: readonly PairRow[],
  paths: readonly PathRecord[] | null,
): { summary: RunSummary; pairs: PairRow[]; paths: PathRecord[] | null } {
  const rename = <V>(byMode: Partial<Record<RoutingMode, V>> | undefined) => {
    if (byMode?.hybrid === undefined) return byMode;
    const { hybrid, ...rest } = byMode;
    return { ...rest, given: hybrid };
  };
  const stretch = rename(summary.stretch);
  const delivery = rename(summary.delivery);
  return {
    summary: {
      ...summary,
      ...(stretch === undefined ? {} : { stretch }),
      ...(delivery === undefined ? {} : { delivery }),
    },
    pairs: pairs.map(renamed),
    paths: paths === null ? null : paths.map(renamed),
  };
}
