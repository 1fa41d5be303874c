/**
 * examples/variants/snek-no-watermark.ts — SNEK routing without the watermark (PROTOCOL.md §6.6).
 *
 * The reference carries a watermark (key, sequence) in every SNEK frame: a table entry worse than
 * the frame's watermark is skipped (§6.6 step 5) and a next hop whose result would be worse than
 * it drops the frame ('watermark', §7.1). It is Pinecone's loop guard while the snake is
 * inconsistent. This variant searches as if every frame carried the initial watermark and leaves
 * the frame's watermark as it came: no entry is skipped, nothing is dropped for the watermark.
 * Does the guard cost delivery or stretch in a converged network, and what does it buy under churn?
 */
import { INITIAL_WATERMARK } from '../../router/keys.ts';
import { defineVariant, SnekRule } from '../../router/variant.ts';

export default defineVariant({
  name: 'snek-no-watermark',
  description: 'SNEK next hop ignores and never advances the watermark (§6.6 step 5, §7.1)',
  snekNextHop(input, base) {
    const r = base({ ...input, watermark: INITIAL_WATERMARK });
    // Loopback returns the input watermark already; otherwise keep the frame's as it came.
    if (r.rule === SnekRule.Loopback) return r;
    return { ...r, key: input.watermark.key, seq: input.watermark.seq };
  },
});
