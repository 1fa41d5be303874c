/**
 * topologies/graph.ts — the one way every loader and generator builds a topology graph, and the
 * canonical text its digest is computed from.
 *
 * Rules shared by all formats (shared/topologies/README.md):
 * - undirected, no multi edges: a repeated link (either direction) is ignored;
 * - no self loops: `x x` creates node x only;
 * - node insertion order = order of first appearance, edge insertion order = order of first
 *   appearance. This matters: the simulator creates links in edge order and a router numbers its
 *   ports in the order its links come up (PROTOCOL.md §4.1), so reordering a file changes ports.
 */
import { createHash } from 'node:crypto';
import { UndirectedGraph } from 'graphology';
import { InputError, locate } from '../base/index.ts';

/** Optional node attributes: a position (the geometric generator and grids keep one). */
export interface TopoNodeAttributes {
  x?: number;
  y?: number;
}

/** Optional link attributes; absent means "use the run's defaults". */
export interface TopoEdgeAttributes {
  /** One-way latency in integer microseconds. */
  latency?: number;
  /** Bits per second. */
  bandwidth?: number;
  /** Loss probability, 0..1. */
  loss?: number;
}

export type TopoGraph = UndirectedGraph<TopoNodeAttributes, TopoEdgeAttributes>;

/** A node name must be non-empty and free of control characters (they break every text format). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of this pattern
const BAD_NAME = /[\u0000-\u001f\u007f]/;

/**
 * Names graphology cannot hold: it keeps each node's neighbours in a plain object, so a node named
 * after an Object.prototype property (`constructor`, `toString`, `__proto__`, …) looks already
 * linked, or replaces the object's prototype. Refused with a clear error instead.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The reason `name` cannot be a node name, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'empty node name';
  if (BAD_NAME.test(name)) return `node name ${JSON.stringify(name)} contains a control character`;
  if (RESERVED_NAMES.has(name)) {
    return `node name ${JSON.stringify(name)} is reserved (a JavaScript object property the graph library cannot hold as a name): rename the node`;
  }
  return null;
}

export function checkName(name: string, file: string, line: number | undefined): void {
  const problem = nameProblem(name);
  if (problem !== null) throw new InputError(locate(file, line, problem));
}

/**
 * Builds a TopoGraph with the shared rules. `file`/`line` are only used for error messages.
 */
export class TopoBuilder {
  readonly graph: TopoGraph = new UndirectedGraph<TopoNodeAttributes, TopoEdgeAttributes>();
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  node(name: string, line?: number, attrs?: TopoNodeAttributes): void {
    if (this.graph.hasNode(name)) {
      if (attrs) this.graph.mergeNodeAttributes(name, attrs);
      return;
    }
    checkName(name, this.file, line);
    this.graph.addNode(name, attrs ?? {});
  }

  /** Adds a–b unless it is a self loop or already present. Returns true if a link was added. */
  link(a: string, b: string, line?: number, attrs?: TopoEdgeAttributes): boolean {
    this.node(a, line);
    this.node(b, line);
    if (a === b) return false;
    if (this.graph.hasEdge(a, b)) return false;
    this.graph.addEdge(a, b, attrs ?? {});
    return true;
  }

  /**
   * Generators' fast path: both nodes exist and the link is new by construction (graphology
   * throws if not, which would be a generator bug). Skips the lookups `link` needs.
   */
  fresh(a: string, b: string): void {
    this.graph.addEdge(a, b, {});
  }
}

/** Number formatting for the canonical text: integers as-is, others with full precision. */
function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(17);
}

/**
 * The canonical text: a version line, then one `edge a b [latency=..] [bandwidth=..] [loss=..]`
 * line per link with a < b (UTF-16 code unit order, as JS `<`), sorted; then one `node x` line per
 * isolated node, sorted. Positions are layout only and are left out; link attributes change the
 * simulation and are included. Insertion order is deliberately not part of it (format-independent).
 */
export function canonicalText(graph: TopoGraph): string {
  const edges: string[] = [];
  graph.forEachEdge((_e, attrs, s, t) => {
    const [a, b] = s < t ? [s, t] : [t, s];
    let line = `edge\t${a}\t${b}`;
    if (attrs.latency !== undefined) line += `\tlatency=${num(attrs.latency)}`;
    if (attrs.bandwidth !== undefined) line += `\tbandwidth=${num(attrs.bandwidth)}`;
    if (attrs.loss !== undefined) line += `\tloss=${num(attrs.loss)}`;
    edges.push(line);
  });
  edges.sort(cmp);
  const isolated: string[] = [];
  graph.forEachNode((n) => {
    if (graph.degree(n) === 0) isolated.push(`node\t${n}`);
  });
  isolated.sort(cmp);
  const lines = ['pinelab-topology v1', ...edges, ...isolated];
  return `${lines.join('\n')}\n`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sha256 hex of canonicalText(graph). */
export function topologyDigest(graph: TopoGraph): string {
  return createHash('sha256').update(canonicalText(graph), 'utf8').digest('hex');
}
