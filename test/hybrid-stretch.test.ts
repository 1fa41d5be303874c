/**
 * test/hybrid-stretch.test.ts — hybrid routing as applications see it (PROTOCOL.md §1.3, §7.2): the
 * `hybrid` stretch mode is a conversation through the routers' own coordinates caches, so router
 * option hybrid off changes the measured figure and the trace hash, while `given` (the
 * destination's coordinates handed to the source) does not depend on the cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSimulation } from '../cli/run.ts';
import { runSweep } from '../cli/sweep.ts';
import type { PathRecord, TimeseriesRow } from '../results/schema.ts';
import { executeScenario } from '../run/execute.ts';
import { parseScenario } from '../scenarios/load.ts';

const DEMO = join(import.meta.dirname, '..', 'examples', 'demo.txt');

const demo = (hybrid: boolean) =>
  runSimulation({ topology: DEMO, seed: '1', until: 'converged', router: { hybrid } });

const on = demo(true);
const off = demo(false);

test('demo: --hybrid off gives a different trace hash and hybrid stretch than on', () => {
  assert.ok(on.converged && off.converged);
  // The run itself is the same (no traffic before the measurement, nothing cached) ...
  assert.equal(on.summary.events, off.summary.events);
  // ... the conversations are not: the trace includes the measurement's traffic.
  assert.notEqual(on.summary.traceHash, off.summary.traceHash);
  const hybridOn = on.summary.stretch?.hybrid;
  const hybridOff = off.summary.stretch?.hybrid;
  const snekOn = on.summary.stretch?.snek;
  assert.ok(hybridOn && hybridOff && snekOn);
  assert.notEqual(hybridOn.mean, hybridOff.mean);
  assert.ok(hybridOn.mean < snekOn.mean, `hybrid ${hybridOn.mean} < snek ${snekOn.mean}`);
  // Off: nothing is ever cached, so every packet goes by SNEK (§1.3 "hybrid off").
  assert.deepEqual(hybridOff, off.summary.stretch?.snek);
  // Given coordinates do not go through the cache: the same either way.
  assert.deepEqual(on.summary.stretch?.given, off.summary.stretch?.given);
  assert.equal(on.summary.hybridStretch, 'conversation');
  for (const r of [on, off]) {
    const d = r.summary.delivery?.hybrid;
    assert.ok(d);
    assert.equal(d.delivered, d.sent, 'every conversation completes on a converged static network');
  }
});

test('conversation packets use the cache: tree rules when hybrid is on, all SNEK when off', () => {
  const hybridPaths = (paths: readonly PathRecord[] | undefined) =>
    (paths ?? []).filter((p) => p.mode === 'hybrid');
  const withOn = hybridPaths(on.data.paths);
  const withOff = hybridPaths(off.data.paths);
  // demo.txt has 48 nodes: paths are recorded for every ordered pair.
  assert.equal(withOn.length, 48 * 47);
  assert.equal(withOff.length, 48 * 47);
  // The measured packet (S's second) leaves S by a tree rule: S cached D's coordinates from D's
  // reply (§7.1 step 1), and its application's packet carries them (§7.2). Except to the root:
  // its coordinates are empty, so a packet from it leaves nothing to cache and a packet to it
  // carries none: SNEK (§1.3 table). (From the root is fine: the reply carried D's coordinates.)
  const root = on.summary.root;
  let tree = 0;
  for (const p of withOn) {
    const first = p.hops[0]?.reason ?? '';
    if (p.destination === root) assert.match(first, /^SNEK/);
    else {
      assert.match(first, /^tree: /, JSON.stringify(p));
      tree++;
    }
  }
  assert.equal(tree, 47 * 47);
  for (const p of withOff)
    for (const h of p.hops) assert.doesNotMatch(h.reason, /^tree/, JSON.stringify(p));
  // The recorded path is the measured packet's: it ends at the destination.
  for (const p of withOn) assert.equal(p.hops[p.hops.length - 1]?.node, p.destination);
});

test('sweep: --param hybrid=on,off gives different runs with no application traffic', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-hybrid-sweep-'));
  try {
    const file = join(dir, 'sc.json');
    // No traffic actions: only the final measurement's conversations can tell on from off.
    writeFileSync(
      file,
      JSON.stringify({
        topology: DEMO,
        duration: '30s',
        seed: '3',
        measure: { stretch: ['snek', 'hybrid'] },
      }),
    );
    await runSweep(
      { scenario: file, param: ['hybrid=on,off'], reps: 1, workers: 1, out: join(dir, 'o') },
      'test',
      () => {},
    );
    const [header, ...rows] = readFileSync(join(dir, 'o', 'sweep.csv'), 'utf8')
      .trim()
      .split('\n');
    const columns = (header ?? '').split(',');
    const col = (name: string) => {
      const i = columns.indexOf(name);
      assert.ok(i >= 0, `sweep.csv has ${name}`);
      return rows.map((r) => r.split(',')[i]);
    };
    assert.deepEqual(col('hybrid'), ['on', 'off']);
    const [hashOn, hashOff] = col('traceHash');
    assert.notEqual(hashOn, hashOff);
    const [meanOn, meanOff] = col('stretch.hybrid.mean').map(Number);
    const [snekOn, snekOff] = col('stretch.snek.mean').map(Number);
    assert.ok((meanOn as number) < (meanOff as number), `${meanOn} < ${meanOff}`);
    // SNEK probes never read the cache: the same in both halves.
    assert.equal(snekOn, snekOff);
    assert.equal(meanOff, snekOff);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the 60 s cache lifetime shows in the conversations' first packets (§7.2)", () => {
  // Conversations at 40 s fill every cache; at 50 s they start from a fresh cache (tree), at the
  // end (120 s, 70 s after the last refresh) from an expired one (SNEK again).
  const scenario = (hybrid: 'on' | 'off') =>
    parseScenario(
      JSON.stringify({
        topology: DEMO,
        seed: '1',
        duration: '120s',
        router: { hybrid: hybrid === 'on' },
        measure: { interval: '1s', stretch: ['snek', 'hybrid', 'given'] },
        actions: [
          { at: '40s', type: 'stretch', modes: ['snek', 'hybrid', 'given'] },
          { at: '50s', type: 'stretch', modes: ['snek', 'hybrid', 'given'] },
        ],
      }),
    );
  const series = (rows: readonly TimeseriesRow[], metric: string) =>
    rows.filter((r) => r.metric === metric).map((r) => [r.time_s, r.value]);
  const on = executeScenario(scenario('on'));
  const ts = on.data.timeseries ?? [];
  const snek = series(ts, 'stretch_snek_mean');
  const given = series(ts, 'stretch_given_mean');
  assert.equal(snek.length, 2);
  // 40 s: nothing cached yet, the first packets go by SNEK.
  assert.deepEqual(series(ts, 'stretch_hybrid_first_mean')[0], snek[0]);
  // 50 s: cached 10 s before, the first packets are tree-routed like given coordinates.
  assert.deepEqual(series(ts, 'stretch_hybrid_first_mean')[1], given[1]);
  assert.ok((given[1]?.[1] ?? 0) < (snek[1]?.[1] ?? 0));
  // 120 s: entries 70 s old have expired: SNEK again.
  assert.deepEqual(on.summary.hybridFirst, on.summary.stretch?.snek);
  assert.deepEqual(on.summary.stretch?.hybrid, on.summary.stretch?.given);
  // Off: nothing is ever cached.
  const off = executeScenario(scenario('off'));
  assert.deepEqual(series(off.data.timeseries ?? [], 'stretch_hybrid_first_mean'), snek);
  assert.deepEqual(off.summary.stretch?.hybrid, off.summary.stretch?.snek);
});

test('losing the root clears the caches (§7.2): first packets go by SNEK again', () => {
  // Conversations at 20 s fill every cache; the final measurement at 40 s starts from it.
  const run = (actions: readonly object[]) =>
    executeScenario(
      parseScenario(
        JSON.stringify({
          topology: DEMO,
          seed: '1',
          duration: '40s',
          measure: { interval: '1s' },
          actions: [{ at: '20s', type: 'stretch', modes: ['hybrid'] }, ...actions],
        }),
      ),
    ).summary;
  const quiet = run([]);
  assert.equal(quiet.root, 'n27');
  // Entries 20 s old are fresh: the first packets are tree-routed like given coordinates.
  assert.deepEqual(quiet.hybridFirst, quiet.stretch?.given);
  assert.ok((quiet.stretch?.given?.mean ?? 0) < (quiet.stretch?.snek?.mean ?? 0));
  // The root leaves at 21 s: nodes change parent under a new root and clear their caches.
  const lost = run([{ at: '21s', type: 'remove-node', node: 'n27' }]);
  assert.notEqual(lost.root, 'n27');
  assert.deepEqual(lost.hybridFirst, lost.stretch?.snek);
  assert.deepEqual(lost.stretch?.hybrid, lost.stretch?.given);
});
