/** test/variants/throws.ts — a variant whose tree next hop throws (error reporting test). */
import { defineVariant } from '../../router/variant.ts';

export default defineVariant({
  treeNextHop() {
    throw new Error('planted failure');
  },
});
