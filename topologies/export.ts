/**
 * topologies/export.ts — write a topology in any format the loaders read, such that loading the
 * output gives the same graph: same digest, same node order and same edge order (port numbers
 * follow edge order, so a round trip must not renumber ports).
 *
 * The text formats list links in edge order; when the order in which nodes first appear in that
 * list differs from the graph's node order (or there are isolated nodes), every node is declared
 * first on a line of its own, which both formats read as "node, no link".
 * The pinecone format carries no attributes: `exportTopology` reports what it dropped.
 */
import { write as writeGexf } from 'graphology-gexf';
import { InputError } from '../base/index.ts';
import type { TopoGraph } from './graph.ts';
import { FORMATS, type TopologyFormat } from './index.ts';

export interface ExportResult {
  readonly text: string;
  /** Attribute kinds the format could not carry (e.g. ['latency', 'x/y'] for pinecone). */
  readonly dropped: readonly string[];
}

const EXPORT_EXTENSIONS: Readonly<Record<string, TopologyFormat>> = {
  '.txt': 'pinecone',
  '.edges': 'edgelist',
  '.edgelist': 'edgelist',
  '.csv': 'edgelist',
  '.tsv': 'edgelist',
  '.graphml': 'graphml',
  '.gexf': 'gexf',
  '.json': 'json',
};

export function exportFormatOf(file: string, format?: string): TopologyFormat {
  if (format !== undefined) {
    if ((FORMATS as readonly string[]).includes(format)) return format as TopologyFormat;
    throw new InputError(
      `unknown export format "${format}", expected one of ${FORMATS.join(', ')}`,
    );
  }
  const dot = file.lastIndexOf('.');
  const ext = dot >= 0 ? file.slice(dot).toLowerCase() : '';
  const f = EXPORT_EXTENSIONS[ext];
  if (f === undefined || !Object.hasOwn(EXPORT_EXTENSIONS, ext)) {
    throw new InputError(
      `${file}: cannot tell the export format from extension "${ext}": use ${Object.keys(EXPORT_EXTENSIONS).join(' ')} or --format`,
    );
  }
  return f;
}

/** True when listing the edges in order would introduce the nodes in graph order, all of them. */
function edgeOrderKeepsNodes(graph: TopoGraph): boolean {
  const order = new Map<string, number>();
  let i = 0;
  graph.forEachNode((k) => {
    order.set(k, i++);
  });
  let next = 0;
  let ok = true;
  const seen = new Set<string>();
  graph.forEachEdge((_e, _a, s, t) => {
    if (!ok) return;
    for (const v of [s, t]) {
      if (seen.has(v)) continue;
      seen.add(v);
      if (order.get(v) !== next) ok = false;
      next++;
    }
  });
  return ok && seen.size === graph.order;
}

