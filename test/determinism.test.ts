/**
 * test/determinism.test.ts — the product promise (PROTOCOL.md §10 item 44): the same topology,
 * seed and options give the same event trace hash and the same summary, with the real router;
 * a different seed gives a different run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunConfig, runSimulation } from '../cli/run.ts';
import type { RunSummary } from '../results/schema.ts';

// The bundled copy of shared/topologies/sim.txt: no ../shared needed, independent of the cwd.
const SIM = join(import.meta.dirname, '..', 'examples', 'sim.txt');

/** Everything but the wall-clock figure. */
function comparable(summary: RunSummary): Omit<RunSummary, 'wallSeconds'> {
  const { wallSeconds: _ignored, ...rest } = summary;
  return rest;
}

function run(extra: Partial<RunConfig> = {}) {
  return runSimulation({ topology: SIM, seed: '7', until: 12_000_000, crypto: 'noble', ...extra });
}

test('same run twice: same trace hash, same summary, same final state', () => {
  const a = run({ link: { jitter: 2000, loss: 0.001 } });
  const b = run({ link: { jitter: 2000, loss: 0.001 } });
  assert.match(a.summary.traceHash, /^[0-9a-f]{16}$/);
  assert.equal(a.summary.traceHash, b.summary.traceHash);
  assert.deepEqual(comparable(a.summary), comparable(b.summary));
  assert.deepEqual(a.dumpState(), b.dumpState());
  assert.deepEqual(a.timeseries, b.timeseries);
  assert.ok(a.summary.events > 1000);
});

test('a different seed gives a different run; jitter changes the trace', () => {
  const base = run();
  assert.notEqual(run({ seed: '8' }).summary.traceHash, base.summary.traceHash);
  assert.notEqual(run({ link: { jitter: 500 } }).summary.traceHash, base.summary.traceHash);
});

test('wire encoding is transparent: encode/decode at every hop gives the identical trace', () => {
  const plain = run({ until: 6_000_000 });
  const wire = run({ until: 6_000_000, wireEncode: true });
  assert.equal(wire.summary.traceHash, plain.summary.traceHash);
  assert.deepEqual(wire.summary.bytesByType, plain.summary.bytesByType);
});

test('--until converged stops 3 s after both hold, and converges on the golden six-node line', () => {
  const result = runSimulation({
    topology: 'line:6',
    seed: '1',
    until: 'converged',
    startSpread: 0,
  });
  assert.ok(result.converged);
  const { treeConvergedAt, snakeConvergedAt, virtualSeconds } = result.summary;
  assert.ok(treeConvergedAt !== null && snakeConvergedAt !== null);
  assert.ok(Math.abs(virtualSeconds - (Math.max(treeConvergedAt, snakeConvergedAt) + 3)) < 1e-9);
});
