/**
 * examples/teaching/teaching.json says what a class will see (scenarios/examples.test.ts style):
 * checked here against its snapshots — the root b, then a after b leaves, roots a and l while
 * partitioned, one root a after the heal, and b root again once back.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkScenario } from '../cli/scenario.ts';
import type { Snapshot } from '../results/schema.ts';
import { executeScenario } from '../run/execute.ts';
import { components } from './snapshot-components.ts';

const FILE = join(import.meta.dirname, '..', 'examples', 'teaching', 'teaching.json');

/** Per connected component (sorted names), the set of root node names its nodes report. */
function parts(snap: Snapshot, keyName: Map<string, string>): string[] {
  const rootOf = new Map(snap.nodes.map((n) => [n.name, n.root]));
  return components(snap)
    .map((names) => {
      const roots = new Set(
        names.map((n) => rootOf.get(n) as string).map((k) => keyName.get(k) ?? k),
      );
      return `${[...names].sort().join('')} root ${[...roots].sort().join('+')}`;
    })
    .sort();
}

test('teaching.json: root b leaves, a takes over, the partition elects l, heals, b returns', () => {
  const r = executeScenario(checkScenario(FILE));
  const keyName = new Map((r.data.topology?.nodes ?? []).map((n) => [n.key, n.name]));
  const at = (label: string): string[] => {
    const s = (r.data.snapshots ?? []).find((x) => x.label === label);
    assert.ok(s, `snapshot "${label}"`);
    return parts(s, keyName);
  };
  assert.deepEqual(at('converged, root b'), ['abcdefghijkl root b']);
  assert.deepEqual(at('root a'), ['acdefghijkl root a']);
  assert.deepEqual(at('partitioned: roots a and l'), ['acdef root a', 'ghijkl root l']);
  assert.deepEqual(at('healed, root a'), ['acdefghijkl root a']);
  assert.deepEqual(at('end'), ['abcdefghijkl root b']);
  assert.equal(r.summary.root, 'b');
  assert.notEqual(r.summary.snakeConvergedAt, null, 'the snake holds again by the end');
  // Small enough for the decision panel: SNEK hops carry their §6.6 candidates.
  const snek = (r.data.paths ?? []).filter((p) => p.mode === 'snek');
  assert.ok(snek.length > 0 && snek.every((p) => p.hops.every((h) => h.decision?.agrees)));
});
