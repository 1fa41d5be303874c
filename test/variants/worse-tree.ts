/**
 * test/variants/worse-tree.ts — planted regression for the gate's tests: greedy tree routing
 * (§5.8) ignores the best candidate and takes the closer peer that is least closer (still strictly
 * closer than us, so frames still make progress and arrive, by longer paths).
 */
import { keysEqual } from '../../router/keys.ts';
import { defineVariant, LOCAL_PORT, NO_PORT } from '../../router/variant.ts';
import { coordinateDistance } from '../../router/wire/coordinates.ts';

export default defineVariant({
  name: 'worse-tree',
  treeNextHop(input, base) {
    const best = base(input);
    if (best === NO_PORT || best === LOCAL_PORT) return best;
    const ours = coordinateDistance(input.ourCoords, input.dest);
    let pick = best;
    let pickDist = -1;
    for (const link of input.links) {
      const s = link.stored;
      if (!link.up || s === null || link.port === input.from) continue;
      const a = s.announcement;
      if (a.rootSeq !== input.rootSeq || !keysEqual(a.rootKey, input.rootKey)) continue;
      const d = coordinateDistance(s.peerCoords, input.dest);
      if (d < ours && d > pickDist) {
        pick = link.port;
        pickDist = d;
      }
    }
    return pick;
  },
});
