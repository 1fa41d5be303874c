/**
 * topologies/bench.ts — time loading (and stats of) the real topologies, if ../shared exists,
 * plus two large generated ones. Used by scripts/bench.ts; runnable alone:
 *   node --import tsx topologies/bench.ts
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveTopology } from './index.ts';
import { topologyStats } from './stats.ts';

const SHARED = fileURLToPath(new URL('../../shared/topologies/', import.meta.url));

export interface TopologyBench {
  name: string;
  ms: number;
  nodes: number;
  links: number;
}

function time(name: string, f: () => { nodes: number; links: number }): TopologyBench {
  const t0 = process.hrtime.bigint();
  const r = f();
  return { name, ms: Number(process.hrtime.bigint() - t0) / 1e6, ...r };
}

export function benchTopologies(): TopologyBench[] {
  const out: TopologyBench[] = [];
  const load = (spec: string) => {
    const t = resolveTopology(spec, { seed: 'bench' });
    return { nodes: t.graph.order, links: t.graph.size, graph: t.graph };
  };
  const files = ['fc00.txt', 'yggdrasil.txt', 'sim-skitter.txt'];
  for (const f of existsSync(SHARED) ? files : []) {
    out.push(time(`load ${f}`, () => load(`${SHARED}${f}`)));
    out.push(
      time(`load+stats ${f}`, () => {
        const { graph } = load(`${SHARED}${f}`);
        const s = topologyStats(graph, { seed: 'bench' });
        return { nodes: s.nodes, links: s.links };
      }),
    );
  }
  out.push(time('generate ba:100000,m=2', () => load('ba:100000,m=2')));
  out.push(time('generate geo:100000,r=0.006', () => load('geo:100000,r=0.006')));
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of benchTopologies()) {
    process.stdout.write(
      `${r.name.padEnd(36)} ${r.ms.toFixed(1).padStart(9)} ms  ${r.nodes} nodes  ${r.links} links\n`,
    );
  }
}
