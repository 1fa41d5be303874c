/**
 * scripts/bench-only.ts — which bench rows `--only NAME` picks (scripts/bench.ts): the rows whose
 * label holds NAME where it is not followed by a digit. A plain substring match picked the
 * million-node row `geo:1000000,…` for `--only geo:100000` (and ran it, for hours, after the row
 * asked for); `--only ba:20000` still picks `ba:20000,m=2 (99.9% quorum)`, and `--only sim-skitter`
 * both sim-skitter rows.
 */
export function rowMatches(label: string, only: string): boolean {
  for (let at = label.indexOf(only); at >= 0; at = label.indexOf(only, at + 1)) {
    const next = label.charCodeAt(at + only.length);
    if (!(next >= 48 && next <= 57)) return true;
  }
  return false;
}
