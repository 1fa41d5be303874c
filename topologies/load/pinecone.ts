/**
 * topologies/load/pinecone.ts — the pineconesim "graph" (path) format (shared/topologies/README.md).
 *
 * One record per line, trimmed and split on spaces. A line is a PATH: `a b c` links a–b and b–c; a
 * one-token line declares an isolated node. Links are undirected, repeats are ignored, `x x`
 * creates x only. No comments, weights or header.
 *
 * Choice: the reference splits on single ASCII spaces, so `a  b` would give it an empty-named node
 * between a and b. We split on runs of spaces/tabs instead (an empty name is never meant) and skip
 * blank lines; every file of shared/topologies reads identically either way.
 */
import { TopoBuilder, type TopoGraph } from '../graph.ts';

export function parsePinecone(text: string, file: string): TopoGraph {
  const b = new TopoBuilder(file);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw.length === 0) continue;
    const lineNo = i + 1;
    const tokens = raw.split(/[ \t]+/);
    const first = tokens[0]!;
    b.node(first, lineNo);
    for (let k = 1; k < tokens.length; k++) b.link(tokens[k - 1]!, tokens[k]!, lineNo);
  }
  return b.graph;
}
