/**
 * Every bundled example scenario (scenarios/examples/*.json|yaml) runs on the real simulator, and
 * what its description says is checked against its results, because descriptions drift
 * (partition.json said "left and right halves" while its cut made three pieces). A new example
 * needs its claims here.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkScenario } from '../cli/scenario.ts';
import type { Snapshot } from '../results/schema.ts';
import { toHex } from '../router/keys.ts';
import { type ExecuteResult, executeScenario } from '../run/execute.ts';
import { components } from '../test/snapshot-components.ts';
import type { Scenario } from './types.ts';

const DIR = join(import.meta.dirname, 'examples');

/** The roots the nodes of each component report (one set per component). */
function rootsPerComponent(snap: Snapshot): Set<string>[] {
  const rootOf = new Map(snap.nodes.map((n) => [n.name, n.root]));
  return components(snap).map((c) => new Set(c.map((n) => rootOf.get(n) as string)));
}

function snapshot(r: ExecuteResult, label: string): Snapshot {
  const snap = r.data.snapshots?.find((s) => s.label === label);
  assert.ok(snap !== undefined, `snapshot '${label}'`);
  return snap;
}

/** Per example: its description's claims, checked on its results. */
const CLAIMS: Readonly<Record<string, (r: ExecuteResult, sc: Scenario) => void>> = {
  // "converges (snake at 28 s), is split at 35 s into its left three columns (21 nodes) and its
  // right four columns (28 nodes), each of which elects its own root and forms its own snake, and
  // is healed at 55 s into one network with one root."
  partition(r) {
    const s = r.summary;
    const [start, split, heal] = s.episodes ?? [];
    assert.ok((start?.snake ?? 99) < 35, `converged before the split: ${start?.snake} s`);
    const parted = snapshot(r, 'partitioned');
    const parts = components(parted);
    assert.deepEqual(
      parts.map((c) => c.length),
      [28, 21],
    );
    // The left part is the left three columns of the 7-wide grid (nodes numbered row by row).
    assert.ok(parts[1]?.every((n) => Number(n) % 7 < 3));
    // Each part has its own root, and it is the same for every node in the part.
    assert.deepEqual(
      rootsPerComponent(parted).map((roots) => roots.size),
      [1, 1],
    );
    assert.equal(new Set(parted.nodes.map((n) => n.root)).size, 2);
    // ... and its own snake: both converged before the heal.
    assert.equal(split?.start, 35);
    assert.ok((split?.snake ?? 99) < 20, `split converged after ${split?.snake} s`);
    // Healed: one network, one root.
    assert.equal(heal?.start, 55);
    const end = snapshot(r, 'end');
    assert.equal(components(end).length, 1);
    assert.equal(new Set(end.nodes.map((n) => n.root)).size, 1);
    assert.notEqual(s.treeConvergedAt, null);
    assert.notEqual(s.snakeConvergedAt, null);
    assert.equal(s.convergence.changes, 2);
  },
  // "Node churn on the hand-written 26-node graph from 15 s (no node leaves after 45 s):
  // exponential sessions (mean 20 s), exponential downtime (mean 5 s), root excluded; probes
  // every 2 s between two stable nodes." (Claims that hold whether or not churned nodes' links
  // come back.)
  churn(r, sc) {
    const s = r.summary;
    assert.equal(snapshot(r, 'converged').nodes.length, 26);
    const churn = sc.actions.find((a) => a.type === 'churn');
    assert.ok(churn !== undefined && churn.type === 'churn');
    // The root is among the excluded nodes, and excluded nodes never churn.
    assert.ok(churn.exclude.includes(s.root ?? ''), `root ${s.root}`);
    const churned = (s.episodes ?? []).filter((e) => e.cause.startsWith('churn'));
    assert.ok(churned.length > 5, `${churned.length} churn events`);
    for (const e of churned) {
      // Nodes leave from 15 s to 45 s; one that left before 45 s may come back after.
      if (e.cause.startsWith('churn down'))
        assert.ok(e.start >= 15 && e.start <= 45, `${e.cause} at ${e.start} s`);
      else assert.ok(e.start >= 15, `${e.cause} at ${e.start} s`);
      for (const n of churn.exclude) assert.ok(!e.cause.split(/[ ;]/).includes(n), e.cause);
    }
    // A returning node's links (re-dialled after it, §4.6) are part of its episode, not episodes
    // of their own: no router closed a link here.
    assert.equal(s.linkDrops, undefined);
    assert.ok(!(s.episodes ?? []).some((e) => e.kind === 'topology'), 'no topology episodes');
    // Probes every 2 s between the two stable nodes: 20 sent, none lost.
    const ping = s.traffic?.['auto'];
    assert.equal(ping?.sent, 20);
    assert.equal(ping?.delivered, 20);
  },
  // "30 nodes on a random geometric graph; at 10 s they are placed anew at random in a 1x1 area
  // and move by random waypoint until 50 s; links follow the unit disc of radius 0.3."
  mobility(r) {
    const s = r.summary;
    assert.equal(s.nodes, 30);
    const moves = (s.episodes ?? []).filter((e) => e.cause.startsWith('mobility'));
    assert.ok(moves.length > 5 && moves.every((e) => e.start >= 10 && e.start <= 50));
    // After the last move (50 s) the links are exactly the pairs closer than the radius.
    const end = snapshot(r, 'end');
    const pos = new Map(end.nodes.map((n) => [n.name, [n.x as number, n.y as number] as const]));
    const dist = (a: string, b: string): number => {
      const [ax, ay] = pos.get(a) as readonly [number, number];
      const [bx, by] = pos.get(b) as readonly [number, number];
      return Math.hypot(ax - bx, ay - by);
    };
    const linked = new Set(end.links.map(([a, b]) => (a < b ? `${a} ${b}` : `${b} ${a}`)));
    const names = [...pos.keys()].sort();
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) {
        const [a, b] = [names[i] as string, names[j] as string];
        // Positions in snapshots are rounded: leave pairs within 1e-4 of the radius alone.
        const d = dist(a, b);
        if (Math.abs(d - 0.3) < 1e-4) continue;
        assert.equal(linked.has(`${a} ${b}`), d < 0.3, `${a}–${b} at ${d}`);
      }
    // A 60 s run has no root refresh (§5.3.1: every 30 min): none may be reported.
    assert.ok(!(s.episodes ?? []).some((e) => e.kind === 'root-refresh'));
  },
  // "Node c drops every SNEK bootstrap and 30 % of traffic it receives (pineconesim's counter
  // rule), from 10 s on."
  adversary(r) {
    const s = r.summary;
    assert.ok((s.traffic?.snek?.sent ?? 0) > 0);
    // The filter is the §7.1 step 2 hook: filtered bootstraps still reset c's read deadline
    // (§4.3), so c keeps all its links (48 in sim.txt) and drops traffic it would forward.
    assert.equal(s.links, 48);
    assert.ok((s.traffic?.snek?.dropped['filter'] ?? 0) > 0);
    // No bootstrap reaches c's table: by the end (entries live 10 s, §6.2) it is empty, and c has
    // no descending pointer, so the snake never converges.
    const c = (r.data.nodes ?? []).find((n) => n.node === 'c');
    assert.equal(c?.table_size, 0);
    assert.equal(c?.descending, '');
    assert.equal(s.snakeConvergedAt, null);
  },
  // "Remove the root of a 40-node Erdős–Rényi graph after start-up and watch the hold-down
  // cascade (§5.7). With seed 1 one node (n16) has no link and stays its own root; the other 39
  // converge on n27 by 20 s, and after its removal on n23."
  'root-loss'(r) {
    const s = r.summary;
    const before = snapshot(r, 'before');
    const [main, alone] = components(before);
    assert.equal(main?.length, 39);
    assert.deepEqual(alone, ['n16']);
    // Keys from the host (it keeps removed nodes' keys): n27 is gone from the results by the end.
    const keyOf = new Map<string, string>();
    for (let i = 0; i < r.host.nodeCount; i++) keyOf.set(r.host.nameAt(i), toHex(r.host.keyAt(i)));
    assert.deepEqual(
      rootsPerComponent(before).map((roots) => [...roots]),
      [[keyOf.get('n27')], [keyOf.get('n16')]],
    );
    const [start, loss] = s.episodes ?? [];
    assert.ok((start?.snake ?? 99) < 20, 'converged before the removal');
    assert.equal(s.root, 'n23');
    assert.ok(new Set(snapshot(r, 'end').nodes.map((n) => n.root)).has(keyOf.get('n23') ?? ''));
    // The cascade: the tree was broken for a while, then agreed on n23.
    assert.ok((loss?.treeMin ?? 1) < 1);
    // PROTOCOL.md §10 item 22: agreement on the next root within 5 s (+ latency terms).
    assert.ok((s.convergence.treeMax ?? 99) < 5.5, String(s.convergence.treeMax));
  },
};

