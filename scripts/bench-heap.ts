/**
 * scripts/bench-heap.ts — the idle heap of a router: `npm run bench -- --heap` (scripts/bench.ts).
 *
 * For each graph, a child process (`node --expose-gc`, so the row's heap is its own) loads the
 * modules, collects garbage twice and reads heapUsed + arrayBuffers (the baseline: the modules,
 * the empty process), then runs `pinelab run --until converged` (seed 1, signatures on, node
 * crypto) through Simulation, collects garbage twice again and reads both again.
 * (after − baseline) / nodes is the heap one converged, idle router costs, host-side records
 * (sim/host.ts, sim/peering.ts) and what the run keeps of its topology included. With
 * `--breakdown` (`npm run bench -- --heap --breakdown`) the child also writes a heap snapshot, and
 * the parent adds up its objects' shallow sizes by constructor name and by "retainer class.field"
 * (the class and field of the first object that refers to each), per router: what an idle router
 * holds.
 * Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The graphs of the row: the 10,000-node pair (docs/large-networks.md). */
export const HEAP_TOPOLOGIES: readonly string[] = ['ba:10000,m=2', 'geo:10000,r=0.0113'];

export interface HeapFigures {
  readonly topology: string;
  readonly nodes: number;
  readonly converged: boolean;
  readonly virtualSeconds: number;
  readonly baselineBytes: number;
  readonly heapBytes: number;
  readonly perRouterBytes: number;
  readonly traceHash: string;
  readonly snapshot: string | null;
}

declare const gc: (() => void) | undefined;

function collect(): number {
  if (typeof gc !== 'function') throw new Error('bench-heap: run the child with --expose-gc');
  gc();
  gc();
  // ArrayBuffer contents beyond 64 B live outside the JS heap (the routing table's rows, the
  // search's prefixes): counted, or a typed-array layout would look smaller than it is.
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The child: baseline, run to convergence, heap; a snapshot to `snapshotPath` when given. */
export async function heapChild(topology: string, snapshotPath: string | null): Promise<void> {
  const { Simulation } = await import('../run/simulation.ts');
  // No graph in the baseline: whatever the run keeps of its topology counts.
  const baselineBytes = collect();
  const sim = new Simulation({ topology, seed: '1', until: 'converged', crypto: 'node' });
  while (!sim.advance(100_000)) {}
  const heapBytes = collect();
  const nodes = sim.host.nodeNames().length;
  // The snapshot shows the heap just measured: before finish() adds the final measurement (stretch
  // probes, node snapshots) to the results.
  let snapshot: string | null = null;
  if (snapshotPath !== null) {
    const { writeHeapSnapshot } = await import('node:v8');
    snapshot = writeHeapSnapshot(snapshotPath);
  }
  const r = sim.finish();
  const out: HeapFigures = {
    topology,
    nodes,
    converged: r.converged,
    virtualSeconds: r.summary.virtualSeconds,
    baselineBytes,
    heapBytes,
    perRouterBytes: (heapBytes - baselineBytes) / nodes,
    traceHash: r.summary.traceHash,
    snapshot,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// ---- heap snapshot reading (the .heapsnapshot JSON, streamed: it is hundreds of MB) -------------

export interface HeapBreakdownRow {
  readonly label: string;
  readonly count: number;
  readonly bytes: number;
}

export interface HeapBreakdown {
  /** Shallow size by node type and constructor name ("object Link", "array", "closure …"). */
  readonly byConstructor: HeapBreakdownRow[];
  /** Shallow size by "retainer constructor.edge name" (the first retainer in edge order). */
  readonly byRetainer: HeapBreakdownRow[];
  /**
   * Retained size (dominator tree) by constructor, counting only instances that no other instance
   * of the same constructor dominates (so a class's row is what freeing all of it would free).
   */
  readonly retained: HeapBreakdownRow[];
  readonly totalBytes: number;
}

/**
 * Reads `"nodes":[…]`, `"edges":[…]` and `"strings":[…]` of a heap snapshot file in 1 MB chunks
 * (JSON.parse of the whole file would need a string longer than V8 allows).
 */
export function readSnapshot(path: string): {
  meta: {
    node_fields: string[];
    node_types: unknown[];
    edge_fields: string[];
    edge_types: unknown[];
  };
  nodes: Float64Array;
  edges: Float64Array;
  strings: string[];
} {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  const utf8 = new StringDecoder('utf8');
  let text = '';
  let pos = 0;
  // The header (snapshot meta) is small: read until "nodes":[.
  let head = '';
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, pos);
    if (n === 0) throw new Error(`${path}: no "nodes" array`);
    head += utf8.write(chunk.subarray(0, n));
    pos += n;
    const at = head.indexOf('"nodes":[');
    if (at >= 0) {
      text = head.slice(at + 9);
      head = head.slice(0, at);
      break;
    }
  }
  const metaText = head.slice(head.indexOf('{"snapshot":') + 12).replace(/,\s*$/, '');
  const snap = JSON.parse(metaText) as {
    meta: {
      node_fields: string[];
      node_types: unknown[];
      edge_fields: string[];
      edge_types: unknown[];
    };
    node_count: number;
    edge_count: number;
  };
  const nodes = new Float64Array(snap.node_count * snap.meta.node_fields.length);
  const edges = new Float64Array(snap.edge_count * snap.meta.edge_fields.length);
  // Numbers until ']' then the next array; a tiny state machine over the text.
  let target = nodes;
  let k = 0;
  let value = 0;
  let inNumber = false;
  let phase = 0; // 0 nodes, 1 between, 2 edges, 3 after edges
  let rest = '';
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (phase === 1 || phase === 3) {
        rest += s.slice(i);
        if (phase === 1) {
          const at = rest.indexOf('"edges":[');
          if (at < 0) return;
          phase = 2;
          target = edges;
          k = 0;
          const after = rest.slice(at + 9);
          rest = '';
          feed(after);
        }
        return;
      }
      if (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        inNumber = true;
      } else {
        if (inNumber) {
          target[k++] = value;
          value = 0;
          inNumber = false;
        }
        if (c === 93) {
          phase = phase === 0 ? 1 : 3;
          rest = '';
          feed(s.slice(i + 1));
          return;
        }
      }
    }
  };
  feed(text);
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, pos);
    if (n === 0) break;
    pos += n;
    feed(utf8.write(chunk.subarray(0, n)));
  }
  closeSync(fd);
  const at = rest.indexOf('"strings":');
  const end = rest.lastIndexOf('}');
  const strings = JSON.parse(rest.slice(at + 10, end)) as string[];
  return { meta: snap.meta, nodes, edges, strings };
}

