import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../base/index.ts';
import type { InlineData, PackedData } from '../viz/src/model/files.ts';
import {
  buildReport,
  checkSources,
  packData,
  reportCommand,
  scriptSafeJson,
  sweepPair,
} from './report.ts';
import { checkRunDir } from './view.ts';

/** The data a report page reads: the packed JSON script, inflated. */
function inlined(html: string): InlineData {
  const m = /<script id="pinelab-data" type="application\/json">(.*?)<\/script>/s.exec(html);
  const packed = JSON.parse(m![1]!) as PackedData;
  assert.equal(packed.encoding, 'gzip+base64');
  return JSON.parse(gunzipSync(Buffer.from(packed.data, 'base64')).toString('utf8')) as InlineData;
}

const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'run-small');

test('checkRunDir: names what is missing as an InputError', () => {
  checkRunDir(FIXTURE);
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-bad-run-'));
  writeFileSync(join(dir, 'topology.json'), '{}');
  assert.throws(
    () => checkRunDir(dir),
    (e: unknown) =>
      e instanceof InputError &&
      /missing manifest\.json, summary\.json, nodes\.csv, timeseries\.csv/.test(e.message),
  );
  assert.throws(
    () => checkRunDir(join(dir, 'nope')),
    (e: unknown) => e instanceof InputError && /not a directory/.test(e.message),
  );
});

test('scriptSafeJson cannot close the script element', () => {
  const s = scriptSafeJson({ a: '</script><script>alert(1)</script>', b: '<!--', c: '\u2028' });
  assert.doesNotMatch(s, /<\/script|<!--|\u2028/i);
  assert.deepEqual(JSON.parse(s), {
    a: '</script><script>alert(1)</script>',
    b: '<!--',
    c: '\u2028',
  });
});

test('buildReport inlines bundle and data; the handler writes the file atomically', async () => {
  const html = await buildReport(FIXTURE);
  assert.doesNotMatch(html, /<script[^>]*\bsrc\s*=/i);
  assert.match(
    html,
    /<script id="pinelab-data" type="application\/json">\{"encoding":"gzip\+base64"/,
  );
  const data = inlined(html);
  assert.equal(data.run['nodes.csv'], readFileSync(join(FIXTURE, 'nodes.csv'), 'utf8'));
  assert.equal(data.compare, null);
  const out = join(mkdtempSync(join(tmpdir(), 'pinelab-report-')), 'r.html');
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    await (reportCommand.handler as (a: unknown) => Promise<void>)({
      dir: FIXTURE,
      output: out,
      _: [],
      $0: 'pinelab',
    });
  } finally {
    process.stdout.write = write;
  }
  assert.equal(readFileSync(out, 'utf8'), html);
  rmSync(out);
});

test('packData: gzip + base64 of the JSON, smaller for repetitive data, lossless', () => {
  const data: InlineData = {
    run: { 'paths.json': JSON.stringify(Array(500).fill({ reason: 'SNEK: table entry' })) },
    runName: 'r',
    compare: null,
    compareName: null,
  };
  const packed = packData(data);
  assert.match(packed.data, /^[A-Za-z0-9+/=]+$/, 'base64 only: nothing a script element minds');
  assert.ok(packed.data.length < JSON.stringify(data).length / 10);
  assert.deepEqual(
    JSON.parse(gunzipSync(Buffer.from(packed.data, 'base64')).toString('utf8')),
    data,
  );
});

/** A sweep folder as pinelab sweep writes it: sweep.json and one run folder per run. */
function fakeSweep(values: readonly number[], interrupted = -1): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-sweep-'));
  const runs = values.map((_, i) => ({ id: `seed-${i}`, rep: 0, params: { seed: String(i) } }));
  writeFileSync(
    join(dir, 'sweep.json'),
    JSON.stringify({ params: [{ name: 'seed', values: runs.map((r) => r.params.seed) }], runs }),
  );
  values.forEach((v, i) => {
    const run = join(dir, `seed-${i}`);
    mkdirSync(run);
    writeFileSync(
      join(run, 'summary.json'),
      JSON.stringify({ traceHash: `h${i}`, treeConvergedAt: v, hybridStretch: 'conversation' }),
    );
    writeFileSync(
      join(run, 'manifest.json'),
      JSON.stringify({ options: { interrupted: i === interrupted } }),
    );
  });
  return dir;
}

test('checkSources: two runs or two sweeps; a run against a sweep or a lone sweep is refused', () => {
  const a = fakeSweep([1, 2, 3]);
  const b = fakeSweep([2, 3, 4]);
  assert.equal(checkSources(FIXTURE, undefined), 'runs');
  assert.equal(checkSources(a, b), 'sweeps');
  const refused = (dir: string, compare: string | undefined, re: RegExp) =>
    assert.throws(
      () => checkSources(dir, compare),
      (e: unknown) => e instanceof InputError && re.test(e.message),
    );
  refused(a, undefined, /a sweep folder: give --compare with another sweep folder/);
  refused(a, FIXTURE, /--compare .*must be one too/);
  refused(FIXTURE, b, /--compare .*a sweep folder, but .* is a run folder/);
});

test('sweepPair: every run with its figures, compare rows per metric; interrupted runs refused', () => {
  const pair = sweepPair(fakeSweep([1, 2, 3]), fakeSweep([2, 3, 4]));
  assert.deepEqual(
    pair.a.runs.map((r) => r.metrics['treeConvergedAt']),
    [1, 2, 3],
  );
  assert.deepEqual(pair.gridParams, [], 'seed is the sample, not a grid parameter');
  const row = pair.rows.find((r) => r.metric === 'treeConvergedAt');
  assert.ok(row);
  assert.equal(row.meanA, 2);
  assert.equal(row.meanB, 3);
  assert.equal(row.diff, 1);
  assert.equal(row.unit, 's');
  assert.equal(row.point, 'all runs');
  assert.throws(
    () => sweepPair(fakeSweep([1, 2], 1), fakeSweep([1, 2])),
    (e: unknown) => e instanceof InputError && /interrupted/.test(e.message),
  );
});

test('buildReport with two sweeps: the sweep pair inlined, no run files', async () => {
  const data = inlined(await buildReport(fakeSweep([1, 2]), fakeSweep([3, 4])));
  assert.deepEqual(data.run, {});
  assert.equal(data.compare, null);
  assert.equal(data.sweeps?.a.runs.length, 2);
  assert.equal(data.sweeps?.b.runs[1]?.metrics['treeConvergedAt'], 4);
});
