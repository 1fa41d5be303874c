import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { runMerge } from '../cli/merge.ts';
import { runSweep } from '../cli/sweep.ts';
import {
  applyParam,
  dispatchOrder,
  parseParam,
  parseShard,
  planSweep,
  poolSize,
  shardRuns,
} from './sweep.ts';

// The bundled copy of shared/topologies/sim.txt (runs without ../shared).
const SIM = join(import.meta.dirname, '..', 'examples', 'sim.txt');

test('plan: grid × reps in order, ids, shards partition the grid', () => {
  const plan = planSweep(
    's.json',
    [parseParam('hybrid=on,off'), parseParam('latency=1ms,20ms')],
    2,
  );
  assert.equal(plan.runs.length, 8);
  assert.equal(plan.runs[0]?.id, 'hybrid-on_latency-1ms_rep-0');
  assert.equal(plan.runs[7]?.id, 'hybrid-off_latency-20ms_rep-1');
  const a = shardRuns(plan, parseShard('1/3')).map((r) => r.index);
  const b = shardRuns(plan, parseShard('2/3')).map((r) => r.index);
  const c = shardRuns(plan, parseShard('3/3')).map((r) => r.index);
  assert.deepEqual([...a, ...b, ...c].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.throws(() => parseShard('4/3'), InputError);
  assert.throws(() => parseParam('hybrid'), InputError);
  const raw: Record<string, unknown> = { router: { keepalives: true } };
  applyParam(raw, 'hybrid', 'off');
  applyParam(raw, 'latency', '20ms');
  applyParam(raw, 'seed', '9');
  assert.deepEqual(raw, {
    router: { keepalives: true, hybrid: false },
    links: { latency: '20ms' },
    seed: '9',
  });
  assert.throws(() => applyParam(raw, 'nonsense', '1'), /not a known parameter/);
});

test('sweep: same sweep twice, 1 vs 2 workers, and merged shards give identical CSVs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-sweep-'));
  const file = join(dir, 'sc.json');
  writeFileSync(
    file,
    JSON.stringify({
      topology: SIM,
      duration: '8s',
      seed: '5',
      measure: { interval: '500ms', stretch: ['snek', 'hybrid'], exactUpTo: 10, sample: 40 },
      // Application traffic in auto mode: the only thing hybrid on/off changes in a run (the
      // coordinates cache, §1.3); the final measurement forces modes and does not count.
      actions: [
        { at: '4s', type: 'remove-node', node: 'q' },
        { at: '5s', type: 'traffic', kind: 'sample', sample: 40, mode: 'auto' },
      ],
    }),
  );
  const args = (out: string, workers: number, shard?: string) => ({
    scenario: file,
    param: ['hybrid=on,off', 'latency=1ms,20ms'],
    reps: 1,
    workers,
    out: join(dir, out),
    ...(shard === undefined ? {} : { shard }),
  });
  const quiet = () => {};
  await runSweep(args('w1', 1), 'test', quiet);
  await runSweep(args('w2', 2), 'test', quiet);
  const csv = (d: string) => readFileSync(join(dir, d, 'sweep.csv'), 'utf8');
  assert.equal(csv('w1').split('\n').length, 6); // header + 4 runs + trailing newline
  assert.equal(csv('w1'), csv('w2'));
  // Resume: everything is complete, nothing reruns, same bytes.
  let log = '';
  await runSweep(args('w1', 2), 'test', (s) => {
    log += s;
  });
  assert.match(log, /0 run\(s\) executed, 4 skipped/);
  assert.equal(csv('w1'), readFileSync(join(dir, 'w2', 'sweep.csv'), 'utf8'));
  // Shards + merge.
  await runSweep(args('s1', 1, '1/2'), 'test', quiet);
  await runSweep(args('s2', 1, '2/2'), 'test', quiet);
  assert.equal(
    runMerge({ dirs: [join(dir, 's1'), join(dir, 's2')], out: join(dir, 'merged') }, quiet),
    0,
  );
  assert.equal(csv('merged'), csv('w1'));
  // hybrid on/off must actually change something measurable (not a constant CSV).
  const rows = csv('w1').trim().split('\n').slice(1);
  assert.notEqual(rows[0]?.split(',').slice(4).join(), rows[2]?.split(',').slice(4).join());
});

