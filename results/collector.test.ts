import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from '../scenarios/builder.ts';
import { FakeHost } from '../scenarios/fake-host.ts';
import { runScenario } from '../scenarios/runner.ts';
import { RandomStreams } from '../sim/rng.ts';
import { type CollectorOptions, RunCollector } from './collector.ts';
import type { TimeseriesRow } from './schema.ts';

const chain = ['a', 'b', 'c', 'd'];
const chainLinks = [
  ['a', 'b'],
  ['b', 'c'],
  ['c', 'd'],
] as const;

/** Run a no-action scenario on the fake host; `setup` may schedule host actions first. */
function play(
  duration: string,
  links: readonly (readonly [string, string])[],
  options: CollectorOptions,
  setup: (host: FakeHost) => void = () => {},
  countFrames = false,
) {
  const sc = build({ topology: 'x', duration })
    .measure({ interval: '100ms', stretch: ['hybrid'] })
    .scenario();
  const host = new FakeHost(chain, links);
  const streams = new RandomStreams('1');
  const collector = new RunCollector((n) => streams.stream(n), countFrames, options);
  setup(host);
  runScenario(sc, host, collector, (n) => streams.stream(n));
  return { collector, results: collector.results(), host };
}

const series = (rows: readonly TimeseriesRow[], metric: string): [number, number][] =>
  rows.filter((r) => r.metric === metric).map((r) => [r.time_s, r.value]);

test('overhead: frames and bytes per virtual second from host counters, last bin as a rate', () => {
  const frames = [0, 0, 0, 0, 0];
  const bytes = [0, 0, 0, 0, 0];
  const { results } = play('2500ms', chainLinks, { counters: { frames, bytes } }, (host) => {
    // 3 announcements in (0, 1], 5 in (1, 2], 2 in (2, 2.5].
    const send = (t: number, k: number, n: number): void =>
      host.at(t, () => {
        frames[k] = (frames[k] as number) + n;
        bytes[k] = (bytes[k] as number) + 10 * n;
      });
    send(400_000, 1, 3);
    send(1_500_000, 1, 5);
    send(2_200_000, 1, 2);
  });
  assert.deepEqual(series(results.series.rows(), 'frames_announcement'), [
    [1, 3],
    [2, 5],
    [2.5, 4], // 2 frames in half a second
  ]);
  assert.deepEqual(series(results.series.rows(), 'bytes_announcement'), [
    [1, 30],
    [2, 50],
    [2.5, 40],
  ]);
  // Every type has a continuous series (zeros included); totals stay totals.
  assert.deepEqual(series(results.series.rows(), 'frames_keepalive'), [
    [1, 0],
    [2, 0],
    [2.5, 0],
  ]);
  assert.equal(results.framesByType['announcement'], 10);
  // The final measurement's probes travel after the end: no series row after 2.5 s.
  assert.ok(results.series.rows().every((r) => r.time_s <= 2.5));
  assert.ok((results.delivery.hybrid?.sent ?? 0) > 0);
});

test('overhead without host counters: frames counted through the filter, per virtual second', () => {
  const { results } = play(
    '2s',
    chainLinks,
    {},
    (host) => {
      host.at(500_000, () => {
        for (let i = 0; i < 4; i++) host.filter?.('a', 'b', 2, 'out');
        host.filter?.('b', 'a', 2, 'in'); // received: not counted twice
      });
      host.at(1_000_001, () => host.filter?.('a', 'b', 2, 'out'));
    },
    true,
  );
  assert.deepEqual(series(results.series.rows(), 'frames_bootstrap'), [
    [1, 4],
    [2, 1],
  ]);
  assert.equal(
    series(results.series.rows(), 'bytes_bootstrap').length,
    0,
    'no bytes without counters',
  );
});

test('start-up: nodes whose links are not up yet count as not converged', () => {
  // The fake starts with no links; they come up at 0.25 s (a, b) and 0.45 s (b, c), (c, d).
  const { results } = play('1s', [], { startUp: { links: chainLinks, until: 500_000 } }, (host) => {
    host.at(250_000, () => host.addLink('a', 'b'));
    host.at(450_000, () => {
      host.addLink('b', 'c');
      host.addLink('c', 'd');
    });
  });
  const tree = series(results.series.rows(), 'tree_fraction');
  assert.deepEqual(tree.slice(0, 6), [
    [0, 0],
    [0.1, 0],
    [0.2, 0],
    [0.3, 0.5],
    [0.4, 0.5],
    [0.5, 1],
  ]);
  // The first time from which it held to the end: not t = 0.
  assert.equal(results.treeConvergedAt, 0.5);
  assert.equal(results.snakeConvergedAt, 0.5);
  const byNode = new Map(results.nodes.map((n) => [n.node, n.tree_converged_at]));
  assert.equal(byNode.get('a'), 0.3);
  assert.equal(byNode.get('d'), 0.5);
  // Two of the four nodes were right from 0.3 s, all four from 0.5 s.
  assert.deepEqual(results.treeReached, { p50: 0.3, p90: 0.5, p99: 0.5 });
});

test('start-up: after `until` a node whose links never came up is an isolated, converged node', () => {
  const { results } = play('1s', [], { startUp: { links: chainLinks, until: 300_000 } });
  const tree = series(results.series.rows(), 'tree_fraction');
  assert.deepEqual(tree.slice(0, 4), [
    [0, 0],
    [0.1, 0],
    [0.2, 0],
    [0.3, 1],
  ]);
  assert.equal(results.treeConvergedAt, 0.3);
});

test('without startUp the old rule holds: isolated nodes are trivially converged', () => {
  const { results } = play('500ms', [], {});
  assert.equal(series(results.series.rows(), 'tree_fraction')[0]?.[1], 1);
  assert.equal(results.treeConvergedAt, 0);
});

test('churn: per-node times restart for a node that joins later; coords_fraction is its own row', () => {
  const { results } = play('1s', chainLinks, {}, (host) => {
    host.at(350_000, () => {
      host.addNode('e');
      host.addLink('d', 'e');
    });
    host.at(620_000, () => host.removeNode('b'));
  });
  const byNode = new Map(results.nodes.map((n) => [n.node, n]));
  assert.equal(byNode.get('e')?.tree_converged_at, 0.4, 'first sample after it joined');
  assert.equal(byNode.get('a')?.tree_converged_at, 0, 'the fake is always right');
  assert.equal(byNode.has('b'), false);
  assert.deepEqual(
    series(results.series.rows(), 'nodes').map(([, v]) => v),
    [4, 4, 4, 4, 5, 5, 5, 4, 4, 4, 4],
  );
  // Fake views are perfect, coordinates included: coords_fraction is 1 throughout.
  const coords = series(results.series.rows(), 'coords_fraction');
  assert.equal(coords.length, 11);
  assert.ok(coords.every(([, v]) => v === 1));
});
