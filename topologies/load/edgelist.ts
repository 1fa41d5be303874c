/**
 * topologies/load/edgelist.ts — edge lists (.edges, .edgelist, .csv, .tsv).
 *
 * One link per line: `a b [latency] [bandwidth] [loss]`, fields separated by spaces, tabs or
 * commas. `#` starts a comment (whole line or trailing). A one-field line declares an isolated node.
 * A first line `source target ...` or `from to ...` is taken as a CSV header and skipped. An empty
 * field or `-` means "not given" (use the run's default), so `a,b,,10Mbps` sets only bandwidth.
 *
 * Units (documented in `pinelab topo --help`):
 * - latency: a bare number is microseconds; suffixes `us`/`µs`, `ms`, `s` (e.g. `5ms`, `250us`,
 *   `0.2s`). Rounded to an integer number of microseconds (virtual time is integer µs).
 * - bandwidth: a bare number is bits per second; suffixes `k`, `M`, `G` (SI, ×1000), optionally
 *   followed by `bps` or `bit` (e.g. `10M`, `10Mbps`, `1Gbit`, `56000`).
 * - loss: a probability 0..1 or a percentage (`0.01` or `1%`).
 * Repeated links keep the attributes of their first appearance (like repeated pinecone links).
 */
import { InputError, locate } from '../../base/index.ts';
import { TopoBuilder, type TopoEdgeAttributes, type TopoGraph } from '../graph.ts';

const LATENCY = /^(\d+(?:\.\d+)?|\.\d+)(us|µs|μs|ms|s)?$/;
const BANDWIDTH = /^(\d+(?:\.\d+)?|\.\d+)([kKMG]?)(bps|bit|b\/s)?$/;
const LOSS = /^(\d+(?:\.\d+)?|\.\d+)(%)?$/;
const SPLIT = /\s*,\s*|[ \t]+/;

export function parseLatency(token: string): number | undefined {
  const m = LATENCY.exec(token);
  if (!m) return undefined;
  const v = Number(m[1]);
  const scale = m[2] === 'ms' ? 1_000 : m[2] === 's' ? 1_000_000 : 1;
  const us = Math.round(v * scale);
  return Number.isSafeInteger(us) ? us : undefined;
}

export function parseBandwidth(token: string): number | undefined {
  const m = BANDWIDTH.exec(token);
  if (!m) return undefined;
  const scale = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  const bps = Math.round(Number(m[1]) * scale);
  return bps > 0 && Number.isSafeInteger(bps) ? bps : undefined;
}

export function parseLoss(token: string): number | undefined {
  const m = LOSS.exec(token);
  if (!m) return undefined;
  const v = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  return v >= 0 && v <= 1 ? v : undefined;
}

const HEADER = /^(source|from)$/i;

export function parseEdgelist(text: string, file: string): TopoGraph {
  const b = new TopoBuilder(file);
  const lines = text.split('\n');
  let seenData = false;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let raw = lines[i]!;
    const hash = raw.indexOf('#');
    if (hash >= 0) raw = raw.slice(0, hash);
    raw = raw.trim();
    if (raw.length === 0) continue;
    // A trailing comma leaves an empty last field: that is "not given", not an error.
    const f = raw.split(SPLIT);
    if (!seenData && HEADER.test(f[0]!)) {
      seenData = true;
      continue;
    }
    seenData = true;
    if (f.length > 5) {
      throw new InputError(
        locate(
          file,
          lineNo,
          `${f.length} fields, expected \`a b [latency] [bandwidth] [loss]\` (at most 5)`,
        ),
      );
    }
    const a = f[0]!;
    if (f.length === 1) {
      b.node(a, lineNo);
      continue;
    }
    const attrs: TopoEdgeAttributes = {};
    const lat = f[2];
    if (lat !== undefined && lat !== '' && lat !== '-') {
      const v = parseLatency(lat);
      if (v === undefined) {
        throw new InputError(
          locate(
            file,
            lineNo,
            `bad latency ${JSON.stringify(lat)}, expected microseconds or a number with us/ms/s (e.g. 5ms)`,
          ),
        );
      }
      attrs.latency = v;
    }
    const bw = f[3];
    if (bw !== undefined && bw !== '' && bw !== '-') {
      const v = parseBandwidth(bw);
      if (v === undefined) {
        throw new InputError(
          locate(
            file,
            lineNo,
            `bad bandwidth ${JSON.stringify(bw)}, expected bits/s > 0, optionally with k/M/G (e.g. 10Mbps)`,
          ),
        );
      }
      attrs.bandwidth = v;
    }
    const loss = f[4];
    if (loss !== undefined && loss !== '' && loss !== '-') {
      const v = parseLoss(loss);
      if (v === undefined) {
        throw new InputError(
          locate(
            file,
            lineNo,
            `bad loss ${JSON.stringify(loss)}, expected a probability 0..1 or a percentage (e.g. 1%)`,
          ),
        );
      }
      attrs.loss = v;
    }
    const target = f[1]!;
    if (target === '') b.node(a, lineNo);
    else b.link(a, target, lineNo, attrs);
  }
  return b.graph;
}
