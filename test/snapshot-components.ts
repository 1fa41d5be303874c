/**
 * test/snapshot-components.ts — the connected components of a snapshot's links, for the tests
 * that check what an example scenario says about its partitions (scenarios/examples.test.ts,
 * test/teaching-example.test.ts).
 */
import type { Snapshot } from '../results/schema.ts';

/** Connected components of a snapshot's links (node names in snapshot order), largest first. */
export function components(snap: Snapshot): string[][] {
  const parent = new Map(snap.nodes.map((n) => [n.name, n.name]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    return r;
  };
  for (const [a, b] of snap.links) parent.set(find(a), find(b));
  const groups = new Map<string, string[]>();
  for (const n of snap.nodes) {
    const r = find(n.name);
    groups.set(r, [...(groups.get(r) ?? []), n.name]);
  }
  return [...groups.values()].sort((x, y) => y.length - x.length);
}
