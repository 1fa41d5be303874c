/**
 * Convergence episodes, links_up / nodes_up and the link-drop warning on the real simulator
 * (results/collector.ts, results/convergence-series.ts, sim/convergence.ts): small
 * networks, a few virtual minutes each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeScenario } from '../run/execute.ts';
import { parseScenario } from '../scenarios/load.ts';
import type { Host } from '../sim/host.ts';

const scenario = (body: string) => parseScenario(`{ "seed": "1", ${body} }`, 'sc.json');

/** Rows of one metric from the results' time series. */
function series(rows: readonly { time_s: number; metric: string; value: number }[], m: string) {
  return rows.filter((r) => r.metric === m);
}

test('a link removal at 60 s starts episode 2 at 60 s, and it converges', () => {
  // Cutting n0–n1 of ring:8 (seed 1) moves the tree (hold-downs, §5.4) and breaks pointers.
  const r = executeScenario(
    scenario(`"topology": "ring:8", "duration": "90s",
      "actions": [{ "at": "60s", "type": "remove-link", "a": "n0", "b": "n1" }]`),
  );
  const eps = r.summary.episodes ?? [];
  assert.equal(eps.length, 2, JSON.stringify(eps));
  const [start, cut] = eps;
  assert.equal(start?.kind, 'start-up');
  assert.ok((start?.snake ?? 99) < 60, 'start-up converged before the cut');
  assert.equal(cut?.kind, 'scenario');
  assert.equal(cut?.cause, 'remove-link n0 n1');
  assert.equal(cut?.start, 60);
  // It broke something, and both held again within the run.
  assert.ok((cut?.treeMin ?? 1) < 1 && (cut?.snakeMin ?? 1) < 1, JSON.stringify(cut));
  assert.ok((cut?.tree ?? 99) > 0 && (cut?.tree ?? 99) < 5, `tree again after ${cut?.tree} s`);
  assert.ok((cut?.snake ?? 99) > 0 && (cut?.snake ?? 99) < 30, `snake after ${cut?.snake} s`);
  // The headline is the time from which it held to the end: the cut's convergence.
  assert.equal(r.summary.treeConvergedAt, 60 + (cut?.tree ?? Number.NaN));
  assert.equal(r.summary.snakeConvergedAt, 60 + (cut?.snake ?? Number.NaN));
  assert.equal(r.summary.convergence.changes, 1);
});

// A root refresh every 40 s instead of 30 min (router option announcementInterval, §5.3.1).
const refreshing = (duration: string) =>
  scenario(`"topology": "ba:60,m=2", "duration": "${duration}",
    "router": { "announcementInterval": "40s" }, "measure": { "interval": "100ms" },
    "actions": []`);

test("root refreshes are episodes of their own and leave a static run's headline alone", () => {
  const short = executeScenario(refreshing('39s')); // ends before the first refresh
  const long = executeScenario(refreshing('100s')); // refreshes near 40 s and 80 s
  assert.equal(short.summary.episodes?.length, 1);
  const eps = long.summary.episodes ?? [];
  const refreshes = eps.filter((e) => e.kind === 'root-refresh');
  assert.equal(refreshes.length, 2, JSON.stringify(eps));
  for (const e of refreshes) {
    assert.equal(e.cause, 'root refresh');
    // The dip is the protocol's (§6.3 step 1: pointers with the old root sequence are cleared);
    // it lasts about one bootstrap interval (5 s), never the rest of the run.
    assert.notEqual(e.snake, null);
    assert.ok((e.snake ?? 99) <= 10, `snake again after ${e.snake} s`);
  }
  // The refresh dips the snake on this graph (else this test would not test the bridging).
  assert.ok(
    refreshes.some((e) => (e.snakeMin ?? 1) < 1),
    JSON.stringify(refreshes),
  );
  // Same start-up, same headline: the refreshes do not move it.
  assert.notEqual(short.summary.snakeConvergedAt, null);
  assert.equal(long.summary.treeConvergedAt, short.summary.treeConvergedAt);
  assert.equal(long.summary.snakeConvergedAt, short.summary.snakeConvergedAt);
  assert.deepEqual(long.summary.snakeHeld, short.summary.snakeHeld);
  assert.deepEqual(long.summary.snakeReached, short.summary.snakeReached);
  // Refreshes are not topology changes.
  assert.equal(long.summary.convergence.changes, 0);
  // The pointers lost add up over the episodes; the refreshes' share is what they cost.
  assert.equal(
    eps.reduce((sum, e) => sum + e.snakeLosses, 0),
    long.summary.snakeLosses,
  );
  assert.equal(eps[0]?.snakeLosses, short.summary.snakeLosses);
  assert.ok(refreshes.every((e) => e.snakeLosses > 0));
});

