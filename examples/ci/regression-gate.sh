#!/usr/bin/env bash
# examples/ci/regression-gate.sh — is this routing change better or worse than the base?
#
# Runs the same sweep (8 seeds × 3 topologies, examples/ci/gate.json) with the base revision's code
# and with the working tree's, writes summary tables for both, then gates with `pinelab compare`:
# exit 1 only when a metric regresses past its threshold AND the change is significant at
# --alpha over the seeds (permutation test), so seed noise does not fail the build.
#
#   examples/ci/regression-gate.sh [BASE_REF] [OUT]
#     BASE_REF  git revision to compare against (default origin/main)
#     OUT       work folder (default ${RUNNER_TEMP:-/tmp}/pinelab-gate); results in OUT/base, OUT/change
#   CHANGE_ARGS="--variant examples/variants/x.ts"  also try a variant on the change side
#   GATES="..." override the --fail-if list below (space-separated)
set -euo pipefail
BASE_REF="${1:-origin/main}"
OUT="${2:-${RUNNER_TEMP:-/tmp}/pinelab-gate}"
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
SCENARIO="$HERE/examples/ci/gate.json"
SWEEP=(--param "seed=1,2,3,4,5,6,7,8" --param "topology=../sim.txt,../demo.txt,grid:6x6")
GATES=(${GATES:-"stretch.hybrid.mean>+2%" "stretch.snek.mean>+2%" "snakeConvergedAt>+10%" "delivery.hybrid.delivered<-1%"})

rm -rf "$OUT" && mkdir -p "$OUT"
# The base revision in its own worktree; its node_modules shared when the lock file is the same.
git -C "$HERE" worktree add --detach --quiet "$OUT/base-src" "$BASE_REF"
trap 'git -C "$HERE" worktree remove --force "$OUT/base-src"' EXIT
if cmp -s "$HERE/package-lock.json" "$OUT/base-src/package-lock.json"; then
  ln -s "$HERE/node_modules" "$OUT/base-src/node_modules"
else
  (cd "$OUT/base-src" && npm ci --no-audit --no-fund --silent)
fi

# Same scenario file (this checkout's) on both sides: only the code differs.
(cd "$OUT/base-src" && node --import tsx cli/main.ts sweep "$SCENARIO" "${SWEEP[@]}" --out "$OUT/base")
(cd "$HERE" && node --import tsx cli/main.ts sweep "$SCENARIO" "${SWEEP[@]}" ${CHANGE_ARGS:-} --out "$OUT/change")

pinelab() { (cd "$HERE" && node --import tsx cli/main.ts "$@"); }
pinelab summarize "$OUT/base" >/dev/null
pinelab summarize "$OUT/change" >/dev/null
FAIL_IF=()
for g in "${GATES[@]}"; do FAIL_IF+=(--fail-if "$g"); done
set +e
pinelab compare "$OUT/base" "$OUT/change" --changed "${FAIL_IF[@]}" | tee "$OUT/compare.txt"
code=${PIPESTATUS[0]}
set -e
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && { echo '```'; cat "$OUT/compare.txt"; echo '```'; } >>"$GITHUB_STEP_SUMMARY"
exit "$code"
