import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { ROUTING_MODES } from '../results/schema.ts';
import type { Router } from '../router/router.ts';
import { RUN_ARGS } from '../test/run-args.ts';
import {
  churnLines,
  configFromArgs,
  heldLines,
  parseBandwidth,
  parseLoss,
  parseQuirks,
  progressLine,
  QuorumHint,
  runSimulation,
  Simulation,
  share,
  stretchLines,
  writeResults,
} from './run.ts';

test('flag parsers: bandwidth, loss, quirks', () => {
  assert.equal(parseBandwidth('0'), 0);
  assert.equal(parseBandwidth('10M'), 10_000_000);
  assert.equal(parseBandwidth('1.5G'), 1_500_000_000);
  assert.equal(parseBandwidth('56kbps'), 56_000);
  assert.equal(parseBandwidth('fast'), null);
  assert.equal(parseLoss('1%'), 0.01);
  assert.equal(parseLoss('99.9%'), 0.999); // not 0.9990000000000001 (--snake-quorum compares with ≥)
  assert.equal(parseLoss('0.2'), 0.2);
  assert.equal(parseLoss('2'), null);
  assert.deepEqual(parseQuirks(['head-hop-limit', 'signatures=off']), {
    headHopLimit: true,
    signatures: false,
  });
  assert.throws(() => parseQuirks(['maxPorts']), InputError);
});

const ARGS = RUN_ARGS;

test('flags become a RunConfig; bad values are InputErrors naming the flag', () => {
  const c = configFromArgs(
    { ...ARGS, latency: '5ms', hybrid: 'off', quirk: ['keepalives=off'] },
    'cmd',
  );
  assert.deepEqual(c.link, { latency: 5000, jitter: 0, bandwidth: 0, loss: 0 });
  assert.deepEqual(c.router, { hybrid: false, maxPorts: 253, keepalives: false });
  assert.equal(c.until, 'converged');
  assert.equal(configFromArgs({ ...ARGS, until: '250ms' }, 'cmd').until, 250_000);
  assert.equal(c.snakeQuorum, undefined); // 100%: every node, the default rule
  assert.equal(configFromArgs({ ...ARGS, 'snake-quorum': '99.9%' }, 'cmd').snakeQuorum, 0.999);
  for (const [flag, value, pattern] of [
    ['until', 'soon', /--until: expected 'converged' or a duration/],
    ['latency', '5', /--latency/],
    ['bandwidth', 'x', /--bandwidth/],
    ['loss', '3', /--loss/],
    ['max-ports', 70000, /--max-ports/], // > 253 is allowed (simulator-only), > 65535 is not
    ['seed', 'a b', /--seed/],
    ['snake-quorum', '0', /--snake-quorum: expected a share of the nodes in \(0, 1\]/],
    ['snake-quorum', '120%', /--snake-quorum/],
  ] as const) {
    assert.throws(
      () => configFromArgs({ ...ARGS, [flag]: value }, 'cmd'),
      (e: unknown) => e instanceof InputError && pattern.test(e.message),
    );
  }
});

test('--snake-quorum: a converged run stops 3 s after that share of the nodes holds the snake', () => {
  const config = { topology: 'ba:300,m=2', seed: '1', until: 'converged', stretch: false } as const;
  const strict = runSimulation(config);
  const quorum = runSimulation({ ...config, snakeQuorum: 0.9 });
  assert.ok(strict.converged && quorum.converged && !quorum.timedOut);
  const s = strict.summary;
  const q = quorum.summary;
  assert.equal(s.snakeQuorum, undefined);
  assert.equal(q.snakeQuorum, 0.9);
  assert.ok(q.snakeQuorumAt != null && q.snakeQuorumAt < (s.snakeConvergedAt as number));
  assert.equal(q.virtualSeconds, q.snakeQuorumAt + 3);
  assert.equal(q.snakeConvergedAt, null); // stopped before every pointer was right
  // 99.9% of 300 nodes is all of them; 99% allows 3 wrong, so it held no later.
  assert.equal(s.snakeHeld?.at999, s.snakeConvergedAt);
  assert.ok((s.snakeHeld?.at99 as number) <= (s.snakeConvergedAt as number));
  assert.ok((s.snakeLosses as number) >= (q.snakeLosses as number));
  // nodes.csv snake_losses: the same losses, per node.
  const perNode = strict.nodes.reduce((sum, r) => sum + (r.snake_losses as number), 0);
  assert.equal(perNode, s.snakeLosses);
  assert.match(
    heldLines(q).join('\n'),
    /right at 90% of nodes from [\d.]+ s on \(--snake-quorum\)/,
  );
});