test('links_up and nodes_up in the time series add up with the host counts', () => {
  const sc = scenario(`"topology": "ring:8", "duration": "20s",
    "actions": [
      { "at": "5s", "type": "remove-node", "node": "n3" },
      { "at": "10s", "type": "remove-link", "a": "n6", "b": "n7" }
    ]`);
  const r = executeScenario(sc);
  const rows = r.data.timeseries ?? [];
  const links = series(rows, 'links_up');
  const nodes = series(rows, 'nodes_up');
  assert.equal(links.length, series(rows, 'tree_fraction').length);
  const at = (xs: { time_s: number; value: number }[], t: number) =>
    xs.filter((x) => x.time_s <= t).at(-1)?.value;
  // 8 nodes and 8 links once started; n3 takes two links; then one more cut.
  assert.equal(at(nodes, 4.9), 8);
  assert.equal(at(links, 4.9), 8);
  assert.equal(at(nodes, 9.9), 7);
  assert.equal(at(links, 9.9), 6);
  assert.equal(at(links, 20), 5);
  // The last row is the end state, which the summary reports and the host holds.
  assert.equal(links.at(-1)?.value, r.summary.links);
  assert.equal(nodes.at(-1)?.value, r.summary.nodes);
  const host: Host = r.host;
  assert.equal(links.at(-1)?.value, host.links().length);
  assert.equal(nodes.at(-1)?.value, host.nodeNames().length);
});

test('links the routers drop open episodes and a warning naming the reason', () => {
  // n2 stops sending at 10 s: its peers' read deadlines (5 s, §4.3) close both links.
  const r = executeScenario(
    scenario(`"topology": "ring:6", "duration": "30s", "measure": { "interval": "100ms" },
      "actions": [{ "at": "10s", "type": "adversary", "node": "n2", "direction": "out",
        "drop": { "overall": 1 } }]`),
  );
  const drops = r.summary.linkDrops ?? {};
  assert.deepEqual(Object.keys(drops), ['keepalive-timeout']);
  assert.ok((drops['keepalive-timeout'] ?? 0) >= 2, JSON.stringify(drops));
  const warning = r.summary.warnings.find((w) => w.includes('dropped by the routers'));
  assert.ok(warning !== undefined, JSON.stringify(r.summary.warnings));
  assert.match(warning, /keepalive-timeout \d+/);
  const dropEpisodes = (r.summary.episodes ?? []).filter((e) => e.kind === 'link-drop');
  assert.ok(dropEpisodes.length >= 1);
  // n2 cut off resets and raises its root sequence (§4.5 step 2): not a root refresh.
  assert.ok(!(r.summary.episodes ?? []).some((e) => e.cause.includes('refresh')));
  for (const e of dropEpisodes) assert.match(e.cause, /^link drop: keepalive-timeout ×\d+$/);
  // n2's last frames arrived before 10 s; the peers' read deadlines ran out ≤ 5 s later. (Links
  // re-dialled after that, §4.6, are 'topology' episodes, and die again the same way.)
  const first = dropEpisodes[0]?.start ?? 0;
  assert.ok(first > 10 && first <= 15.1, `${first} s`);
  // Any other episode the routers caused is a re-dial of those links (§4.6), named so.
  for (const e of (r.summary.episodes ?? []).filter((e) => e.kind === 'topology'))
    assert.match(e.cause, /^re-peer: links up \d+→\d+$/);
  // No router closes, no warning (a static ring).
  const quiet = executeScenario(scenario(`"topology": "ring:6", "duration": "20s", "actions": []`));
  assert.equal(quiet.summary.linkDrops, undefined);
  assert.deepEqual(quiet.summary.warnings, []);
});