const files = readdirSync(DIR)
  .filter((f) => /\.(json|yaml)$/.test(f))
  .sort();

test('every bundled example has its claims checked here', () => {
  assert.deepEqual(
    files.map((f) => f.replace(/\.(json|yaml)$/, '')),
    Object.keys(CLAIMS).sort(),
  );
});

// Each example runs on the real simulator at its (small) size; the checks are what its
// description claims, not exact figures.
for (const file of files) {
  const name = file.replace(/\.(json|yaml)$/, '');
  test(`example ${name}: runs on the real host and does what its description says`, () => {
    const sc = checkScenario(join(DIR, file));
    assert.ok(sc.description !== undefined && sc.description.length > 0, 'has a description');
    const out = mkdtempSync(join(tmpdir(), `pinelab-ex-${name}-`));
    const result = executeScenario(sc, { out });
    for (const f of [
      'manifest.json',
      'summary.json',
      'nodes.csv',
      'timeseries.csv',
      'pairs.csv',
      'snapshots.json',
      'topology.json',
    ])
      assert.ok(existsSync(join(out, f)), f);
    assert.ok(result.summary.events > 0);
    assert.ok((result.summary.stretch?.hybrid?.pairs ?? 0) > 0);
    assert.match(readFileSync(join(out, 'timeseries.csv'), 'utf8'), /tree_fraction/);
    const claims = CLAIMS[name];
    assert.ok(claims !== undefined, `no claims for ${name}`);
    claims(result, sc);
  });
}
