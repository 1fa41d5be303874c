import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runScenarioCommand } from './scenario.ts';

const scenario = (name?: string) =>
  JSON.stringify({
    ...(name === undefined ? {} : { name }),
    topology: 'ring:6',
    seed: '7',
    duration: '4s',
    measure: { interval: '100ms', stretch: ['hybrid'] },
    actions: [{ at: '2s', type: 'remove-link', a: 'n0', b: 'n1' }],
  });

test('scenario run: runs/<name>-s<seed>-<hash8>/ like pinelab run, with events and report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-scenario-cli-'));
  try {
    const file = join(dir, 'cut.json');
    writeFileSync(file, scenario('cut-one'));
    const out = join(dir, 'runs');
    const a = await runScenarioCommand(file, {
      out,
      events: true,
      report: true,
      command: 'test',
    });
    assert.ok(a.dir !== null);
    assert.match(a.dir, /[/\\]cut-one-s7-[0-9a-f]{8}$/);
    assert.equal(a.dir, join(out, `cut-one-s7-${a.summary.traceHash.slice(0, 8)}`));
    const files = readdirSync(a.dir);
    for (const f of ['summary.json', 'timeseries.csv', 'events.jsonl', 'report.html'])
      assert.ok(files.includes(f), `${f} written`);
    const firstEvent = JSON.parse(
      readFileSync(join(a.dir, 'events.jsonl'), 'utf8').split('\n')[0]!,
    );
    assert.equal(typeof firstEvent.t, 'number');
    assert.match(readFileSync(join(a.dir, 'report.html'), 'utf8'), /pinelab-data/);
    assert.equal(a.summary.convergence.changes, 1);

    // An unnamed scenario takes its file's name; without --events/--report neither file exists.
    const unnamed = join(dir, 'my-test.json');
    writeFileSync(unnamed, scenario());
    const b = await runScenarioCommand(unnamed, {
      out,
      events: false,
      report: false,
      command: 'test',
    });
    assert.ok(b.dir !== null);
    assert.match(b.dir, /[/\\]my-test-s7-[0-9a-f]{8}$/);
    assert.ok(!existsSync(join(b.dir, 'events.jsonl')));
    assert.ok(!existsSync(join(b.dir, 'report.html')));

    // --no-out: nothing written, the summary is still there.
    const before = readdirSync(out).length;
    const c = await runScenarioCommand(file, {
      out: false,
      events: false,
      report: false,
      command: 'test',
    });
    assert.equal(c.dir, null);
    assert.equal(c.summary.traceHash, a.summary.traceHash, 'same scenario, same trace');
    assert.equal(readdirSync(out).length, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scenario run: a rerun rewrites an earlier report.html instead of leaving it stale', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-scenario-rerun-'));
  try {
    const file = join(dir, 'cut.json');
    writeFileSync(file, scenario('cut-one'));
    const out = join(dir, 'runs');
    const a = await runScenarioCommand(file, { out, events: false, report: true, command: 'test' });
    const report = join(a.dir!, 'report.html');
    writeFileSync(report, 'stale');
    await runScenarioCommand(file, { out, events: false, report: false, command: 'test' });
    assert.match(readFileSync(report, 'utf8'), /pinelab-data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
