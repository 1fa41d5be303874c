/// <reference types="node" />
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUN_FILES, type RunFiles } from './files.ts';
import { parseRun, runInfo } from './run.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'run-small');
const all = (): RunFiles =>
  Object.fromEntries(RUN_FILES.map((f) => [f, readFileSync(join(FIXTURE, f), 'utf8')]));

test('parseRun: the fixture parses completely, with no notes', () => {
  const run = parseRun(all(), 'run-small');
  assert.deepEqual(run.notes, []);
  assert.equal(run.nodes.length, run.topology.nodes.length);
  assert.ok(run.timeseries.length > 0 && run.pairs.length > 0);
  assert.ok(run.paths && run.paths.length > 0);
  const times = run.snapshots!.map((s) => s.time_s);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
});

test('parseRun: optional files missing become notes; topology.json missing is an error', () => {
  const files = all();
  files['paths.json'] = null;
  delete files['snapshots.json'];
  const run = parseRun(files, 'r');
  assert.equal(run.paths, null);
  assert.equal(run.snapshots, null);
  assert.equal(run.notes.length, 2);
  assert.match(run.notes.join('\n'), /paths\.json is missing/);
  assert.match(run.notes.join('\n'), /snapshots\.json is missing/);
  assert.throws(
    () => parseRun({ ...all(), 'topology.json': null }, 'r'),
    /topology\.json is missing/,
  );
  assert.throws(
    () => parseRun({ ...all(), 'paths.json': '{oops' }, 'r'),
    /paths\.json: not valid JSON/,
  );
});

test('runInfo: convergence times; a snake that never held everywhere says from when 99.9% did', () => {
  const run = parseRun(all(), 'run-small');
  const summary = run.summary!;
  assert.match(runInfo(run, null), new RegExp(`snake converged ${summary.snakeConvergedAt} s`));
  // Results from before snakeHeld: just "never".
  const { snakeHeld: _, ...older } = summary;
  const never = { ...run, summary: { ...older, snakeConvergedAt: null } };
  assert.match(runInfo(never, null), /snake converged never · /);
  const held = {
    ...run,
    summary: { ...summary, snakeConvergedAt: null, snakeHeld: { at99: 40, at999: 78.5 } },
  };
  assert.match(
    runInfo(held, run),
    /snake converged never \(right at 99\.9% of nodes from 78\.5 s\) · scenario: .* · compared with run-small \(dashed\)$/,
  );
});
