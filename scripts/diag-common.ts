/**
 * scripts/diag-common.ts — what the snake diagnostics (diag-stuck, diag-flicker) share: a run with
 * the `pinelab run` defaults and its routers, and each node's place in its component's key order.
 */
import { type RunConfig, Simulation } from '../cli/run.ts';
import { NO_PORT } from '../router/decisions/links.ts';
import { compareKeys } from '../router/keys.ts';
import type { Router } from '../router/router.ts';
import type { SnakeEntry } from '../router/snake.ts';
import type { Micros, Port, PublicKey } from '../router/types.ts';
import type { Host } from '../sim/host.ts';

export interface DiagRun {
  readonly sim: Simulation;
  readonly host: Host;
  readonly n: number;
  readonly routers: readonly Router[];
  /** Node index of a key, undefined for a key no node has. */
  nodeOf(key: PublicKey): number | undefined;
}

/** `more`: other `pinelab run` settings (links, start spread…) over the defaults. */
export function openRun(
  topology: string,
  seed: string,
  until: Micros,
  more: Partial<RunConfig> = {},
): DiagRun {
  const sim = new Simulation({ ...more, topology, seed, until });
  const host = sim.host;
  const n = host.nodeCount;
  const routers: Router[] = [];
  for (let i = 0; i < n; i++) routers.push(host.routerAt(i) as Router);
  const index = new Map<string, number>();
  const hex = (k: PublicKey): string => Buffer.from(k).toString('hex');
  for (let i = 0; i < n; i++) index.set(hex(host.keyAt(i)), i);
  return { sim, host, n, routers, nodeOf: (k) => index.get(hex(k)) };
}

/**
 * Connected components over the up links now (refused links leave isolated nodes), and per node
 * its rank in its component's key order and its true predecessor there (−1: the smallest key).
 */
export function keyOrder(run: DiagRun): {
  components: number;
  rank: Int32Array;
  pred: Int32Array;
} {
  const { n, host, routers } = run;
  const comp = new Int32Array(n).fill(-1);
  const rank = new Int32Array(n);
  const pred = new Int32Array(n).fill(-1);
  let c = 0;
  for (let start = 0; start < n; start++) {
    if (comp[start] !== -1) continue;
    const members = [start];
    comp[start] = c;
    for (let k = 0; k < members.length; k++) {
      const v = members[k] as number;
      for (const l of (routers[v] as Router).peers.links) {
        const w = host.peerAt(v, l.port);
        if (l.up && w >= 0 && comp[w] === -1) {
          comp[w] = c;
          members.push(w);
        }
      }
    }
    members.sort((a, b) => compareKeys(host.keyAt(a), host.keyAt(b)));
    members.forEach((v, k) => {
      rank[v] = k;
      if (k > 0) pred[v] = members[k - 1] as number;
    });
    c++;
  }
  return { components: c, rank, pred };
}

/**
 * What a node did with a bootstrap (sequence `seq`, arrived on `port`), read from its table entry
 * for the key just after handling it (§6.5): D dropped before installing (steps 2–5), A arrived
 * (dead end, step 8), L dropped because the next hop is the arrival link (step 9), f forwarded or
 * dropped by the watermark check (step 9; only the next node's silence tells them apart).
 */
export function bootstrapOutcome(entry: SnakeEntry | null, seq: number, port: Port): string {
  if (entry === null || entry.seq !== seq) return 'D';
  if (entry.destinationPort === NO_PORT) return 'A';
  return entry.destinationPort === port ? 'L' : 'f';
}