const UNSAFE_TEXT_NAME = /[\s,#]/;

function checkTextNames(graph: TopoGraph, format: string): void {
  graph.forEachNode((k) => {
    if (UNSAFE_TEXT_NAME.test(k) || (format === 'edgelist' && /^(source|from)$/i.test(k))) {
      throw new InputError(
        `node name ${JSON.stringify(k)} cannot be written in the ${format} format (spaces, commas, # or a header word): export to graphml, gexf or json instead`,
      );
    }
  });
}

function hasPositions(graph: TopoGraph): boolean {
  return graph.someNode((_k, a) => a.x !== undefined || a.y !== undefined);
}

function edgeAttributeKinds(graph: TopoGraph): string[] {
  const kinds = new Set<string>();
  graph.forEachEdge((_e, a) => {
    if (a.latency !== undefined) kinds.add('latency');
    if (a.bandwidth !== undefined) kinds.add('bandwidth');
    if (a.loss !== undefined) kinds.add('loss');
  });
  return [...kinds].sort();
}

function toPinecone(graph: TopoGraph): ExportResult {
  checkTextNames(graph, 'pinecone');
  const out: string[] = [];
  if (!edgeOrderKeepsNodes(graph)) graph.forEachNode((k) => void out.push(k));
  graph.forEachEdge((_e, _a, s, t) => void out.push(`${s} ${t}`));
  const dropped = edgeAttributeKinds(graph);
  if (hasPositions(graph)) dropped.push('x/y');
  return { text: `${out.join('\n')}\n`, dropped };
}

function toEdgelist(graph: TopoGraph): ExportResult {
  checkTextNames(graph, 'edgelist');
  const out: string[] = ['# pinelab edge list: a b [latency µs] [bandwidth bps] [loss]'];
  if (!edgeOrderKeepsNodes(graph)) graph.forEachNode((k) => void out.push(k));
  graph.forEachEdge((_e, a, s, t) => {
    const f = [s, t];
    if (a.latency !== undefined || a.bandwidth !== undefined || a.loss !== undefined) {
      f.push(a.latency !== undefined ? String(a.latency) : '-');
      f.push(a.bandwidth !== undefined ? String(a.bandwidth) : '-');
      if (a.loss !== undefined) f.push(String(a.loss));
    }
    out.push(f.join(' '));
  });
  return { text: `${out.join('\n')}\n`, dropped: hasPositions(graph) ? ['x/y'] : [] };
}

function toJson(graph: TopoGraph): ExportResult {
  const nodes: { key: string; attributes?: object }[] = [];
  graph.forEachNode((key, a) => {
    nodes.push(Object.keys(a).length > 0 ? { key, attributes: { ...a } } : { key });
  });
  const edges: { source: string; target: string; attributes?: object }[] = [];
  graph.forEachEdge((_e, a, source, target) => {
    edges.push(
      Object.keys(a).length > 0 ? { source, target, attributes: { ...a } } : { source, target },
    );
  });
  const data = {
    options: { type: 'undirected', multi: false, allowSelfLoops: false },
    attributes: {},
    nodes,
    edges,
  };
  return { text: `${JSON.stringify(data)}\n`, dropped: [] };
}

function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function toGraphml(graph: TopoGraph): ExportResult {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="x" for="node" attr.name="x" attr.type="double"/>',
    '  <key id="y" for="node" attr.name="y" attr.type="double"/>',
    '  <key id="latency" for="edge" attr.name="latency" attr.type="long"/>',
    '  <key id="bandwidth" for="edge" attr.name="bandwidth" attr.type="long"/>',
    '  <key id="loss" for="edge" attr.name="loss" attr.type="double"/>',
    '  <graph edgedefault="undirected">',
  ];
  graph.forEachNode((k, a) => {
    const data: string[] = [];
    if (a.x !== undefined) data.push(`<data key="x">${a.x}</data>`);
    if (a.y !== undefined) data.push(`<data key="y">${a.y}</data>`);
    out.push(
      data.length > 0
        ? `    <node id="${xmlEscape(k)}">${data.join('')}</node>`
        : `    <node id="${xmlEscape(k)}"/>`,
    );
  });
  graph.forEachEdge((_e, a, s, t) => {
    const data: string[] = [];
    if (a.latency !== undefined) data.push(`<data key="latency">${a.latency}</data>`);
    if (a.bandwidth !== undefined) data.push(`<data key="bandwidth">${a.bandwidth}</data>`);
    if (a.loss !== undefined) data.push(`<data key="loss">${a.loss}</data>`);
    const head = `    <edge source="${xmlEscape(s)}" target="${xmlEscape(t)}"`;
    out.push(data.length > 0 ? `${head}>${data.join('')}</edge>` : `${head}/>`);
  });
  out.push('  </graph>', '</graphml>');
  return { text: `${out.join('\n')}\n`, dropped: [] };
}

function toGexf(graph: TopoGraph): ExportResult {
  return { text: writeGexf(graph), dropped: [] };
}

export function exportTopology(graph: TopoGraph, format: TopologyFormat): ExportResult {
  switch (format) {
    case 'pinecone':
      return toPinecone(graph);
    case 'edgelist':
      return toEdgelist(graph);
    case 'json':
      return toJson(graph);
    case 'graphml':
      return toGraphml(graph);
    case 'gexf':
      return toGexf(graph);
  }
}
