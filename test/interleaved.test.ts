/**
 * test/interleaved.test.ts — two simulations in one process share nothing (ENGINEERING.md §2.2):
 * stepped alternately, a few hundred events at a time, each gives exactly the trace hash and final
 * state it gives when run alone. Covers the router's own caches (the SNEK search indexes, hubs
 * included), the per-run verification cache and deferred signatures (signatures on), and the
 * wire codecs (one run with --wire-encode).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunConfig, runSimulation, Simulation } from '../cli/run.ts';

const SIM = join(import.meta.dirname, '..', 'examples', 'sim.txt');

const A: RunConfig = {
  // Barabási–Albert: hubs with more than 24 peers use the SNEK hub index.
  topology: 'ba:300,m=2',
  seed: '3',
  until: 6_000_000,
  crypto: 'node',
  stretch: false,
};
const B: RunConfig = {
  topology: SIM,
  seed: '7',
  until: 6_000_000,
  crypto: 'node',
  wireEncode: true,
  link: { jitter: 2000, loss: 0.001 },
  stretch: false,
};

test('two simulations stepped alternately give the trace hashes and states they give alone', () => {
  const aloneA = runSimulation(A);
  const aloneB = runSimulation(B);
  assert.notEqual(aloneA.summary.traceHash, aloneB.summary.traceHash);
  const a = new Simulation(A);
  const b = new Simulation(B);
  let doneA = false;
  let doneB = false;
  // Unequal chunks, so the two runs interleave at ever-changing points of each other.
  for (let round = 0; !(doneA && doneB); round++) {
    if (!doneA) doneA = a.advance(200 + (round % 7) * 50);
    if (!doneB) doneB = b.advance(300 + (round % 5) * 40);
  }
  const ra = a.finish();
  const rb = b.finish();
  assert.equal(ra.summary.traceHash, aloneA.summary.traceHash);
  assert.equal(rb.summary.traceHash, aloneB.summary.traceHash);
  assert.deepEqual(ra.dumpState(), aloneA.dumpState());
  assert.deepEqual(rb.dumpState(), aloneB.dumpState());
});
