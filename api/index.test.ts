import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSimulation } from '../run/simulation.ts';
import { InputError, loadTopology, simulate, toMicros } from './index.ts';

test('simulate gives what pinelab run gives: same trace hash and summary figures', async () => {
  const r = await simulate({ topology: 'ring:8', seed: 3, until: '5s', latency: { ms: 2 } });
  const cli = runSimulation({
    topology: 'ring:8',
    seed: '3',
    until: 5_000_000,
    timeout: 600_000_000,
    link: { latency: 2000, jitter: 0, bandwidth: 0, loss: 0 },
    startSpread: 1_000_000,
  });
  assert.equal(r.summary.traceHash, cli.summary.traceHash);
  assert.equal(r.summary.virtualSeconds, 5);
  assert.equal(r.runId, cli.runId);
  assert.equal(r.dir, null);
  assert.equal(r.dumpState().length, 8);
});

test('durations as strings or with explicit units; bad ones name the option', () => {
  assert.equal(toMicros('30s', 'until'), 30_000_000);
  assert.equal(toMicros({ s: 1.5 }, 'until'), 1_500_000);
  assert.equal(toMicros({ ms: 250 }, 'until'), 250_000);
  assert.equal(toMicros({ us: 7 }, 'until'), 7);
  for (const bad of [30, '30', { s: -1 }, { minutes: 1 }, { s: 1, ms: 1 }, null])
    assert.throws(
      () => toMicros(bad as never, 'latency'),
      (e: unknown) => e instanceof InputError && /^latency: expected a duration/.test(e.message),
    );
});

test('simulate: bad options throw an InputError naming the option, before the run', async () => {
  await assert.rejects(simulate({ topology: 'ring:4', until: 5 as never }), /^InputError: until:/);
  await assert.rejects(simulate({ topology: 'ring:4', loss: 2 }), /loss: expected a number/);
  await assert.rejects(
    simulate({ topology: 'ring:4', router: { maxPorts: 0 } }),
    (e: unknown) => e instanceof InputError && /maxPorts/.test(e.message),
  );
  await assert.rejects(simulate({ topology: '/nonexistent.txt' }), InputError);
});

test('simulate: router timers as durations, results folder, AbortSignal stops the run', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pinelab-api-'));
  const r = await simulate({
    topology: 'line:4',
    until: '3s',
    router: { keepaliveInterval: '2s' },
    stretch: false,
    out,
  });
  assert.equal(r.manifest.options['router'] !== undefined, true);
  assert.equal(
    (r.manifest.options['router'] as { keepaliveInterval: number }).keepaliveInterval,
    2_000_000,
  );
  assert.ok(r.dir !== null && existsSync(join(r.dir, 'summary.json')));
  const controller = new AbortController();
  controller.abort();
  const stopped = await simulate({ topology: 'ring:6', until: '1m', signal: controller.signal });
  assert.equal(stopped.interrupted, true);
  assert.equal(stopped.summary.interrupted, true);
  assert.equal(stopped.summary.virtualSeconds, 0);
});

test('loadTopology: nodes, links and the digest a run records', async () => {
  const t = loadTopology('ring:5');
  assert.deepEqual(t.nodes, ['n0', 'n1', 'n2', 'n3', 'n4']);
  assert.equal(t.links.length, 5);
  const r = await simulate({ topology: 'ring:5', until: '1s', stretch: false });
  assert.equal(r.manifest.topology.digest, t.digest);
});

test('api/ imports nothing from cli/ (the library carries no command line, report or viewer)', () => {
  const dir = import.meta.dirname;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')))
    assert.doesNotMatch(readFileSync(join(dir, file), 'utf8'), /from '\.\.\/(cli|viz)\//, file);
});
