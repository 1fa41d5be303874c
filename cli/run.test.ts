import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../sim/errors.ts';
import {
  configFromArgs,
  parseBandwidth,
  parseLoss,
  parseQuirks,
  runSimulation,
  writeResults,
} from './run.ts';

test('flag parsers: bandwidth, loss, quirks', () => {
  assert.equal(parseBandwidth('0'), 0);
  assert.equal(parseBandwidth('10M'), 10_000_000);
  assert.equal(parseBandwidth('1.5G'), 1_500_000_000);
  assert.equal(parseBandwidth('56kbps'), 56_000);
  assert.equal(parseBandwidth('fast'), null);
  assert.equal(parseLoss('1%'), 0.01);
  assert.equal(parseLoss('0.2'), 0.2);
  assert.equal(parseLoss('2'), null);
  assert.deepEqual(parseQuirks(['head-hop-limit', 'signatures=off']), {
    headHopLimit: true,
    signatures: false,
  });
  assert.throws(() => parseQuirks(['maxPorts']), InputError);
});

const ARGS = {
  topology: 'ring:4',
  seed: '3',
  until: 'converged',
  timeout: '10m',
  json: false,
  crypto: 'node' as const,
  'wire-encode': false,
  latency: '1ms',
  jitter: '0',
  bandwidth: '0',
  loss: '0',
  'max-ports': 253,
  'start-spread': '1s',
  hybrid: 'on' as const,
  quirk: [] as string[],
};

test('flags become a RunConfig; bad values are InputErrors naming the flag', () => {
  const c = configFromArgs(
    { ...ARGS, latency: '5ms', hybrid: 'off', quirk: ['keepalives=off'] },
    'cmd',
  );
  assert.deepEqual(c.link, { latency: 5000, jitter: 0, bandwidth: 0, loss: 0 });
  assert.deepEqual(c.router, { hybrid: false, maxPorts: 253, keepalives: false });
  assert.equal(c.until, 'converged');
  assert.equal(configFromArgs({ ...ARGS, until: '250ms' }, 'cmd').until, 250_000);
  for (const [flag, value, pattern] of [
    ['until', 'soon', /--until: expected 'converged' or a duration/],
    ['latency', '5', /--latency/],
    ['bandwidth', 'x', /--bandwidth/],
    ['loss', '3', /--loss/],
    ['max-ports', 300, /--max-ports/],
    ['seed', 'a b', /--seed/],
  ] as const) {
    assert.throws(
      () => configFromArgs({ ...ARGS, [flag]: value }, 'cmd'),
      (e: unknown) => e instanceof InputError && pattern.test(e.message),
    );
  }
});

test('runSimulation writes a complete results folder named <topology>-s<seed>-<hash8>', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-run-'));
  try {
    const keys = join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ n0: '07'.repeat(32) }));
    const result = runSimulation({
      topology: 'ring:6',
      seed: '5',
      until: 'converged',
      keysFile: keys,
    });
    assert.ok(result.converged && !result.timedOut);
    const out = writeResults(dir, result);
    assert.equal(out, join(dir, `ring_6-s5-${result.summary.traceHash.slice(0, 8)}`));
    assert.match(result.runId, /^ring_6.*-s5-[0-9a-f]{8}$/);
    assert.deepEqual(readdirSync(out).sort(), [
      'manifest.json',
      'nodes.csv',
      'summary.json',
      'timeseries.csv',
      'topology.json',
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.nodes, 6);
    assert.equal(summary.links, 6);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.traceHash, result.summary.traceHash);
    const nodes = readFileSync(join(out, 'nodes.csv'), 'utf8').trim().split('\n');
    assert.equal(nodes.length, 7);
    const dump = result.dumpState();
    const n0 = dump.find((d) => d.name === 'n0');
    assert.ok(n0);
    // The --keys seed is used: the key is the public key of seed 07…07, the same in every run.
    assert.equal(
      n0.key,
      runSimulation({ topology: 'ring:3', seed: '9', until: 1, keysFile: keys }).dumpState()[0]
        ?.key,
    );
    const roots = new Set(dump.map((d) => d.rootKey));
    assert.equal(roots.size, 1);
    assert.equal(dump.filter((d) => d.parent === null).length, 1);
    assert.equal(dump.filter((d) => d.descending === null).length, 1);
    const series = readFileSync(join(out, 'timeseries.csv'), 'utf8');
    assert.match(series, /^time_s,metric,value\n/);
    assert.match(series, /\n1,frames_announcement,\d+\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