/** Adds up a heap snapshot's objects by constructor and by retainer, per `perNodes` routers. */
export function heapBreakdown(path: string, top = 30): HeapBreakdown {
  const { meta, nodes, edges, strings } = readSnapshot(path);
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const fType = meta.node_fields.indexOf('type');
  const fName = meta.node_fields.indexOf('name');
  const fSize = meta.node_fields.indexOf('self_size');
  const fEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0] as string[];
  const edgeTypes = meta.edge_types[0] as string[];
  const count = nodes.length / nf;
  const label = (i: number): string => {
    const t = nodeTypes[nodes[i * nf + fType] as number] ?? '?';
    const name = strings[nodes[i * nf + fName] as number] ?? '?';
    if (t === 'object' || t === 'closure' || t === 'native') return `${t} ${name}`;
    if (t === 'array' || t === 'hidden' || t === 'code') return `${t} ${name.slice(0, 40)}`;
    return t;
  };
  const byCtor = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < count; i++) {
    const size = nodes[i * nf + fSize] as number;
    total += size;
    const l = label(i);
    const row = byCtor.get(l);
    if (row === undefined) byCtor.set(l, { count: 1, bytes: size });
    else {
      row.count++;
      row.bytes += size;
    }
  }
  // First retainer of each node over strong edges (weak edges do not keep anything).
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Int32Array(count).fill(-1);
  let e = 0;
  for (let i = 0; i < count; i++) {
    const n = nodes[i * nf + fEdges] as number;
    for (let j = 0; j < n; j++, e++) {
      const to = (edges[e * ef + eTo] as number) / nf;
      if (edgeTypes[edges[e * ef + eType] as number] === 'weak') continue;
      if (retainer[to] === -1) {
        retainer[to] = i;
        retainerEdge[to] = e;
      }
    }
  }
  const edgeLabel = (re: number): string => {
    const et = edgeTypes[edges[re * ef + eType] as number];
    return et === 'element' || et === 'hidden'
      ? '[]'
      : (strings[edges[re * ef + eName] as number] ?? '?');
  };
  // Generic containers say little by themselves: climb through them (a few steps) to the first
  // object of a named class, so a row reads "object Link.storedValue.announcement.hops[] → …".
  const generic = (l: string): boolean =>
    l === 'object Object' ||
    l === 'object Array' ||
    l.startsWith('array') ||
    l.startsWith('hidden') ||
    l === 'object system / PropertyArray' ||
    l === 'object Map' ||
    l === 'object ArrayBuffer' ||
    l === 'native system / JSArrayBufferData' ||
    l.startsWith('object Uint8Array') ||
    l.startsWith('object Float64Array');
  const byRet = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < count; i++) {
    let r = retainer[i] as number;
    let l = '(root)';
    if (r >= 0) {
      let path = edgeLabel(retainerEdge[i] as number);
      let owner = label(r);
      for (let step = 0; step < 6 && generic(owner); step++) {
        const up = retainer[r] as number;
        if (up < 0) break;
        const name = edgeLabel(retainerEdge[r] as number);
        path = name === '[]' ? `[].${path}` : `${name}.${path}`;
        r = up;
        owner = label(r);
      }
      l = `${owner}.${path.replaceAll('.[]', '[]')} → ${label(i)}`;
    }
    const size = nodes[i * nf + fSize] as number;
    const row = byRet.get(l);
    if (row === undefined) byRet.set(l, { count: 1, bytes: size });
    else {
      row.count++;
      row.bytes += size;
    }
  }
  const rows = (m: Map<string, { count: number; bytes: number }>): HeapBreakdownRow[] =>
    [...m]
      .map(([label, v]) => ({ label, count: v.count, bytes: v.bytes }))
      .sort((a, b) => b.bytes - a.bytes || (a.label < b.label ? -1 : 1))
      .slice(0, top);
  // Retained sizes: the dominator tree over strong edges from the snapshot's root (node 0),
  // by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast Dominance
  // Algorithm", 2001) on a reverse postorder.
  const firstEdge = new Int32Array(count + 1);
  for (let i = 0; i < count; i++)
    firstEdge[i + 1] = (firstEdge[i] as number) + (nodes[i * nf + fEdges] as number);
  const strong = (edge: number): boolean =>
    edgeTypes[edges[edge * ef + eType] as number] !== 'weak';
  const post = new Int32Array(count).fill(-1); // postorder number
  const order = new Int32Array(count); // postorder number → node
  const stack = new Int32Array(count);
  const cursor = new Int32Array(count);
  const seen = new Uint8Array(count);
  let sp = 0;
  let n = 0;
  stack[sp++] = 0;
  seen[0] = 1;
  cursor[0] = firstEdge[0] as number;
  while (sp > 0) {
    const v = stack[sp - 1] as number;
    const c = cursor[v] as number;
    if (c < (firstEdge[v + 1] as number)) {
      cursor[v] = c + 1;
      if (!strong(c)) continue;
      const w = (edges[c * ef + eTo] as number) / nf;
      if (seen[w] === 0) {
        seen[w] = 1;
        cursor[w] = firstEdge[w] as number;
        stack[sp++] = w;
      }
    } else {
      sp--;
      post[v] = n;
      order[n++] = v;
    }
  }
  // Predecessors (reachable ones, over strong edges) in CSR form.
  const predCount = new Int32Array(count + 1);
  for (let v = 0; v < count; v++) {
    if (seen[v] === 0) continue;
    for (let c = firstEdge[v] as number; c < (firstEdge[v + 1] as number); c++)
      if (strong(c)) (predCount[(edges[c * ef + eTo] as number) / nf + 1] as number)++;
  }
  for (let v = 0; v < count; v++)
    predCount[v + 1] = (predCount[v + 1] as number) + (predCount[v] as number);
  const preds = new Int32Array(predCount[count] as number);
  const fill = predCount.slice(0, count);
  for (let v = 0; v < count; v++) {
    if (seen[v] === 0) continue;
    for (let c = firstEdge[v] as number; c < (firstEdge[v + 1] as number); c++) {
      if (!strong(c)) continue;
      const w = (edges[c * ef + eTo] as number) / nf;
      preds[fill[w] as number] = v;
      fill[w] = (fill[w] as number) + 1;
    }
  }
  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = n - 2; k >= 0; k--) {
      const b = order[k] as number;
      let d = -1;
      for (let q = predCount[b] as number; q < (predCount[b + 1] as number); q++) {
        const p = preds[q] as number;
        if (idom[p] === -1) continue;
        if (d === -1) d = p;
        else {
          let x = p;
          let y = d;
          while (x !== y) {
            while ((post[x] as number) < (post[y] as number)) x = idom[x] as number;
            while ((post[y] as number) < (post[x] as number)) y = idom[y] as number;
          }
          d = x;
        }
      }
      if (d !== -1 && idom[b] !== d) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  const retainedSize = new Float64Array(count);
  for (let k = 0; k < n; k++) {
    const v = order[k] as number;
    retainedSize[v] = (retainedSize[v] as number) + (nodes[v * nf + fSize] as number);
    if (v !== 0) {
      const d = idom[v] as number;
      retainedSize[d] = (retainedSize[d] as number) + (retainedSize[v] as number);
    }
  }
  const byRetained = new Map<string, { count: number; bytes: number }>();
  for (let k = 0; k < n; k++) {
    const v = order[k] as number;
    const l = label(v);
    // Skip an instance inside another of its class (it is counted there).
    let d = idom[v] as number;
    let inside = false;
    while (d !== 0 && d !== -1) {
      if (label(d) === l) {
        inside = true;
        break;
      }
      d = idom[d] as number;
    }
    if (inside) continue;
    const row = byRetained.get(l);
    if (row === undefined) byRetained.set(l, { count: 1, bytes: retainedSize[v] as number });
    else {
      row.count++;
      row.bytes += retainedSize[v] as number;
    }
  }
  return {
    byConstructor: rows(byCtor),
    byRetainer: rows(byRet),
    retained: rows(byRetained).filter((r) => !r.label.startsWith('synthetic')),
    totalBytes: total,
  };
}

