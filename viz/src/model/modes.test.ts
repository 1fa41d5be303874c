/// <reference types="node" />
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../../results/schema.ts';
import { parsePairs } from './csv.ts';
import { RUN_FILES, type RunFiles } from './files.ts';
import { hybridWasGiven, MODES, modeLabel } from './modes.ts';
import { indexPaths, pathsFor } from './paths.ts';
import { parseRun } from './run.ts';
import { stretchCdfs } from './stats.ts';

// Written before hybridStretch existed: its summary has none, its `hybrid` had coordinates given.
const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'run-small');
const old = (): RunFiles =>
  Object.fromEntries(RUN_FILES.map((f) => [f, readFileSync(join(FIXTURE, f), 'utf8')]));

/** The fixture as a current run writes it: the marker, and given rows beside the hybrid ones. */
function current(): RunFiles {
  const files = old();
  const summary = JSON.parse(files['summary.json'] as string) as RunSummary;
  files['summary.json'] = JSON.stringify({
    ...summary,
    stretch: { ...summary.stretch, given: summary.stretch?.hybrid },
    hybridStretch: 'conversation',
  });
  const lines = (files['pairs.csv'] as string).trim().split('\n');
  const given = lines
    .filter((l) => l.startsWith('hybrid,'))
    .map((l) => l.replace(/^hybrid,/, 'given,'));
  files['pairs.csv'] = `${[...lines, ...given].join('\n')}\n`;
  return files;
}

test('an old folder loads with its hybrid rows, paths and summary read as given', () => {
  const run = parseRun(old(), 'run-small');
  assert.deepEqual(run.notes, []);
  assert.ok(hybridWasGiven(JSON.parse(old()['summary.json'] as string)));
  const modes = new Set(run.pairs.map((p) => p.mode));
  assert.deepEqual([...modes].sort(), ['given', 'snek', 'tree']);
  assert.ok(run.paths?.some((p) => p.mode === 'given'));
  assert.ok(!run.paths?.some((p) => p.mode === 'hybrid'));
  assert.equal(run.summary?.stretch?.hybrid, undefined);
  assert.equal(run.summary?.stretch?.given?.pairs, 156);
  assert.equal(run.summary?.delivery?.given?.sent, 156);
  assert.deepEqual([...stretchCdfs(run.pairs).keys()], ['snek', 'given', 'tree']);
});

test('a current folder keeps hybrid (conversation) and given apart, in display order', () => {
  const run = parseRun(current(), 'run-new');
  assert.equal(run.summary?.hybridStretch, 'conversation');
  assert.equal(hybridWasGiven(run.summary), false);
  assert.equal(hybridWasGiven(null), false);
  assert.deepEqual([...stretchCdfs(run.pairs).keys()], ['snek', 'hybrid', 'given', 'tree']);
  assert.ok(run.paths?.some((p) => p.mode === 'hybrid'));
  const idx = indexPaths(run.paths ?? []);
  const first = run.paths?.[0];
  assert.ok(first);
  const order = pathsFor(idx, first.source, first.destination).map((p) => p.mode);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => MODES.indexOf(a) - MODES.indexOf(b)),
  );
});

test('pairs.csv: every mode parses; an unknown mode names the accepted ones', () => {
  const head = 'mode,source,destination,shortest_hops,hops,stretch,outcome,reached\n';
  const rows = MODES.map((m) => `${m},a,b,1,1,1,delivered,b`).join('\n');
  assert.deepEqual(
    parsePairs(head + rows).map((p) => p.mode),
    [...MODES],
  );
  assert.throws(
    () => parsePairs(`${head}conversation,a,b,1,1,1,delivered,b`),
    /pairs\.csv:2: expected mode snek, hybrid, given, tree, got "conversation"/,
  );
});

test('labels: each mode says what it measures', () => {
  assert.equal(modeLabel('hybrid'), 'hybrid (conversation)');
  assert.equal(modeLabel('given'), 'given coordinates');
  assert.equal(new Set(MODES.map(modeLabel)).size, MODES.length);
  assert.equal(modeLabel('other'), 'other');
});
