/**
 * base/index.ts — the shared base types every floor may import (ENGINEERING.md §2.2: "shared base
 * types (InputError, Micros, Rng) live in one small module at the bottom"). It imports nothing, so
 * topologies/ no longer reaches into sim/ for its error kind, and results/ no longer reaches up into
 * scenarios/ for the seeded-stream type.
 */

/** Virtual time in integer microseconds (the scheduler's clock; router/types.ts re-exports it). */
export type Micros = number;

/** A seeded stream: uniform in [0, 1). sim/rng.ts RandomStream satisfies it. */
export interface Rng {
  next(): number;
}

/** Named seeded streams: each random process draws from its own, so one never shifts another. */
export type RandomFactory = (name: string) => Rng;

/**
 * The one error kind for bad user input (files, specs, flags, scenarios). The CLI prints its
 * message (which names the file, line and what was expected) and exits with code 2, never with a
 * stack trace (DEVELOPERS.md principle 4). Anything else that escapes is a pinelab bug and is
 * reported as such.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * `x` as a V8 small integer (a Smi: 31 bits with pointer compression, 32 in Node's default build
 * without it; the bound below fits both) where it is a whole number that fits, else unchanged: the same value either way (=== ; −0 becomes 0). A number read from a
 * Float64Array is a heap number even when it is whole, and a field that once holds a heap number
 * holds every later value as a boxed double, a separate object, often a cache miss of its own.
 * The clock (sim/scheduler.ts) and the routing table's root sequence and oldest time (router/
 * table-run.ts) are stored through this, so that their fields hold the numbers themselves.
 */
export function asSmallInteger(x: number): number {
  return x <= 0x3fffffff && (x | 0) === x ? x | 0 : x;
}

/**
 * `array` with `value` at `index`: `array` itself when `index` is inside it, else a new array of
 * exactly index + 1 elements (undefined in any gap), packed. Why not a store past the end: V8 then
 * grows the array by half plus 16 slots (17 slots for a first element, 8 B each), and the per-node
 * arrays indexed by port (a router's links, the host's) hold two or three links each: ~110 B of
 * empty slots per array in every idle router (scripts/bench-heap.ts).
 */
export function withSlot<T>(array: (T | undefined)[], index: number, value: T): (T | undefined)[] {
  if (index < array.length) {
    array[index] = value;
    return array;
  }
  const gap: undefined[] = [];
  for (let i = array.length; i < index; i++) gap.push(undefined);
  return array.toSpliced(array.length, 0, ...gap, value);
}

/** "file:line: message" — the shape every parse error uses. */
export function locate(file: string, line: number | undefined, message: string): string {
  return line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`;
}
