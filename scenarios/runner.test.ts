import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunCollector } from '../results/collector.ts';
import { RandomStreams } from '../sim/rng.ts';
import { counterRule } from './adversary.ts';
import { build } from './builder.ts';
import { FakeHost } from './fake-host.ts';
import { sample } from './random.ts';
import { runScenario } from './runner.ts';
import type { Scenario } from './types.ts';

const ring = (n: number) => {
  const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
  const links = nodes.map((a, i) => [a, nodes[(i + 1) % n] as string] as const);
  return { nodes, links };
};

function play(sc: Scenario, n = 6): { host: FakeHost; collector: RunCollector } {
  const { nodes, links } = ring(n);
  const host = new FakeHost(nodes, links);
  const streams = new RandomStreams(sc.seed);
  const collector = new RunCollector((name) => streams.stream(name), true);
  runScenario(sc, host, collector, (name) => streams.stream(name));
  return { host, collector };
}

const noStretch = { interval: '1s', stretch: [] };

test('flap: down and up `count` times at the given period', () => {
  const sc = build({ topology: 'x', duration: '10s' })
    .measure(noStretch)
    .at('1s', { type: 'flap', a: 'n0', b: 'n1', period: '2s', down: '500ms', count: 2 })
    .scenario();
  const { host } = play(sc);
  assert.deepEqual(host.log, [
    '1000000 -link n0 n1',
    '1500000 +link n0 n1',
    '3000000 -link n0 n1',
    '3500000 +link n0 n1',
  ]);
});

test('partition by groups cuts exactly the crossing links; heal restores them', () => {
  const sc = build({ topology: 'x', duration: '10s' })
    .measure(noStretch)
    .at('1s', { type: 'partition', groups: [['n0', 'n1', 'n2']], until: '4s' })
    .scenario();
  const { host, collector } = play(sc);
  assert.deepEqual(host.log, [
    '1000000 -link n0 n5',
    '1000000 -link n2 n3',
    '4000000 +link n0 n5',
    '4000000 +link n2 n3',
  ]);
  const r = collector.results();
  // Converged fake: one episode per change, each converges at once.
  assert.equal(r.episodes.length, 3);
  assert.equal(r.treeConvergedAt, 0);
});

test('node churn: seeded, deterministic, nodes come back with their links', () => {
  const sc = build({ topology: 'x', duration: '60s', seed: '3' })
    .measure(noStretch)
    .at('0s', {
      type: 'churn',
      target: 'node',
      session: { kind: 'exponential', mean: '10s' },
      downtime: { kind: 'pareto', scale: '1s', shape: 1.5 },
      exclude: ['n0'],
    })
    .scenario();
  const a = play(sc).host;
  const b = play(sc).host;
  assert.deepEqual(a.log, b.log);
  assert.ok(a.log.some((l) => l.includes('-node')));
  assert.ok(!a.log.some((l) => l.includes('node n0')));
  const other = play({ ...sc, seed: '4' }).host;
  assert.notDeepEqual(a.log, other.log);
  // Every node removed and re-added regains links to the peers still present.
  const re = a.log.findIndex((l) => l.includes('+node'));
  assert.match(a.log[re + 1] ?? '', /\+link/);
});

test('adversary counter rule is pineconesim gcd rule; filter drops by type and direction', () => {
  assert.deepEqual(counterRule(0.3), [3, 10]);
  assert.deepEqual(counterRule(0.25), [1, 4]);
  assert.deepEqual(counterRule(1), [1, 1]);
  assert.deepEqual(counterRule(0), [0, 1]);
  const sc = build({ topology: 'x', duration: '5s' })
    .measure(noStretch)
    .at('1s', {
      type: 'adversary',
      node: 'n1',
      drop: { bootstrap: 0.3 },
      peers: { n2: { traffic: 1 } },
    })
    .scenario();
  const { host } = play(sc);
  const f = host.filter;
  assert.ok(f);
  const drops = Array.from({ length: 20 }, () => f('n1', 'n0', 2, 'in'));
  assert.deepEqual(drops.slice(0, 10), [
    true,
    true,
    true,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
  assert.deepEqual(drops.slice(10), drops.slice(0, 10));
  assert.equal(f('n1', 'n0', 2, 'out'), false); // direction 'in' only
  assert.equal(f('n0', 'n1', 2, 'in'), false); // not the adversary
  assert.equal(f('n1', 'n2', 2, 'in'), false); // per-peer override replaces defaults
  assert.equal(f('n1', 'n2', 3, 'in'), true);
});

test('mobility: random waypoint keeps links equal to the unit disc among mobile nodes', () => {
  const sc = build({ topology: 'x', duration: '20s', seed: '9' })
    .measure(noStretch)
    .at('1s', {
      type: 'mobility',
      model: 'random-waypoint',
      area: [1, 1],
      radius: 0.4,
      speed: [0.05, 0.1],
      interval: '1s',
      until: '19s',
    })
    .at('20s', { type: 'snapshot', label: 'end' })
    .scenario();
  const { host, collector } = play(sc, 8);
  const snap = collector.results().snapshots[0];
  assert.ok(snap);
  const pos = new Map(
    snap.nodes.map((n) => [n.name, [n.x ?? Number.NaN, n.y ?? Number.NaN] as const]),
  );
  const want: string[] = [];
  const names = [...pos.keys()].sort();
  for (const a of names)
    for (const b of names) {
      const [ax, ay] = pos.get(a) as readonly [number, number];
      const [bx, by] = pos.get(b) as readonly [number, number];
      if (a < b && Math.hypot(ax - bx, ay - by) <= 0.4 + 1e-6) want.push(`${a} ${b}`);
    }
  // Positions in snapshots are rounded to 1e-9; compare against the host's links.
  assert.deepEqual(
    host
      .links()
      .map(([a, b]) => `${a} ${b}`)
      .sort(),
    want,
  );
});

test('collector: stretch per mode from probes, delivery counts, traffic probes', () => {
  const sc = build({ topology: 'x', duration: '5s' })
    .measure({ interval: '1s', stretch: ['snek', 'hybrid'], exactUpTo: 10 })
    .at('1s', { type: 'traffic', kind: 'ping', pairs: [['n0', 'n3']], count: 3, interval: '1s' })
    .scenario();
  const { collector } = play(sc);
  const r = collector.results();
  assert.equal(r.stretch.hybrid?.mean, 1);
  assert.equal(r.stretch.hybrid?.pairs, 30);
  assert.equal(r.stretch.hybrid?.sampled, false);
  assert.ok((r.stretch.snek?.mean ?? 0) > 1);
  assert.deepEqual(r.delivery.hybrid, {
    sent: 30,
    delivered: 30,
    misdelivered: 0,
    dropped: {},
    lost: 0,
  });
  assert.equal(r.traffic.auto?.delivered, 3);
  assert.equal(r.pairs.length, 60);
});

test('sample(): distributions are positive integers and seeded', () => {
  const s = new RandomStreams('1').stream('x');
  const xs = Array.from({ length: 1000 }, () =>
    sample({ kind: 'exponential', mean: 1_000_000 }, s),
  );
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean > 900_000 && mean < 1_100_000, String(mean));
  const p = Array.from({ length: 1000 }, () =>
    sample({ kind: 'pareto', scale: 1000, shape: 2 }, s),
  );
  assert.ok(p.every((x) => x >= 1000));
});
