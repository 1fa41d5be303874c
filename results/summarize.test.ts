/**
 * pinelab summarize: a hand-made sweep folder (2 latencies × 3 seeds, one interrupted
 * run) summarized, both CSV files read back with d3-dsv and their types and numbers checked.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { csvParse } from 'd3-dsv';
import { InputError } from '../base/index.ts';
import { runSummarize } from '../cli/summarize.ts';

/** latency → seed → [stretch.hybrid.mean, snakeConvergedAt (null: never)]. */
const DATA: Record<string, Record<string, [number, number | null]>> = {
  '5ms': { '1': [1.2, 10], '2': [1.4, 12], '3': [1.3, 17] },
  '20ms': { '1': [2, 30], '2': [3, null], '3': [4, 20] },
};

function sweepFolder(interrupted: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-summarize-'));
  const runs: unknown[] = [];
  for (const latency of Object.keys(DATA))
    for (const seed of ['1', '2', '3']) {
      const id = `latency-${latency}_seed-${seed}_rep-0`;
      const byLatency = DATA[latency] as Record<string, [number, number | null]>;
      const [stretch, snake] = byLatency[seed] as [number, number | null];
      runs.push({ index: runs.length, id, params: { latency, seed }, rep: 0 });
      mkdirSync(join(dir, id));
      writeFileSync(
        join(dir, id, 'summary.json'),
        JSON.stringify({
          nodes: 26,
          seed,
          traceHash: 'ab',
          wallSeconds: 9,
          snakeConvergedAt: snake,
          hybridStretch: 'conversation',
          stretch: { hybrid: { mean: stretch, sampled: false } },
          episodes: [{ start: 0 }],
        }),
      );
      writeFileSync(
        join(dir, id, 'manifest.json'),
        JSON.stringify({ options: { interrupted: id === interrupted } }),
      );
    }
  writeFileSync(
    join(dir, 'sweep.json'),
    JSON.stringify({
      scenario: 's.json',
      params: [{ name: 'latency' }, { name: 'seed' }],
      reps: 1,
      runs,
    }),
  );
  return dir;
}

test('summarize: long and grid tables load with d3-dsv as numbers, hand-computed figures', () => {
  const dir = sweepFolder(null);
  const out: string[] = [];
  runSummarize({ dir, 'allow-interrupted': false }, (s) => out.push(s));
  assert.match(out.join(''), /6 run\(s\), 2 grid point\(s\)/);

  const long = csvParse(readFileSync(join(dir, 'summary-long.csv'), 'utf8'));
  assert.deepEqual(long.columns, ['run', 'rep', 'latency_s', 'seed', 'metric', 'unit', 'value']);
  // nodes, snakeConvergedAt (5 of 6 runs: null is no row), stretch.hybrid.mean; no wallSeconds,
  // booleans, strings or episode arrays.
  assert.equal(long.length, 6 + 5 + 6);
  for (const row of long) {
    for (const c of ['rep', 'latency_s', 'seed', 'value'])
      assert.ok(Number.isFinite(Number(row[c])) && row[c] !== '', `${c}=${row[c]} is a number`);
    assert.ok(['nodes', 'snakeConvergedAt', 'stretch.hybrid.mean'].includes(row.metric as string));
  }
  const r = long.find(
    (x) => x.run === 'latency-20ms_seed-3_rep-0' && x.metric === 'stretch.hybrid.mean',
  );
  assert.deepEqual(
    {
      latency: Number(r?.latency_s),
      seed: Number(r?.seed),
      unit: r?.unit,
      value: Number(r?.value),
    },
    { latency: 0.02, seed: 3, unit: 'ratio', value: 4 },
  );

  const grid = csvParse(readFileSync(join(dir, 'summary-grid.csv'), 'utf8'));
  assert.deepEqual(grid.columns, [
    'latency_s',
    'metric',
    'unit',
    'n',
    'missing',
    'mean',
    'sd',
    'median',
    'ci95_low',
    'ci95_high',
  ]);
  const at = (lat: number, metric: string) => {
    const row = grid.find((x) => Number(x.latency_s) === lat && x.metric === metric);
    assert.ok(row !== undefined);
    return row;
  };
  // latency 20 ms, stretch [2, 3, 4]: mean 3, sd 1, median 3.
  const s20 = at(0.02, 'stretch.hybrid.mean');
  assert.deepEqual(
    [
      s20.unit,
      Number(s20.n),
      Number(s20.missing),
      Number(s20.mean),
      Number(s20.sd),
      Number(s20.median),
    ],
    ['ratio', 3, 0, 3, 1, 3],
  );
  assert.ok(Number(s20.ci95_low) >= 2 && Number(s20.ci95_low) < 3);
  assert.ok(Number(s20.ci95_high) <= 4 && Number(s20.ci95_high) > 3);
  // latency 5 ms, snake [10, 12, 17]: mean 13, sd √13, median 12.
  const c5 = at(0.005, 'snakeConvergedAt');
  assert.equal(c5.unit, 's');
  assert.equal(Number(c5.mean), 13);
  assert.ok(Math.abs(Number(c5.sd) - Math.sqrt(13)) < 1e-12);
  assert.equal(Number(c5.median), 12);
  // latency 20 ms, snake [30, never, 20]: 2 values, 1 missing, mean 25, sd √50.
  const c20 = at(0.02, 'snakeConvergedAt');
  assert.deepEqual([Number(c20.n), Number(c20.missing), Number(c20.mean)], [2, 1, 25]);
  assert.ok(Math.abs(Number(c20.sd) - Math.sqrt(50)) < 1e-12);
});

test('summarize refuses interrupted runs unless --allow-interrupted, then lists them apart', () => {
  const dir = sweepFolder('latency-5ms_seed-2_rep-0');
  assert.throws(
    () => runSummarize({ dir, 'allow-interrupted': false }, () => {}),
    (e: unknown) =>
      e instanceof InputError &&
      /1 run\(s\) interrupted or incomplete: latency-5ms_seed-2_rep-0 \(interrupted\)/.test(
        e.message,
      ),
  );
  const out: string[] = [];
  runSummarize({ dir, 'allow-interrupted': true }, (s) => out.push(s));
  assert.match(out.join(''), /left out latency-5ms_seed-2_rep-0 \(interrupted\)/);
  const grid = csvParse(readFileSync(join(dir, 'summary-grid.csv'), 'utf8'));
  const s5 = grid.find((x) => x.latency_s === '0.005' && x.metric === 'stretch.hybrid.mean');
  assert.equal(Number(s5?.n), 2);
  assert.ok(Math.abs(Number(s5?.mean) - 1.25) < 1e-12);
});