/** Runs one child per topology and prints the per-router heap (and the breakdown when asked). */
export function heapSection(breakdown: boolean, topologies = HEAP_TOPOLOGIES): void {
  process.stdout.write(
    '\nIdle heap per router (seed 1, --until converged, signatures on; heapUsed + arrayBuffers after\n' +
      'GC minus the empty process with the modules loaded, divided by the nodes)\n',
  );
  for (const topology of topologies) {
    const snapshotPath = breakdown
      ? join(
          tmpdir(),
          `pinelab-heap-${process.pid}-${topology.replace(/[^a-z0-9]/gi, '_')}.heapsnapshot`,
        )
      : null;
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=16384',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--heap-child',
        topology,
        snapshotPath ?? '',
      ],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    let f: HeapFigures;
    try {
      f = JSON.parse(line) as HeapFigures;
    } catch {
      process.stdout.write(
        `  ${topology}: failed: ${(child.stderr || '').trim().split('\n').pop() ?? ''}\n`,
      );
      continue;
    }
    process.stdout.write(
      `  ${topology}: ${(f.perRouterBytes / 1024).toFixed(2)} KB per router ` +
        `(${f.nodes.toLocaleString('en-US')} nodes, heap ${(f.heapBytes / 2 ** 20).toFixed(1)} MB, ` +
        `baseline ${(f.baselineBytes / 2 ** 20).toFixed(1)} MB, ` +
        `${f.converged ? 'converged' : 'not converged'} at ${f.virtualSeconds} s, trace ${f.traceHash})\n`,
    );
    if (f.snapshot !== null) {
      const b = heapBreakdown(f.snapshot);
      const per = (bytes: number): string => (bytes / f.nodes).toFixed(0).padStart(6);
      process.stdout.write(
        `    snapshot: ${(b.totalBytes / 2 ** 20).toFixed(1)} MB; bytes per router by constructor:\n`,
      );
      for (const r of b.byConstructor)
        process.stdout.write(
          `    ${per(r.bytes)} B  ${(r.count / f.nodes).toFixed(2).padStart(7)} ×  ${r.label}\n`,
        );
      process.stdout.write('    retained bytes per router by constructor (dominator tree):\n');
      for (const r of b.retained)
        process.stdout.write(
          `    ${per(r.bytes)} B  ${(r.count / f.nodes).toFixed(2).padStart(7)} ×  ${r.label}\n`,
        );
      process.stdout.write('    bytes per router by first retainer (class.field → object):\n');
      for (const r of b.byRetainer)
        process.stdout.write(
          `    ${per(r.bytes)} B  ${(r.count / f.nodes).toFixed(2).padStart(7)} ×  ${r.label}\n`,
        );
      rmSync(f.snapshot, { force: true });
    }
  }
}

if (process.argv[2] === '--heap-child') {
  const snapshot = process.argv[4] ?? '';
  await heapChild(process.argv[3] ?? '', snapshot === '' ? null : snapshot);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const only = args.filter((a) => !a.startsWith('--'));
  heapSection(args.includes('--breakdown'), only.length > 0 ? only : HEAP_TOPOLOGIES);
}
