/**
 * test/variants/slow-bootstrap.ts — a small, real change for the gate's tests: bootstraps every
 * 6 s instead of 5 s (PROTOCOL.md §8 bootstrapInterval), nothing else.
 */
import { defineVariant } from '../../router/variant.ts';

export default defineVariant({ name: 'slow-bootstrap', options: { bootstrapInterval: 6_000_000 } });
