/**
 * scenarios/random.ts — what the scenario layer draws from: a seeded stream (sim/rng.ts
 * RandomStream satisfies Rng), named streams (each random process has its own, so adding one never
 * changes what another sees), and durations sampled from a scenario's distributions.
 */
import type { Micros, Rng } from '../base/index.ts';
import type { Distribution } from './types.ts';

// The stream types are base types (base/index.ts), shared with results/; re-exported for callers.
export type { RandomFactory, Rng } from '../base/index.ts';

/** Sample a duration (integer µs, at least 1 so processes always advance). */
export function sample(d: Distribution, rng: Rng): Micros {
  let v: number;
  switch (d.kind) {
    case 'fixed':
      v = d.value;
      break;
    case 'exponential':
      v = -d.mean * Math.log(1 - rng.next());
      break;
    case 'uniform':
      v = d.min + (d.max - d.min) * rng.next();
      break;
    case 'pareto':
      v = d.scale / (1 - rng.next()) ** (1 / d.shape);
      break;
  }
  return Math.max(1, Math.round(v));
}