test('dispatch: costliest runs first, equal costs in grid order; pool no bigger than the work', () => {
  const plan = planSweep('s.json', [parseParam('duration=1s,3s,2s'), parseParam('seed=1,2')], 1);
  const cost = (r: (typeof plan.runs)[number]) => Number.parseInt(r.params['duration'] ?? '0', 10);
  assert.deepEqual(
    dispatchOrder(plan.runs, cost).map((r) => r.index),
    [2, 3, 4, 5, 0, 1],
  );
  assert.deepEqual(
    dispatchOrder(plan.runs, undefined).map((r) => r.index),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(poolSize(2, 1), 1);
  assert.equal(poolSize(8, 3), 3);
  assert.equal(poolSize(2, 5), 2);
});

test('sweep: runs of different lengths (longest dispatched first) give the same CSV on 1 and 2 workers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-sweep-order-'));
  const file = join(dir, 'sc.json');
  writeFileSync(file, JSON.stringify({ topology: 'ba:40,m=2', duration: '2s', seed: '3' }));
  const args = (out: string, workers: number) => ({
    scenario: file,
    param: ['duration=1s,4s', 'seed=1,2'],
    reps: 1,
    workers,
    out: join(dir, out),
  });
  await runSweep(args('w1', 1), 'test', () => {});
  await runSweep(args('w2', 2), 'test', () => {});
  const csv = (d: string) => readFileSync(join(dir, d, 'sweep.csv'), 'utf8');
  assert.equal(csv('w1').split('\n').length, 6);
  assert.equal(csv('w1'), csv('w2'));
  // Rows in grid order, whatever order the runs ran in.
  assert.deepEqual(
    csv('w2')
      .split('\n')
      .slice(1, 5)
      .map((l) => l.split(',')[0]),
    [
      'duration-1s_seed-1_rep-0',
      'duration-1s_seed-2_rep-0',
      'duration-4s_seed-1_rep-0',
      'duration-4s_seed-2_rep-0',
    ],
  );
});

test('sweep: a bad parameter value fails before any run, as an input error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-sweep-bad-'));
  const file = join(dir, 'sc.json');
  writeFileSync(file, JSON.stringify({ topology: 'ring:4', duration: '2s' }));
  await assert.rejects(
    runSweep(
      { scenario: file, param: ['latency=1ms,fast'], reps: 1, workers: 1, out: join(dir, 'o') },
      't',
      () => {},
    ),
    (e: unknown) => e instanceof InputError && /latency-fast.*links\.latency/.test(e.message),
  );
});

test('sweep: YAML scenarios are read like JSON ones (validation names the YAML file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-sweep-yaml-'));
  const file = join(dir, 'sc.yaml');
  writeFileSync(file, '# a comment, which JSON could not hold\ntopology: ring:4\nduration: 2s\n');
  await assert.rejects(
    runSweep(
      { scenario: file, param: ['latency=1ms,fast'], reps: 1, workers: 1, out: join(dir, 'o') },
      't',
      () => {},
    ),
    (e: unknown) =>
      e instanceof InputError && /sc\.yaml \[latency-fast.*links\.latency/.test(e.message),
  );
});

test('plan: values that map to the same run folder are refused, not overwritten', () => {
  for (const values of ['a/b,a:b', 'α,β', 'x y,x~y']) {
    assert.throws(
      () => planSweep('s.json', [parseParam(`seed=${values}`)], 1),
      (e: unknown) => e instanceof InputError && /same run folder name seed-/.test(e.message),
      values,
    );
  }
  // Distinct folder-safe values still plan, one folder each.
  const plan = planSweep('s.json', [parseParam('seed=a.b,a_b,a-b')], 2);
  assert.equal(new Set(plan.runs.map((r) => r.id)).size, 6);
});

test('applyParam: prototype paths are refused and pollute nothing', () => {
  for (const name of ['__proto__.x', 'measure.__proto__.x', 'constructor.prototype.x', 'a..b']) {
    const raw: Record<string, unknown> = { measure: {} };
    assert.throws(() => applyParam(raw, name, '1'), InputError, name);
  }
  assert.throws(() => applyParam({}, 'toString.x', '1'), /no object at "toString"/);
  assert.throws(() => applyParam({}, 'constructor', '1'), /not a known parameter/);
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
});

test('resume and merge: a truncated summary.json does not count as complete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-sweep-trunc-'));
  const file = join(dir, 'sc.json');
  writeFileSync(file, JSON.stringify({ topology: 'ring:4', duration: '2s' }));
  const args = { scenario: file, param: ['seed=1,2'], reps: 1, workers: 1, out: join(dir, 'o') };
  await runSweep(args, 't', () => {});
  const summary = join(dir, 'o', 'seed-1_rep-0', 'summary.json');
  const whole = readFileSync(summary, 'utf8');
  writeFileSync(summary, whole.slice(0, 100));
  // Merge from the damaged folder: the run is listed as missing with its file, not copied.
  let log = '';
  const missing = runMerge({ dirs: [join(dir, 'o')], out: join(dir, 'm') }, (s) => {
    log += s;
  });
  assert.equal(missing, 1);
  assert.match(log, /missing runs: seed-1_rep-0/);
  assert.match(log, /seed-1_rep-0[/\\]summary\.json: not valid JSON/);
  // Resume reruns it, and the rerun's summary is the same as the first.
  log = '';
  await runSweep(args, 't', (s) => {
    log += s;
  });
  assert.match(log, /1 run\(s\) executed, 1 skipped/);
  assert.equal(
    readFileSync(summary, 'utf8').replace(/"wallSeconds": [^,]+/, ''),
    whole.replace(/"wallSeconds": [^,]+/, ''),
  );
});

test('merge: a sweep.json whose run ids are not folder names is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-merge-bad-'));
  for (const runs of [
    [{ id: '../x', params: {}, rep: 0 }],
    [{ id: '..', params: {}, rep: 0 }],
    3,
  ]) {
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ runs }));
    assert.throws(
      () => runMerge({ dirs: [dir], out: join(dir, 'm') }, () => {}),
      (e: unknown) => e instanceof InputError && /sweep\.json: /.test(e.message),
    );
  }
});