test("table churn: summary tableInstalls sums the routers' installs, shown against the bootstrap hops", () => {
  const r = runSimulation({ topology: 'ba:200,m=2', seed: '3', until: 30_500_000, stretch: false });
  const s = r.summary;
  let sum = 0;
  let pointers = 0;
  for (let i = 0; i < r.host.nodeCount; i++) {
    const router = r.host.routerAt(i) as Router;
    sum += router.snake.installs;
    if (router.snake.descending !== null) pointers++;
  }
  assert.equal(s.tableInstalls, sum);
  // The host's count (Effects.tableInstall) agrees, and the table_installs series (per virtual
  // second, 1 s bins, the last one partial) adds up to it.
  assert.equal(r.host.tableInstalls, sum);
  const rows = r.timeseries.filter((row) => row.metric === 'table_installs');
  assert.equal(rows.length, 31); // 30 whole seconds and the last half second, as a rate
  let integral = 0;
  let last = 0;
  for (const row of rows) {
    integral += row.value * (row.time_s - last);
    last = row.time_s;
  }
  assert.ok(Math.abs(integral - sum) < 1e-3, `${integral} vs ${sum}`);
  // nodes.csv table_installs: the same installs, per node.
  assert.equal(
    r.nodes.reduce((n, row) => n + (row.table_installs as number), 0),
    sum,
  );
  // Every descending pointer was installed once at least; no hop installs twice.
  const hops = s.framesByType['bootstrap'] as number;
  assert.ok(sum >= pointers && pointers > 150, `${sum} installs, ${pointers} pointers`);
  assert.ok(sum < hops, `${sum} installs, ${hops} hops`);
  assert.deepEqual(churnLines(s), [
    `table churn    ${sum} entries installed for keys a node lacked: ${((100 * sum) / hops).toFixed(1)}% of ${hops} bootstrap hops`,
  ]);
  // Results written before the field existed: no line.
  const { tableInstalls: _, ...older } = s;
  assert.deepEqual(churnLines(older), []);
});

