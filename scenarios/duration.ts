/**
 * scenarios/duration.ts — human durations ("30s", "5m", "250ms", "2h", "1.5s", "1m30s") to
 * integer virtual microseconds (Micros), strictly: every part needs a unit, the result must be a
 * whole number of microseconds, and anything else is rejected (the caller turns null into an
 * InputError naming the file and field).
 */
import type { Micros } from '../router/types.ts';

const UNIT_MICROS: Readonly<Record<string, bigint>> = {
  us: 1n,
  µs: 1n,
  ms: 1_000n,
  s: 1_000_000n,
  m: 60_000_000n,
  h: 3_600_000_000n,
  d: 86_400_000_000n,
};

const PART = /(\d+)(?:\.(\d+))?(us|µs|ms|s|m|h|d)/y;

/**
 * Parse a duration into Micros, or null when `text` is not a duration. Decimal arithmetic is
 * exact (BigInt), so "1.1s" is 1 100 000 µs and not 1 100 000.0000000002.
 */
export function parseDuration(text: string): Micros | null {
  const s = text.trim();
  if (s === '0') return 0;
  if (s.length === 0) return null;
  PART.lastIndex = 0;
  let total = 0n;
  let parts = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (m === null || m.index !== start) return null;
    const whole = m[1] as string;
    const frac = m[2] ?? '';
    const unit = UNIT_MICROS[m[3] as string] as bigint;
    const scaled = BigInt(whole + frac) * unit;
    const div = 10n ** BigInt(frac.length);
    if (scaled % div !== 0n) return null; // finer than a microsecond
    total += scaled / div;
    parts++;
  }
  if (parts === 0 || total > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(total);
}

/** Accept a duration string or a non-negative integer number of microseconds. */
export function toMicros(value: unknown): Micros | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === 'string') return parseDuration(value);
  return null;
}

/** Shortest exact rendering: 1500000 → "1.5s", 90000000 → "90s", 250 → "250us". */
export function formatDuration(us: Micros): string {
  if (us === 0) return '0';
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return us >= 1_000_000 ? `${us / 1_000_000}s` : `${us / 1_000}ms`;
  return `${us}us`;
}

/** Virtual seconds (floating point) as used in results files. */
export function toSeconds(us: Micros): number {
  return us / 1_000_000;
}
