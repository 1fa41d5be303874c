/**
 * test/processing.test.ts — the processing model (sim/processing.ts) end to end:
 * what it does to trees, that `off` changes nothing, determinism, and the flag / scenario field.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { configFromArgs, type RunConfig, runSimulation } from '../cli/run.ts';
import { executeScenario } from '../run/execute.ts';
import { parseScenario } from '../scenarios/load.ts';
import { RUN_ARGS } from './run-args.ts';

const SIM = join(import.meta.dirname, '..', 'examples', 'sim.txt');
const GRAPH_250 = join(import.meta.dirname, '..', '..', 'shared', 'topologies', 'graph-250.txt');

function run(extra: Partial<RunConfig> = {}) {
  return runSimulation({ topology: SIM, seed: '7', until: 12_000_000, stretch: false, ...extra });
}

test('processing makes trees deeper than without it and than BFS trees on graph-250 (needs ../shared)', {
  skip: existsSync(GRAPH_250) ? false : 'needs ../shared/topologies/graph-250.txt',
}, () => {
  // Nodes start together (--start-spread 0): without processing time the first announcement to
  // arrive comes the shortest way and the tree is nearly a BFS tree (README "Large networks"),
  // so what processing does to the first-arrival race shows alone. With the default 1 s spread
  // the start order already makes trees 1.4–2.2× deeper than BFS on this graph and processing
  // does not deepen them further (README "Model: processing").
  const depth = (processing: 'off' | 'server' | 'phone') => {
    const r = runSimulation({
      topology: GRAPH_250,
      seed: '1',
      until: 'converged',
      startSpread: 0,
      stretch: false,
      processing,
    });
    assert.ok(r.converged, `${processing}: converged`);
    return r.summary.depth;
  };
  const off = depth('off');
  const server = depth('server');
  const phone = depth('phone');
  const bfs = off.bfsDepth.mean;
  assert.equal(server.bfsDepth.mean, bfs);
  assert.ok(off.depth.mean < 1.2 * bfs, `off is close to BFS: ${off.depth.mean} vs ${bfs}`);
  for (const [name, d] of [
    ['server', server],
    ['phone', phone],
  ] as const) {
    assert.ok(d.depth.mean > off.depth.mean, `${name} ${d.depth.mean} > off ${off.depth.mean}`);
    assert.ok(d.depth.mean > bfs, `${name} ${d.depth.mean} > BFS ${bfs}`);
  }
  assert.ok(phone.ratioMean > off.ratioMean);
});

test('processing off is the model absent: same trace hash, events and summary', () => {
  const absent = run();
  const off = run({ processing: 'off' });
  assert.equal(off.summary.traceHash, absent.summary.traceHash);
  assert.equal(off.summary.events, absent.summary.events);
  assert.deepEqual(off.summary.framesByType, absent.summary.framesByType);
  assert.equal(off.manifest.options['processing'], 'off');
});

test('processing is deterministic, changes the run, and --wire-encode stays transparent', () => {
  const phone = run({ processing: 'phone' });
  assert.equal(run({ processing: 'phone' }).summary.traceHash, phone.summary.traceHash);
  assert.notEqual(phone.summary.traceHash, run().summary.traceHash);
  assert.notEqual(run({ processing: 'server' }).summary.traceHash, phone.summary.traceHash);
  // Receive costs come from the decoded bytes in wire mode: the same run.
  const wire = run({ processing: 'phone', wireEncode: true });
  assert.equal(wire.summary.traceHash, phone.summary.traceHash);
  assert.equal(phone.manifest.options['processing'], 'phone');
});

test('--processing and the scenario field: bad values are InputErrors naming them; the manifest records it', () => {
  const args = RUN_ARGS;
  assert.equal(configFromArgs({ ...args, processing: 'server' }, 'cmd').processing, 'server');
  assert.equal(configFromArgs(args, 'cmd').processing, 'off');
  assert.throws(
    () => configFromArgs({ ...args, processing: 'fast' }, 'cmd'),
    (e: unknown) =>
      e instanceof InputError &&
      /^--processing: expected one of off, server, phone/.test(e.message),
  );
  const text = (processing: string) =>
    `{"topology": "ring:4", "duration": "3s", "processing": ${processing}, "measure": {"stretch": []}}`;
  assert.throws(
    () => parseScenario(text('"fast"'), 'x.json'),
    (e: unknown) =>
      e instanceof InputError && /x\.json:1: processing: expected one of "off"/.test(e.message),
  );
  assert.throws(() => parseScenario(text('2'), 'x.json'), InputError);
  const sc = parseScenario(text('"server"'), 'x.json');
  assert.equal(sc.processing, 'server');
  const result = executeScenario(sc);
  assert.equal(result.data.manifest.options['processing'], 'server');
  assert.equal(parseScenario(text('"off"'), 'x.json').processing, 'off');
});
