/**
 * topologies/load/normalize.ts — turn any graphology graph (as parsed from GraphML, GEXF or JSON)
 * into a TopoGraph: undirected, simple, node/edge order kept, known attributes validated.
 *
 * Choices: directed edges become undirected links (Pinecone peerings are bidirectional,
 * PROTOCOL.md §4.1); parallel edges and self loops are dropped as in the path format. Link
 * attributes `latency` (µs, or a string with a unit), `bandwidth` (bps or with k/M/G) and `loss`
 * (0..1) are read; node attributes `x`, `y` (numbers) are kept; every other attribute is ignored.
 */
import type { AbstractGraph, Attributes } from 'graphology-types';
import { InputError, locate } from '../../base/index.ts';
import {
  TopoBuilder,
  type TopoEdgeAttributes,
  type TopoGraph,
  type TopoNodeAttributes,
} from '../graph.ts';
import { parseBandwidth, parseLatency, parseLoss } from './edgelist.ts';

function attrValue(
  file: string,
  where: string,
  name: string,
  v: unknown,
  parse: (s: string) => number | undefined,
  expected: string,
): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  // A number is read as its plain decimal digits: String(1e-7) is "1e-7", which the text formats'
  // patterns refuse, and NaN or Infinity (GraphML "NaN", JSON 1e999) are not values at all.
  const parsed =
    typeof v === 'number'
      ? Number.isFinite(v)
        ? parse(plainDecimal(v))
        : undefined
      : typeof v === 'string'
        ? parse(v.trim())
        : undefined;
  if (parsed === undefined) {
    const shown = typeof v === 'number' ? String(v) : JSON.stringify(v);
    throw new InputError(
      locate(file, undefined, `${where}: bad ${name} ${shown}, expected ${expected}`),
    );
  }
  return parsed;
}

/** A finite number in positional notation (no exponent) where it has one below 1e21. */
function plainDecimal(v: number): string {
  const s = String(v);
  if (!/e/i.test(s)) return s;
  return Math.abs(v) < 1 ? v.toFixed(20).replace(/0+$/, '') : s;
}

/** A position: absent, or a finite number; anything else numeric is refused. */
function coordinate(file: string, node: string, name: 'x' | 'y', v: unknown): number | undefined {
  if (typeof v !== 'number') return undefined;
  if (!Number.isFinite(v)) {
    throw new InputError(
      locate(file, undefined, `node ${node}: bad ${name} ${String(v)}, expected a finite number`),
    );
  }
  return v;
}

export function normalizeGraph(g: AbstractGraph<Attributes, Attributes>, file: string): TopoGraph {
  const b = new TopoBuilder(file);
  g.forEachNode((key, attrs) => {
    const pos: TopoNodeAttributes = {};
    const x = coordinate(file, String(key), 'x', attrs['x']);
    const y = coordinate(file, String(key), 'y', attrs['y']);
    if (x !== undefined) pos.x = x;
    if (y !== undefined) pos.y = y;
    b.node(String(key), undefined, pos);
  });
  g.forEachEdge((_e, attrs, s, t) => {
    const where = `link ${s}–${t}`;
    const ea: TopoEdgeAttributes = {};
    const lat = attrValue(
      file,
      where,
      'latency',
      attrs['latency'],
      parseLatency,
      'microseconds or a number with us/ms/s',
    );
    if (lat !== undefined) ea.latency = lat;
    const bw = attrValue(
      file,
      where,
      'bandwidth',
      attrs['bandwidth'],
      parseBandwidth,
      'bits/s > 0, optionally with k/M/G',
    );
    if (bw !== undefined) ea.bandwidth = bw;
    const loss = attrValue(file, where, 'loss', attrs['loss'], parseLoss, 'a probability 0..1');
    if (loss !== undefined) ea.loss = loss;
    b.link(String(s), String(t), undefined, ea);
  });
  return b.graph;
}
