/**
 * topologies/load/xml.ts — GraphML and GEXF, through graphology-graphml / graphology-gexf.
 *
 * The document is parsed once with @xmldom/xmldom (the DOM both libraries use in Node) in strict
 * mode: xmldom is lenient and would silently repair unclosed tags, so any warning or error it
 * reports is an InputError with its line. Edge endpoints are checked against the declared nodes
 * here too, so a dangling edge names its line; then the library builds the graph and
 * normalizeGraph applies the shared rules.
 */
import { DOMParser } from '@xmldom/xmldom';
import { MultiGraph } from 'graphology';
import { parse as parseGexfDoc } from 'graphology-gexf';
import { parse as parseGraphmlDoc } from 'graphology-graphml';
import { InputError, locate } from '../../base/index.ts';
import { nameProblem, type TopoGraph } from '../graph.ts';
import { normalizeGraph } from './normalize.ts';

interface Located {
  lineNumber?: number;
}

function parseXml(text: string, file: string, root: string): Document {
  let problem: { msg: string; line: number | undefined } | undefined;
  const record = (msg: string) => {
    if (problem) return;
    const m = /\[line:(\d+)/.exec(msg);
    const line = m ? Number(m[1]) : undefined;
    const clean = msg
      .replace(/^\[xmldom [a-z ]+\]\s*/i, '')
      .replace(/\n?@#\[line:.*$/s, '')
      .trim();
    problem = { msg: clean, line: line !== undefined && line > 0 ? line : undefined };
  };
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      locator: {},
      errorHandler: { warning: record, error: record, fatalError: record },
    }).parseFromString(text, 'application/xml') as unknown as Document;
  } catch (error) {
    record(String((error as Error).message));
  }
  if (problem) {
    throw new InputError(locate(file, problem.line, `not well-formed XML: ${problem.msg}`));
  }
  const el = doc?.documentElement;
  if (!el) throw new InputError(locate(file, 1, `not XML, expected a <${root}> document`));
  if (el.tagName.replace(/^.*:/, '') !== root) {
    throw new InputError(
      locate(
        file,
        (el as unknown as Located).lineNumber,
        `root element <${el.tagName}>, expected <${root}>`,
      ),
    );
  }
  const graphs = doc!.getElementsByTagName('graph');
  if (graphs.length === 0) {
    throw new InputError(locate(file, undefined, `no <graph> element inside <${root}>`));
  }
  checkNodesAndEdges(doc!, file);
  return doc!;
}

/**
 * Node ids present, unique and usable as names, edge endpoints declared: errors with lines (the
 * libraries' own messages name no line, e.g. graphology's for a repeated id).
 */
function checkNodesAndEdges(doc: Document, file: string): void {
  const ids = new Map<string, number | undefined>();
  const nodes = doc.getElementsByTagName('node');
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const id = n.getAttribute('id');
    const line = (n as unknown as Located).lineNumber;
    if (id === null || id === '') {
      throw new InputError(locate(file, line, '<node> without an id attribute'));
    }
    if (ids.has(id)) {
      const first = ids.get(id);
      throw new InputError(
        locate(
          file,
          line,
          `<node> id ${JSON.stringify(id)} declared twice${first === undefined ? '' : ` (first at line ${first})`}: ids must be unique`,
        ),
      );
    }
    const problem = nameProblem(id);
    if (problem !== null) throw new InputError(locate(file, line, problem));
    ids.set(id, line);
  }
  const edges = doc.getElementsByTagName('edge');
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    const line = (e as unknown as Located).lineNumber;
    for (const end of ['source', 'target'] as const) {
      const v = e.getAttribute(end);
      if (v === null || v === '') {
        throw new InputError(locate(file, line, `<edge> without a ${end} attribute`));
      }
      if (!ids.has(v)) {
        throw new InputError(
          locate(file, line, `<edge> ${end} ${JSON.stringify(v)} is not a declared <node>`),
        );
      }
    }
  }
}

function wrap<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof InputError) throw error;
    const msg = String((error as Error).message).replace(/^graphology-[a-z]+\/parser:\s*/, '');
    throw new InputError(locate(file, undefined, msg));
  }
}

export function parseGraphml(text: string, file: string): TopoGraph {
  const doc = parseXml(text, file, 'graphml');
  const g = wrap(file, () => parseGraphmlDoc(MultiGraph, doc));
  return normalizeGraph(g, file);
}

export function parseGexf(text: string, file: string): TopoGraph {
  const doc = parseXml(text, file, 'gexf');
  // Undeclared <attvalue>s are tolerated: only latency/bandwidth/loss/x/y are read anyway.
  const g = wrap(file, () => parseGexfDoc(MultiGraph, doc, { allowUndeclaredAttributes: true }));
  return normalizeGraph(g, file);
}
