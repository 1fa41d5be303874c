/**
 * topologies/load/json.ts — graphology's serialized JSON (`graph.export()`):
 * `{ "attributes"?, "options"?, "nodes": [{ "key", "attributes"? }], "edges": [{ "source",
 * "target", "attributes"?, "key"?, "undirected"? }] }`. Edges are read as undirected links.
 * A syntax error names its line; a structural one names the JSON path (e.g. `edges[3].source`).
 */
import { MultiGraph } from 'graphology';
import { InputError, locate } from '../../base/index.ts';
import { nameProblem, type TopoGraph } from '../graph.ts';
import { normalizeGraph } from './normalize.ts';

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string, file: string): TopoGraph {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const msg = String((error as Error).message);
    const m = /position (\d+)/.exec(msg);
    const lm = /line (\d+)/.exec(msg);
    const line = m ? lineAt(text, Number(m[1])) : lm ? Number(lm[1]) : undefined;
    throw new InputError(locate(file, line, `not valid JSON: ${msg.replace(/ in JSON.*$/, '')}`));
  }
  const bad = (path: string, expected: string) =>
    new InputError(locate(file, undefined, `${path}: expected ${expected}`));
  if (!isObject(data)) throw bad('top level', 'an object with "nodes" and "edges" arrays');
  const nodes = data['nodes'];
  const edges = data['edges'] ?? [];
  if (!Array.isArray(nodes)) throw bad('nodes', 'an array of { "key": ... }');
  if (!Array.isArray(edges)) throw bad('edges', 'an array of { "source", "target" }');
  const g = new MultiGraph({ type: 'mixed', allowSelfLoops: true });
  const key = (v: unknown, path: string): string => {
    const k =
      typeof v === 'string' && v.length > 0
        ? v
        : typeof v === 'number' && Number.isFinite(v)
          ? String(v)
          : undefined;
    if (k === undefined) throw bad(path, 'a non-empty string or number node key');
    const problem = nameProblem(k);
    if (problem !== null) throw new InputError(locate(file, undefined, `${path}: ${problem}`));
    return k;
  };
  for (let i = 0; i < nodes.length; i++) {
    const n: unknown = nodes[i];
    if (!isObject(n)) throw bad(`nodes[${i}]`, 'an object { "key": ... }');
    const k = key(n['key'], `nodes[${i}].key`);
    const attrs = n['attributes'] ?? {};
    if (!isObject(attrs)) throw bad(`nodes[${i}].attributes`, 'an object');
    g.mergeNode(k, attrs);
  }
  for (let i = 0; i < edges.length; i++) {
    const e: unknown = edges[i];
    if (!isObject(e)) throw bad(`edges[${i}]`, 'an object { "source", "target" }');
    const s = key(e['source'], `edges[${i}].source`);
    const t = key(e['target'], `edges[${i}].target`);
    if (!g.hasNode(s)) throw bad(`edges[${i}].source`, `a declared node, not ${JSON.stringify(s)}`);
    if (!g.hasNode(t)) throw bad(`edges[${i}].target`, `a declared node, not ${JSON.stringify(t)}`);
    const attrs = e['attributes'] ?? {};
    if (!isObject(attrs)) throw bad(`edges[${i}].attributes`, 'an object');
    g.addUndirectedEdge(s, t, attrs);
  }
  return normalizeGraph(g, file);
}
