/**
 * `--snapshots every:<duration>`: the flag's parsing, and dense snapshots on a run
 * without changing its trace hash (snapshots are read-only host actions).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { executeScenario } from '../run/execute.ts';
import { parseScenario } from '../scenarios/load.ts';
import { parseSnapshotsArg } from './run.ts';

test('parseSnapshotsArg: every:<duration> in µs; anything else names the flag', () => {
  assert.equal(parseSnapshotsArg('every:1s'), 1_000_000);
  assert.equal(parseSnapshotsArg(' every:250ms '), 250_000);
  for (const bad of ['1s', 'every:', 'every:0s', 'every:soon', 'each:1s']) {
    assert.throws(
      () => parseSnapshotsArg(bad),
      (e: unknown) => e instanceof InputError && /^--snapshots: expected every:/.test(e.message),
      bad,
    );
  }
});

test('dense snapshots: one a second from 0 to the end, same trace hash as without', () => {
  const sc = parseScenario('{ "seed": "1", "topology": "ring:5", "duration": "6s" }', 'sc.json');
  const plain = executeScenario(sc);
  const dense = executeScenario(sc, { snapshotEvery: 1_000_000 });
  assert.match(plain.summary.traceHash, /^[0-9a-f]{16}$/);
  assert.equal(dense.summary.traceHash, plain.summary.traceHash);
  const times = (dense.data.snapshots ?? []).map((s) => s.time_s);
  for (const t of [0, 1, 2, 3, 4, 5, 6]) assert.ok(times.includes(t), `a snapshot at ${t} s`);
  assert.equal(times.filter((t) => t === 0).length, 1, 't = 0 once (the automatic start)');
  assert.ok((plain.data.snapshots ?? []).length < times.length);
});
