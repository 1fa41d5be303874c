import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { runCompare } from '../cli/compare.ts';
import {
  alignColumns,
  checkThresholds,
  compareSummaries,
  migrateSummary,
  parseThreshold,
  readSummary,
} from './compare.ts';
import { writeJsonAtomic } from './write.ts';

const summary = (hybridMean: number, lost: number) => ({
  nodes: 10,
  wallSeconds: Math.random(), // never compared
  stretch: { hybrid: { mean: hybridMean, sampled: false } },
  delivery: { snek: { lost } },
  hybridStretch: 'conversation',
});

test('compare flattens numbers, computes delta and delta %', () => {
  const rows = compareSummaries(summary(1.2, 0), summary(1.26, 2));
  const byMetric = Object.fromEntries(rows.map((r) => [r.metric, r]));
  assert.equal(byMetric['wallSeconds'], undefined);
  assert.ok(Math.abs((byMetric['stretch.hybrid.mean']?.deltaPct ?? 0) - 5) < 1e-9);
  assert.equal(byMetric['delivery.snek.lost']?.delta, 2);
  assert.equal(byMetric['delivery.snek.lost']?.deltaPct, null);
  assert.equal(byMetric['stretch.hybrid.sampled']?.a, 0);
});

test('thresholds: % and absolute, both directions; unknown metric is an input error', () => {
  const rows = compareSummaries(summary(1.2, 0), summary(1.26, 2));
  const fail = (t: string) => checkThresholds(rows, [parseThreshold(t)]).length > 0;
  assert.equal(fail('stretch.hybrid.mean>+2%'), true);
  assert.equal(fail('stretch.hybrid.mean>+6%'), false);
  assert.equal(fail('stretch.hybrid.mean<-1%'), false);
  assert.equal(fail('delivery.snek.lost>0'), true);
  assert.equal(fail('delivery.snek.lost>+5%'), true); // 0 → 2 is +∞ %
  assert.equal(fail('nodes>0'), false);
  assert.throws(() => parseThreshold('stretch.hybrid.mean>>2'), InputError);
  assert.throws(
    () => checkThresholds(rows, [parseThreshold('stretch.tree.mean>1%')]),
    /not in both runs/,
  );
  // In one run only (an older results folder, or a null figure): said so, naming the run.
  const older = compareSummaries({ nodes: 4 }, { nodes: 4, snakeReached: { p99: 12.5 } });
  assert.throws(
    () => checkThresholds(older, [parseThreshold('snakeReached.p99>+1')]),
    /"snakeReached\.p99" has no value in run a \(12\.5 in the other\)/,
  );
});

test('compare exits 1 on a planted regression and 0 without one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-compare-'));
  writeJsonAtomic(join(dir, 'a', 'summary.json'), summary(1.2, 0));
  writeJsonAtomic(join(dir, 'b', 'summary.json'), summary(1.32, 0)); // +10 %: the planted regression
  writeJsonAtomic(join(dir, 'c', 'summary.json'), summary(1.21, 0));
  let out = '';
  const w = (s: string) => {
    out += s;
  };
  const args = (b: string) => ({
    a: join(dir, 'a'),
    b: join(dir, b),
    'fail-if': ['stretch.hybrid.mean>+2%'],
    changed: false,
    json: false,
  });
  assert.equal(runCompare(args('b'), w), 1);
  assert.match(out, /FAIL stretch\.hybrid\.mean>\+2%/);
  assert.equal(runCompare(args('c'), w), 0);
  assert.throws(() => runCompare(args('missing'), w), InputError);
});

test('older summaries: their hybrid (coordinates given) is compared as given, never as hybrid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-compare-modes-'));
  // Written before hybridStretch existed: `hybrid` had the destination coordinates given.
  const old = {
    nodes: 10,
    stretch: { snek: { mean: 1.4 }, hybrid: { mean: 1.1 }, tree: { mean: 1.1 } },
    delivery: { hybrid: { sent: 5, lost: 0 } },
  };
  const now = {
    nodes: 10,
    stretch: { snek: { mean: 1.4 }, hybrid: { mean: 1.3 }, given: { mean: 1.1 } },
    delivery: { hybrid: { sent: 5, lost: 0 }, given: { sent: 5, lost: 1 } },
    hybridStretch: 'conversation',
  };
  assert.deepEqual(migrateSummary(old), {
    nodes: 10,
    stretch: { snek: { mean: 1.4 }, given: { mean: 1.1 }, tree: { mean: 1.1 } },
    delivery: { given: { sent: 5, lost: 0 } },
  });
  assert.equal(migrateSummary(now), now, 'a current summary is read as it is');
  writeJsonAtomic(join(dir, 'old', 'summary.json'), old);
  writeJsonAtomic(join(dir, 'new', 'summary.json'), now);
  const rows = compareSummaries(readSummary(join(dir, 'old')), readSummary(join(dir, 'new')));
  const fail = (t: string) => checkThresholds(rows, [parseThreshold(t)]).length > 0;
  // The same measurement under its new name: comparable, no change.
  assert.equal(fail('stretch.given.mean>+1%'), false);
  assert.equal(fail('delivery.given.lost>0'), true);
  // The conversation figure has no counterpart in the old run: an input error that says why.
  assert.throws(
    () => checkThresholds(rows, [parseThreshold('stretch.hybrid.mean>+2%')]),
    (e: unknown) =>
      e instanceof InputError &&
      /no value in run a/.test(e.message) &&
      /as `given`/.test(e.message),
  );
});

test('alignColumns: first column left-aligned, the others right-aligned, two spaces apart', () => {
  assert.equal(
    alignColumns([
      ['metric', 'a'],
      ['x', '10'],
      ['longer', '2'],
    ]),
    'metric   a\nx       10\nlonger   2',
  );
});
