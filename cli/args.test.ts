import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../results/schema.ts';
import { joinNegativeValues, repeatedFlag } from './args.ts';
import { parseLoss, stretchPairsNote } from './run.ts';

test('joinNegativeValues: a negative value after a --flag is that flag value', () => {
  assert.deepEqual(joinNegativeValues(['run', '--latency', '-5ms', '--until', '-.5s']), [
    'run',
    '--latency=-5ms',
    '--until=-.5s',
  ]);
  // Short flags, flags given with '=', non-numeric next words and everything after -- stay.
  for (const args of [
    ['run', '-x', '-5'],
    ['run', '--latency=-5ms'],
    ['run', '--json', '--no-out'],
    ['frame', '--', '--x', '-5'],
  ]) {
    assert.deepEqual(joinNegativeValues(args), args);
  }
});

test('repeatedFlag: names a one-value flag given twice, leaves repeatable ones alone', () => {
  assert.equal(
    repeatedFlag({ _: [], topology: ['a', 'b'], $0: 'x' }, []),
    '--topology given 2 times, expected one value (give it once)',
  );
  assert.equal(
    repeatedFlag({ 'dump-state': ['a', 'b'], dumpState: ['a', 'b'] }, []),
    '--dump-state given 2 times, expected one value (give it once)',
  );
  assert.equal(repeatedFlag({ 'fail-if': ['a', 'b'], failIf: ['a', 'b'] }, ['fail-if']), null);
  assert.equal(repeatedFlag({ seed: '1', quirk: [] }, []), null);
});

test('parseLoss: decimal numbers and percentages only (0x1 was 100% loss)', () => {
  for (const bad of ['0x1', '0b1', '0o1', '1e0', 'Infinity', '', '-0.1', '+0.1', '1.5', ' ']) {
    assert.equal(parseLoss(bad), null, bad);
  }
  assert.equal(parseLoss('.5'), 0.5);
  assert.equal(parseLoss('1.'), 1);
  assert.equal(parseLoss('50%'), 0.5);
});

test('stretchPairsNote: says when the probed pairs are not the asked number', () => {
  const summary = (sent: number, sampled: boolean, nodes = 300): RunSummary =>
    ({
      nodes,
      delivery: { tree: { sent, delivered: sent, misdelivered: 0, dropped: {}, lost: 0 } },
      stretch: {
        tree: { mean: 1, p50: 1, p95: 1, max: 1, pairs: sent, sampled, shortestShare: 1 },
      },
    }) as unknown as RunSummary;
  assert.match(stretchPairsNote(20000, summary(3000, true)) ?? '', /20000: 3000 pairs probed/);
  assert.match(stretchPairsNote(20, summary(90, false, 10)) ?? '', /all 90 ordered pairs/);
  assert.equal(stretchPairsNote(500, summary(500, true)), null);
});
