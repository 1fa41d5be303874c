import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.ts';

test('parseDuration: units, decimals, compounds', () => {
  const table: [string, number | null][] = [
    ['30s', 30_000_000],
    ['5m', 300_000_000],
    ['250ms', 250_000],
    ['2h', 7_200_000_000],
    ['1.5s', 1_500_000],
    ['1.1s', 1_100_000],
    ['1m30s', 90_000_000],
    ['750us', 750],
    ['0', 0],
    ['0.5ms', 500],
    ['0.0001ms', null], // finer than a microsecond
    ['30', null], // unit required
    ['s', null],
    ['1.s', null],
    ['-1s', null],
    ['1 s', null],
    ['', null],
    ['1x', null],
  ];
  for (const [text, want] of table) assert.equal(parseDuration(text), want, text);
});

test('formatDuration round-trips through parseDuration', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 10 ** 12 }),
      (us) => parseDuration(formatDuration(us)) === us,
    ),
    { seed: 42, numRuns: 500 },
  );
});
