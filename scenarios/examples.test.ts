import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkScenario } from '../cli/scenario.ts';
import { executeScenario } from './execute.ts';

const DIR = join(import.meta.dirname, 'examples');

// Each example runs on the real simulator at its (small) size; the checks are what each one is
// about, not exact figures.
for (const file of [
  'churn.json',
  'mobility.json',
  'partition.json',
  'adversary.json',
  'root-loss.yaml',
]) {
  const name = file.replace(/\.(json|yaml)$/, '');
  test(`example ${name} validates and runs on the real host`, () => {
    const sc = checkScenario(join(DIR, file));
    const out = mkdtempSync(join(tmpdir(), `pinelab-ex-${name}-`));
    const { summary } = executeScenario(sc, { out });
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
    assert.ok(summary.events > 0);
    assert.ok((summary.stretch?.hybrid?.pairs ?? 0) > 0);
    const ts = readFileSync(join(out, 'timeseries.csv'), 'utf8');
    assert.match(ts, /tree_fraction/);
    switch (name) {
      case 'churn':
      case 'mobility':
        assert.ok(summary.convergence.changes > 5, `${summary.convergence.changes} changes`);
        break;
      case 'partition':
        assert.equal(summary.convergence.changes, 2);
        assert.notEqual(summary.treeConvergedAt, null);
        break;
      case 'adversary':
        assert.ok((summary.traffic?.snek?.sent ?? 0) > 0);
        // The filter is the §7.1 step 2 hook: filtered bootstraps still reset c's read deadline
        // (§4.3), so c keeps all its links (48 in sim.txt) and drops traffic it would forward.
        assert.equal(summary.links, 48);
        assert.ok((summary.traffic?.snek?.dropped['filter'] ?? 0) > 0);
        break;
      case 'root-loss': {
        assert.notEqual(summary.root, 'n27'); // the old root is gone, a new one was elected
        // PROTOCOL.md §10 item 22: agreement on the next root within 5 s (+ latency terms).
        assert.ok((summary.convergence.treeMax ?? 99) < 5.5, String(summary.convergence.treeMax));
        break;
      }
    }
  });
}
