/**
 * sim/rng.ts — named random streams derived from one run seed.
 *
 * Every random draw of a run comes from a stream named after its purpose ("start-times",
 * "link:a|b", "router:n7"), so adding a draw in one place never shifts the numbers another place
 * sees, and the same seed + name gives the same numbers on any machine (seedrandom's Alea is pure
 * JavaScript double arithmetic, platform independent).
 */
import seedrandom from 'seedrandom';

export class RandomStream {
  private readonly prng: seedrandom.PRNG;
  readonly name: string;

  constructor(seed: string, name: string) {
    this.name = name;
    this.prng = seedrandom.alea(streamKey(seed, name));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n) (n ≥ 1). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Exponentially distributed with the given mean (inverse transform; never Infinity). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.prng());
  }

  /** Pareto with minimum `scale` and tail index `shape` (> 0): scale / U^(1/shape), U in (0, 1]. */
  pareto(scale: number, shape: number): number {
    return scale / (1 - this.prng()) ** (1 / shape);
  }

  /** A plain function view (for APIs that take `() => number`). */
  get fn(): () => number {
    return this.prng;
  }
}

export class RandomStreams {
  readonly seed: string;

  constructor(seed: string | number) {
    this.seed = String(seed);
  }

  /** A fresh stream; two calls with the same name give two identical, independent copies. */
  stream(name: string): RandomStream {
    return new RandomStream(this.seed, name);
  }

  /**
   * The stream's numbers as a `() => number` that keeps only Alea's state (four numbers) between
   * draws and rebuilds the generator from it at each one (seedrandom's `state` option): the same
   * numbers as stream(name).fn. For a stream every node keeps but draws from rarely (a router
   * draws once per link it makes): a live generator (its object, its scope and four closures)
   * was ~430 B of every idle router's heap.
   */
  sparse(name: string): () => number {
    const seed = this.seed;
    let state: seedrandom.State.Alea | null = null;
    return () => {
      const prng =
        state === null
          ? seedrandom.alea(streamKey(seed, name), { state: true })
          : seedrandom.alea('', { state });
      const x = prng();
      state = prng.state();
      return x;
    };
  }
}

/** The seed string of stream `name` of run `seed`. */
function streamKey(seed: string, name: string): string {
  // NUL separates seed and name so ("1", "2x") and ("12", "x") are different streams.
  return `pinelab\0${seed}\0${name}`;
}
