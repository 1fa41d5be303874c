import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import type { TimeseriesRow } from './schema.ts';
import { csvLine, Timeseries } from './timeseries.ts';

/** What results/collector.ts wrote before streaming: csv-stringify over the stably sorted rows. */
function reference(sampled: readonly TimeseriesRow[], late: readonly TimeseriesRow[]): string {
  const rows = [...sampled, ...late].sort((a, b) => a.time_s - b.time_s);
  return stringify(rows, { header: true, columns: ['time_s', 'metric', 'value'] });
}

function written(series: Timeseries): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-ts-test-'));
  try {
    series.writeCsv(join(dir, 'timeseries.csv'));
    assert.deepEqual(readdirSync(dir), ['timeseries.csv'], 'no temporary file left');
    return readFileSync(join(dir, 'timeseries.csv'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const metric = fc.oneof(
  fc.constantFrom('tree_fraction', 'frames_keepalive', 'stretch_snek_mean', 'nodes'),
  fc.constantFrom('a,b', 'say "hi"', ' lead', 'ü-métrique', 'two\nlines'),
);
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5, max: 1e6 }),
);
/** Times on a coarse grid, so equal instants (sampled and late rows together) are common. */
const time = fc.integer({ min: 0, max: 40 }).map((k) => k / 4);
const row = fc.record({ time_s: time, metric, value });

test('the streamed file is byte-identical to the stably sorted series, spooled and read back in pieces', () => {
  fc.assert(
    fc.property(
      fc.array(row, { maxLength: 120 }),
      fc.array(row, { maxLength: 30 }),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 1, max: 64 }),
      (rows, late, bufferChars, readBytes) => {
        const sampled = [...rows].sort((a, b) => a.time_s - b.time_s);
        const series = new Timeseries({ bufferChars, readBytes });
        for (const r of sampled) series.push(r);
        series.close(late);
        const want = reference(sampled, late);
        assert.equal(written(series), want);
        assert.deepEqual(
          series.rows().map(csvLine).join(''),
          want.slice(want.indexOf('\n') + 1),
          'rows() reads back what the file holds',
        );
        series.dispose();
      },
    ),
    { seed: 17, numRuns: 300 },
  );
});

test('rows pushed out of time order are sorted as before (in memory)', () => {
  const series = new Timeseries({ bufferChars: 10 });
  const sampled: TimeseriesRow[] = [
    { time_s: 2, metric: 'nodes', value: 3 },
    { time_s: 1, metric: 'nodes', value: 2 },
    { time_s: 2, metric: 'links_up', value: 1 },
  ];
  const late: TimeseriesRow[] = [{ time_s: 1, metric: 'tree_convergence_s', value: 0.5 }];
  for (const r of sampled) series.push(r);
  series.close(late);
  assert.equal(written(series), reference(sampled, late));
});

test('the spool lives outside the results folder and dispose() removes it; an empty series has a header', () => {
  const before = new Set(readdirSync(tmpdir()));
  const series = new Timeseries({ bufferChars: 1 });
  series.push({ time_s: 0, metric: 'nodes', value: 1 });
  const spools = readdirSync(tmpdir()).filter(
    (n) => !before.has(n) && n.startsWith(`pinelab-${process.pid}-`),
  );
  assert.equal(spools.length, 1);
  series.close([]);
  series.dispose();
  assert.equal(existsSync(join(tmpdir(), spools[0] as string)), false);
  const empty = new Timeseries();
  empty.close([]);
  assert.equal(written(empty), 'time_s,metric,value\n');
});
