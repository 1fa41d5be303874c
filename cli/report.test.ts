import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../sim/errors.ts';
import { buildReport, reportCommand, scriptSafeJson } from './report.ts';
import { checkRunDir } from './view.ts';

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
  assert.match(html, /<script id="pinelab-data" type="application\/json">\{"run":/);
  const m = /<script id="pinelab-data" type="application\/json">(.*?)<\/script>/s.exec(html);
  const data = JSON.parse(m![1]!) as { run: Record<string, string | null>; compare: unknown };
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
