/**
 * test/convergence-incremental.test.ts — the convergence tracker's partial samples (re-reading only
 * the nodes whose routers reported a view change, sim/convergence.ts) against the plain tracker
 * that reads every node at every sample, on real routers through churn: a node leaving and
 * returning, the root leaving (its component's greatest node changes), a link cut. Every figure,
 * per-node time and verdict must agree at every sample.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareKeys } from '../router/keys.ts';
import { Simulation } from '../run/simulation.ts';
import { ConvergenceTracker } from '../sim/convergence.ts';

const S = 1_000_000;

function figures(t: ConvergenceTracker, n: number) {
  const perNode: string[] = [];
  for (let i = 0; i < n; i++) perNode.push(`${+t.treeOk(i)}${+t.snakeOk(i)}${+t.coordsOk(i)}`);
  return {
    fractions: [t.treeFraction, t.snakeFraction, t.coordsFraction, t.liveNodes, t.links],
    since: [t.treeSince, t.snakeSince, t.coordsSince],
    refreshes: [t.rootRefreshes, t.refreshes.length, t.snakeLosses],
    treeOkSince: [...t.treeOkSince.slice(0, n)],
    snakeOkSince: [...t.snakeOkSince.slice(0, n)],
    treeChangedAt: [...t.treeChangedAt.slice(0, n)],
    snakeChangedAt: [...t.snakeChangedAt.slice(0, n)],
    losses: [...t.snakeLossCount.slice(0, n)],
    perNode: perNode.join(' '),
  };
}

const SLOW = {
  // Frames slower than the sampling interval, so samples fall between a parent's change and its
  // children's, and the root refreshing its sequence (§5.3.1) every 7 s while nothing else moves.
  link: { latency: 80_000 },
  router: { announcementInterval: 7 * S },
};
for (const [topology, seed, extra] of [
  ['ba:40,m=2', '1', {}],
  ['geo:40,r=0.3', '2', {}],
  ['ba:40,m=1', '3', SLOW],
] as const) {
  const slow = extra === SLOW ? ', slow links, frequent root refreshes' : '';
  test(`partial samples agree with full ones through churn (${topology}, seed ${seed}${slow})`, () => {
    const sim = new Simulation({ topology, seed, until: 90 * S, ...extra });
    const host = sim.host;
    const names = Array.from({ length: host.nodeCount }, (_, i) => host.nameAt(i));
    const root = names.reduce((a, b) =>
      compareKeys(host.keyAt(names.indexOf(a)), host.keyAt(names.indexOf(b))) > 0 ? a : b,
    );
    const other = names.find((n) => n !== root && n !== 'n0') as string;
    const startUp = { nodes: names, until: 1 * S };
    const partial = new ConvergenceTracker(host, { startUp });
    const plain = new ConvergenceTracker(host, { startUp, incremental: false });
    let compared = 0;
    const sample = (): void => {
      partial.sample(host.now);
      plain.sample(host.now);
      const n = host.nodeCount;
      assert.deepEqual(figures(partial, n), figures(plain, n), `at ${host.now / S} s`);
      compared++;
      if (host.now + 50_000 <= 90 * S) host.at(host.now + 50_000, sample);
    };
    host.at(0, sample);
    host.at(15 * S, () => host.removeNode(other));
    host.at(30 * S, () => host.addNode(other));
    host.at(40 * S, () => host.removeNode(root)); // the greatest node goes: a new root
    host.at(55 * S, () => host.addNode(root));
    host.at(65 * S, () => {
      const [a, b] = host.links()[0] as [string, string];
      host.removeLink(a, b);
    });
    while (!sim.advance(100_000)) {}
    sim.finish();
    assert.ok(compared > 1700, `${compared} samples compared`);
    // The partial path was taken (most samples once the tree has formed), and verdicts moved
    // both ways.
    assert.ok(partial.partialSamples > compared / 2, `${partial.partialSamples} partial`);
    assert.equal(plain.partialSamples, 0);
    assert.ok(partial.snakeLosses > 0);
    if (extra === SLOW) assert.ok(partial.refreshes.length > 3, 'the root refreshed its sequence');
  });
}