test('QuorumHint: once, after a virtual minute at ≥ 99.9% but not 100% of the snake', () => {
  const hint = new QuorumHint();
  const S = 1_000_000;
  assert.equal(hint.check(0, 0.9995), null);
  assert.equal(hint.check(30 * S, 1), null); // all right: the wait starts over
  assert.equal(hint.check(40 * S, 0.9995), null);
  assert.equal(hint.check(99 * S, 0.9991), null);
  assert.equal(hint.check(100 * S, 0.998), null); // below 99.9%: starts over
  assert.equal(hint.check(110 * S, 0.9999), null);
  assert.match(hint.check(170 * S, 0.9999) ?? '', /--snake-quorum 99\.9%/);
  assert.equal(hint.check(300 * S, 0.9999), null); // shown once
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
      'pairs.csv',
      'paths.json',
      'snapshots.json',
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

// --- one executor: a run is a scenario with no actions plus a final measurement ---------------

test('run --json summary: stretch and delivery per mode, all pairs on a small network', () => {
  const r = runSimulation({ topology: 'ring:6', seed: '2', until: 'converged', startSpread: 0 });
  assert.ok(r.converged);
  for (const mode of ROUTING_MODES) {
    const st = r.summary.stretch?.[mode];
    const d = r.summary.delivery?.[mode];
    assert.ok(st && d, mode);
    assert.equal(d.sent, 30); // 6·5 ordered pairs
    assert.equal(
      d.delivered + d.misdelivered + d.lost + Object.values(d.dropped).reduce((a, b) => a + b, 0),
      30,
    );
    assert.equal(st.sampled, false);
    assert.equal(st.pairs, d.delivered);
    assert.ok(st.mean >= 1 && st.p50 <= st.p95 && st.p95 <= st.max, JSON.stringify(st));
  }
  // On a ring every tree path between neighbours of the root is at most the long way round.
  assert.ok((r.summary.stretch?.tree?.max ?? 0) <= 5);
  const rows = r.data.pairs ?? [];
  assert.equal(rows.length, 4 * 30);
  assert.ok(
    rows.every(
      (p) =>
        p.outcome !== 'delivered' ||
        Math.abs(Number(p.stretch) - Number(p.hops) / p.shortest_hops) < 1e-9,
    ),
  );
});

test('stretch above the exact limit is a seeded sample of --stretch-pairs; its traffic is in the trace', () => {
  const base = { topology: 'ring:70', seed: '4', until: 4_000_000, startSpread: 0 } as const;
  const a = runSimulation({ ...base, stretchPairs: 25 });
  const b = runSimulation({ ...base, stretchPairs: 25 });
  const st = a.summary.stretch?.snek;
  assert.ok(st);
  assert.equal(st.sampled, true);
  assert.equal(a.summary.delivery?.snek?.sent, 25);
  assert.deepEqual(a.data.pairs, b.data.pairs, 'the sample is seeded');
  const none = runSimulation({ ...base, stretch: false });
  assert.equal(none.summary.stretch?.snek, undefined);
  assert.equal(none.data.pairs?.length, 0);
  // The measurement comes after the run: it never changes the run's events or time, but its
  // frames are part of the trace (the probe conversations are where --hybrid off shows).
  assert.equal(none.summary.events, a.summary.events);
  assert.equal(none.summary.virtualSeconds, a.summary.virtualSeconds);
  assert.notEqual(none.summary.traceHash, a.summary.traceHash);
  assert.equal(a.summary.traceHash, b.summary.traceHash);
  assert.notEqual(none.runId, a.runId);
  // 70 nodes: above PATHS_UP_TO, no paths unless asked.
  assert.equal(a.data.paths, undefined);
  assert.ok((runSimulation({ ...base, stretchPairs: 5, paths: true }).data.paths?.length ?? 0) > 0);
});

test('results folder: snapshots start/converged/end, paths with reasons, events.jsonl on request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-run-full-'));
  try {
    const result = runSimulation({
      topology: 'line:5',
      seed: '1',
      until: 'converged',
      events: true,
    });
    const out = writeResults(dir, result);
    const snaps = JSON.parse(readFileSync(join(out, 'snapshots.json'), 'utf8')) as {
      label?: string;
      time_s: number;
      nodes: { parent: string | null }[];
    }[];
    assert.deepEqual(
      snaps.map((s) => s.label),
      ['start', 'converged', 'end'],
    );
    assert.equal(snaps[0]?.time_s, 0);
    // Converged: exactly one root (no parent) in the one component.
    assert.equal(snaps[1]?.nodes.filter((n) => n.parent === null).length, 1);
    const paths = JSON.parse(readFileSync(join(out, 'paths.json'), 'utf8')) as {
      outcome: string;
      hops: { node: string; port: number; next: string | null; reason: string }[];
      destination: string;
    }[];
    assert.equal(paths.length, 4 * 20);
    for (const p of paths.filter((x) => x.outcome === 'delivered')) {
      const last = p.hops[p.hops.length - 1];
      assert.ok(last && last.port === 0 && last.node === p.destination && last.next === null);
      assert.ok(p.hops.every((h) => h.reason.length > 0));
    }
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    const kinds = new Set(events.map((l) => (JSON.parse(l) as { e: string }).e));
    for (const k of ['send', 'recv', 'state', 'probe', 'end']) assert.ok(kinds.has(k), k);
    const frames = result.summary.framesByType;
    const sent = events.filter((l) => l.includes('"e":"send"')).length;
    // Every frame put on a wire during the run is logged (probes after the run end too).
    assert.ok(sent >= Object.values(frames).reduce((a, b) => a + b, 0));
    const series = readFileSync(join(out, 'timeseries.csv'), 'utf8');
    assert.match(series, /\n1,bytes_announcement,\d+\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an interrupted run keeps what is complete: no measurement, marked in the manifest', () => {
  const sim = new Simulation({ topology: 'ring:8', seed: '1', until: 'converged' });
  sim.advance(500);
  sim.interrupted = true;
  const r = sim.finish();
  assert.ok(r.interrupted && !r.timedOut);
  assert.equal(r.summary.stretch?.snek, undefined);
  assert.equal(r.manifest.options['interrupted'], true);
  assert.ok(r.summary.events > 0 && r.summary.events <= 500);
});

test('stretch lines: figures per mode, and no zeros passed off as stretch when nothing arrived', () => {
  const base = { mean: 1.5, p50: 1, p95: 3, max: 4, pairs: 10, sampled: false, shortestShare: 0.5 };
  const delivery = { sent: 10, delivered: 10, misdelivered: 0, dropped: {}, lost: 0 };
  const summary = {
    stretch: { snek: base, hybrid: { ...base, pairs: 0 } },
    delivery: { snek: delivery, hybrid: { ...delivery, delivered: 0, dropped: { blackhole: 10 } } },
  } as unknown as Parameters<typeof stretchLines>[0];
  const [snek, hybrid] = stretchLines(summary);
  assert.match(
    snek ?? '',
    /^stretch snek\s+mean 1\.5 {2}p50 1 {2}p95 3 {2}max 4 {2}\(10 pairs, all pairs; 50% shortest\) {2}delivered 10\/10$/,
  );
  assert.match(
    hybrid ?? '',
    /no pair delivered, so no stretch {2}delivered 0\/10, dropped 10 blackhole$/,
  );
});

test('progress line: virtual time, events and the latest tree and snake fractions, as sampled', () => {
  const sim = new Simulation({ topology: 'ring:8', seed: '1', until: 'converged', stretch: false });
  // Before any sample the fractions are unknown, shown as a dash, never as 0% or 100%.
  assert.match(progressLine(sim, 1), /tree – {2}snake –/);
  while (sim.now < 2_000_000 && !sim.advance(200)) {}
  const mid = sim.convergence;
  assert.ok(mid.tree >= 0 && mid.tree <= 1 && mid.snake >= 0 && mid.snake <= 1);
  const line = progressLine(sim, 2);
  assert.ok(line.includes(`t=${(sim.now / 1e6).toFixed(2)} s`), line);
  assert.ok(line.includes(`${sim.events.toLocaleString('en-US')} events`), line);
  assert.ok(line.includes(`tree ${(100 * mid.tree).toFixed(1)}%`), line);
  assert.ok(line.includes(`snake ${(100 * mid.snake).toFixed(1)}%`), line);
  while (!sim.advance(10_000)) {}
  // At the end of a converged run the last sample had both at 100%.
  assert.deepEqual(sim.convergence, { tree: 1, snake: 1, nodes: 8 });
  assert.match(progressLine(sim, 3), /tree 100\.0% {2}snake 100\.0%/);
});

test('progress share: above 99% the nodes still wrong are counted, so a tail never shows 100.0%', () => {
  assert.equal(share(0.5, 8), '50.0%');
  assert.equal(share(0.9899, 100_000), '99.0%');
  assert.equal(share(0.994, 100_000), '99.4% (600 left)');
  assert.equal(share(0.99996, 100_000), '100.0% (4 left)');
  assert.equal(share(1, 100_000), '100.0%');
  assert.equal(share(Number.NaN, 0), '–');
});
