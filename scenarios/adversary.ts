/**
 * scenarios/adversary.ts — a node that drops (and delays) frames (scenario action 'adversary'):
 * pineconesim's deterministic counter rule or independent random draws, per peer and frame class.
 */
import type { Rng } from './random.ts';
import type { AdversaryAction, DropClass, DropRates } from './types.ts';

const CLASS_OF_FRAME: readonly DropClass[] = [
  'keepalive',
  'announcement',
  'bootstrap',
  'traffic',
  'wakeup',
];

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * pineconesim's deterministic drop rule (simulator/adversary/drop_packets.go): a rate r % is reduced
 * by g = gcd(r, 100) to "drop the first r/g of every 100/g frames". Fractions are rounded to whole
 * percent like the original's integer percentages. Returns [drop, of].
 */
export function counterRule(fraction: number): readonly [number, number] {
  const pct = Math.round(fraction * 100);
  if (pct <= 0) return [0, 1];
  const g = gcd(pct, 100);
  return [pct / g, 100 / g];
}

/** Per (adversary, peer) counters: one overall, one per frame class. */
class DropCounters {
  readonly counts = new Int32Array(CLASS_OF_FRAME.length + 1);
}

export class Adversary {
  readonly action: AdversaryAction;
  readonly rng: Rng;
  private readonly counters = new Map<string, DropCounters>();
  constructor(action: AdversaryAction, rng: Rng) {
    this.action = action;
    this.rng = rng;
  }
  rates(peer: string): DropRates {
    return this.action.peers[peer] ?? this.action.drop;
  }
  /** Decide for one frame between this adversary and `peer`. */
  drop(peer: string, frameType: number): boolean {
    const rates = this.rates(peer);
    const cls = CLASS_OF_FRAME[frameType];
    const overall = rates.overall ?? 0;
    const typed = cls === undefined ? 0 : (rates[cls] ?? 0);
    if (overall === 0 && typed === 0) return false;
    if (this.action.rule === 'random') {
      // Two draws always, so the stream position does not depend on the rates.
      const a = this.rng.next();
      const b = this.rng.next();
      return a < overall || b < typed;
    }
    let c = this.counters.get(peer);
    if (c === undefined) {
      c = new DropCounters();
      this.counters.set(peer, c);
    }
    let dropped = false;
    const [on, od] = counterRule(overall);
    const k0 = c.counts[0] as number;
    c.counts[0] = (k0 + 1) % od;
    if (k0 < on) dropped = true;
    if (cls !== undefined) {
      const slot = frameType + 1;
      const [tn, td] = counterRule(typed);
      const k = c.counts[slot] as number;
      c.counts[slot] = (k + 1) % td;
      if (k < tn) dropped = true;
    }
    return dropped;
  }
}
