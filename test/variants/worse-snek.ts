/**
 * test/variants/worse-snek.ts — planted regression for the gate's tests: SNEK traffic ignores the
 * routing table (§6.6 step 5), the best candidate whenever the destination's own path is there,
 * and goes by tree ancestors and direct peers only. Bootstraps are untouched, so the snake forms
 * as usual; only traffic stretch gets worse.
 */
import { defineVariant } from '../../router/variant.ts';

export default defineVariant({
  name: 'worse-snek',
  snekNextHop(input, base) {
    if (input.boot) return base(input);
    return base({ ...input, entries: [], sideEntries: [] });
  },
});
