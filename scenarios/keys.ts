/**
 * scenarios/keys.ts — a keys file ({"node": "64 hex seed"}, `--keys` or a scenario's `keys`)
 * checked against the run before it starts. sim/identities.ts parses the file; what
 * only the run can tell is checked here: a name that is no node of the run (a typo would
 * otherwise leave that node on its derived key without a word), the same name twice (JSON keeps
 * the last one silently), and the same seed for two nodes (two routers with one ed25519 key: the
 * tree and the snake cannot converge, and the run used to end at its timeout, exit 3, unexplained).
 */
import { InputError } from '../base/index.ts';
import { parseKeysFile } from '../sim/identities.ts';
import { readCapped } from '../sim/read-file.ts';
import type { Scenario } from './types.ts';

/** A keys file holds ~80 bytes per node: millions of nodes (sim/identities.ts has the same cap). */
const MAX_KEYS_BYTES = 512 * 1024 * 1024;

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/**
 * Read, parse and check `file` for a run whose nodes are `names` (the topology's and those the
 * actions add). Errors name the file, the line and the nodes.
 */
export function loadRunKeys(file: string, names: Iterable<string>): Map<string, Uint8Array> {
  const text = readCapped(file, MAX_KEYS_BYTES, 'a keys file').toString('utf8');
  const keys = parseKeysFile(text, file);
  // parseKeysFile accepted a flat object of strings, so a string followed by ':' is a name.
  const seen = new Set<string>();
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    const name = JSON.parse(`"${m[1]}"`) as string;
    if (seen.has(name))
      throw new InputError(
        `${file}:${lineAt(text, m.index)}: node ${JSON.stringify(name)} is named twice (each node takes one key)`,
      );
    seen.add(name);
  }
  const bySeed = new Map<string, string>();
  for (const [name, seed] of keys) {
    const hex = Buffer.from(seed).toString('hex');
    const other = bySeed.get(hex);
    if (other !== undefined)
      throw new InputError(
        `${file}: nodes ${JSON.stringify(other)} and ${JSON.stringify(name)} have the same seed (two routers with one key cannot converge): give each node its own`,
      );
    bySeed.set(hex, name);
  }
  const known = new Set(names);
  const unknown = [...keys.keys()].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const list = unknown
      .slice(0, 5)
      .map((n) => JSON.stringify(n))
      .join(', ');
    throw new InputError(
      `${file}: ${unknown.length === 1 ? 'node' : 'nodes'} ${list}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} not in the run (its topology and add-node actions)`,
    );
  }
  return keys;
}

/** The nodes of a run: its topology's and those its add-node actions bring. */
export function runNodeNames(scenario: Scenario, topologyNodes: Iterable<string>): Set<string> {
  const names = new Set(topologyNodes);
  for (const a of scenario.actions) if (a.type === 'add-node') names.add(a.node);
  return names;
}
