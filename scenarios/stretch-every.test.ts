/**
 * scenarios/stretch-every.test.ts — `measure.stretchEvery`: stretch and delivery
 * measured at every multiple of the interval, as timeseries rows on the convergence time axis;
 * bad values are refused naming the field; a scenario without it is unchanged (same trace hash).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import type { TimeseriesRow } from '../results/schema.ts';
import { executeScenario } from '../run/execute.ts';
import { parseScenario } from './load.ts';

const TINY = join(import.meta.dirname, '..', 'examples', 'tiny.txt');

const scenario = (measure: Record<string, unknown>) =>
  parseScenario(
    JSON.stringify({
      topology: TINY,
      seed: '1',
      duration: '20s',
      measure: { interval: '1s', stretch: ['snek', 'tree'], ...measure },
      actions: [],
    }),
  );

const times = (rows: readonly TimeseriesRow[], metric: string): number[] =>
  rows.filter((r) => r.metric === metric).map((r) => r.time_s);

test('stretchEvery: parsed as a duration; absent stays absent', () => {
  assert.equal(scenario({ stretchEvery: '5s' }).measure.stretchEvery, 5_000_000);
  assert.equal(scenario({}).measure.stretchEvery, undefined);
});

test('stretchEvery: refused when not positive or with no modes to measure', () => {
  assert.throws(() => scenario({ stretchEvery: '0s' }), InputError);
  assert.throws(() => scenario({ stretchEvery: 'soon' }), /stretchEvery/);
  assert.throws(
    () => scenario({ stretchEvery: '5s', stretch: [] }),
    /stretchEvery.*at least one mode/,
  );
});

test('stretchEvery 5s over 20 s: stretch and delivery at 5, 10, 15 s per mode; the end is the summary', () => {
  const r = executeScenario(scenario({ stretchEvery: '5s' }));
  const ts = r.data.timeseries ?? [];
  for (const mode of ['snek', 'tree']) {
    assert.deepEqual(times(ts, `stretch_${mode}_mean`), [5, 10, 15]);
    assert.deepEqual(times(ts, `stretch_${mode}_p95`), [5, 10, 15]);
    assert.deepEqual(times(ts, `delivery_${mode}`), [5, 10, 15]);
    for (const row of ts.filter((t) => t.metric === `delivery_${mode}`))
      assert.ok(row.value >= 0 && row.value <= 1, `delivery is a fraction (${row.value})`);
  }
  assert.deepEqual(times(ts, 'stretch_given_mean'), [], 'only the modes of measure.stretch');
  assert.ok(r.summary.stretch?.snek, 'the final measurement still feeds the summary');
});

test('without stretchEvery: no periodic rows and the trace hash is that of an unmeasured timeline', () => {
  const plain = executeScenario(scenario({}));
  const again = executeScenario(scenario({}));
  const every = executeScenario(scenario({ stretchEvery: '5s' }));
  assert.deepEqual(times(plain.data.timeseries ?? [], 'stretch_snek_mean'), []);
  assert.deepEqual(times(plain.data.timeseries ?? [], 'delivery_snek'), []);
  assert.equal(plain.summary.traceHash, again.summary.traceHash);
  // The periodic probes are real traffic: part of the trace when asked for.
  assert.notEqual(plain.summary.traceHash, every.summary.traceHash);
});
