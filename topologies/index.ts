/**
 * topologies/index.ts — resolve a `--topology` argument into a graph.
 *
 * `spec` is a generator spec (see gen/index.ts: `ring:50`, `geo:200,r=0.12`, …) or a file path.
 * Files are read by format, from `options.format` or else the extension:
 *   pinecone  .txt                         pineconesim path format (load/pinecone.ts)
 *   edgelist  .edges .edgelist .csv .tsv   `a b [latency] [bandwidth] [loss]` (load/edgelist.ts)
 *   graphml   .graphml                     graphology-graphml
 *   gexf      .gexf                        graphology-gexf
 *   json      .json                        graphology serialized JSON
 * A spec that names a generator is a generator even if a file of that name exists (`ring:50` is
 * never meant as a path). Bad input of any kind is an InputError naming file/spec, line and what
 * was expected.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { InputError, locate } from '../base/index.ts';
import { generate, isGeneratorSpec, parseGeneratorSpec } from './gen/index.ts';
import { type TopoGraph, topologyDigest } from './graph.ts';
import { parseEdgelist } from './load/edgelist.ts';
import { parseJson } from './load/json.ts';
import { parsePinecone } from './load/pinecone.ts';
import { checkReadable, readText } from './load/text.ts';
import { parseGexf, parseGraphml } from './load/xml.ts';

export { GENERATOR_NAMES, GENERATOR_USAGE, isGeneratorSpec } from './gen/index.ts';
export type {
  TopoEdgeAttributes,
  TopoGraph,
  TopoNodeAttributes,
} from './graph.ts';
export { canonicalText, topologyDigest } from './graph.ts';

export interface Topology {
  /** Undirected, simple; node key = name; insertion orders = first appearance (ports follow it). */
  graph: TopoGraph;
  /** The file path as given, or the normalized generator spec with its effective seed. */
  source: string;
  /** sha256 hex of canonicalText(graph): same graph ⇒ same digest, whatever the format. */
  digest: string;
}

export const FORMATS = ['pinecone', 'edgelist', 'graphml', 'gexf', 'json'] as const;
export type TopologyFormat = (typeof FORMATS)[number];

const BY_EXTENSION: Readonly<Record<string, TopologyFormat>> = {
  '.txt': 'pinecone',
  '.edges': 'edgelist',
  '.edgelist': 'edgelist',
  '.csv': 'edgelist',
  '.tsv': 'edgelist',
  '.graphml': 'graphml',
  '.gexf': 'gexf',
  '.json': 'json',
};

const PARSERS: Readonly<Record<TopologyFormat, (text: string, file: string) => TopoGraph>> = {
  pinecone: parsePinecone,
  edgelist: parseEdgelist,
  graphml: parseGraphml,
  gexf: parseGexf,
  json: parseJson,
};

/** The format for a file: the explicit one if given (validated), else by extension. */
export function formatOf(file: string, format?: string): TopologyFormat {
  if (format !== undefined) {
    const f = format.toLowerCase();
    if ((FORMATS as readonly string[]).includes(f)) return f as TopologyFormat;
    throw new InputError(
      `unknown topology format "${format}", expected one of ${FORMATS.join(', ')}`,
    );
  }
  const ext = extname(file).toLowerCase();
  const f = BY_EXTENSION[ext];
  if (f === undefined || !Object.hasOwn(BY_EXTENSION, ext)) {
    throw new InputError(
      locate(
        file,
        undefined,
        `unknown topology format (${ext ? `extension "${ext}"` : 'no extension'}): expected ${Object.keys(BY_EXTENSION).join(' ')}, or pass --format (${FORMATS.join(', ')})`,
      ),
    );
  }
  return f;
}

/** Parse topology text in a given format (tests and stdin-like uses). */
export function parseTopology(text: string, file: string, format: TopologyFormat): TopoGraph {
  if (text.trim().length === 0) {
    throw new InputError(locate(file, undefined, 'empty file, expected at least one node'));
  }
  const graph = PARSERS[format](text, file);
  if (graph.order === 0) {
    throw new InputError(locate(file, undefined, 'no nodes found, expected at least one node'));
  }
  return graph;
}

/** Load a topology file. */
export function loadTopologyFile(file: string, format?: string): TopoGraph {
  // Existence and readability first: "no such file" beats "unknown format" for a typo.
  checkReadable(file);
  const f = formatOf(file, format);
  return parseTopology(readText(file), file, f);
}

export function resolveTopology(
  spec: string,
  options: { format?: string; seed: string },
): Topology {
  if (spec.trim().length === 0) {
    throw new InputError('empty topology: expected a file path or a generator spec like ring:50');
  }
  if (isGeneratorSpec(spec)) {
    if (options.format !== undefined) {
      throw new InputError(
        `--format ${options.format} applies to files, not to generator spec ${spec}`,
      );
    }
    const { graph, source } = generate(spec, options.seed);
    return { graph, source, digest: topologyDigest(graph) };
  }
  // `foo:3` with no file of that name is a mistyped generator more likely than a missing file.
  if (/^[a-z][a-z0-9]*:/.test(spec) && !existsSync(spec)) parseGeneratorSpec(spec);
  const graph = loadTopologyFile(spec, options.format);
  return { graph, source: spec, digest: topologyDigest(graph) };
}
