/**
 * scenarios/fake-host.ts — a tiny in-memory HostApi for tests of the runner and the collector:
 * named nodes and links, an exact (time, insertion) ordered action queue, probes delivered at once
 * along a BFS shortest path, and views of a "perfect" converged network (root = greatest key,
 * tree = BFS tree, descending = true predecessor). No routers; only the contract. Like the real
 * host it keeps the intended peerings: a returning node gets its links back (at once here; the
 * real host re-dials, sim/peering.ts).
 */

import { InputError } from '../base/index.ts';
import type { Micros, RouterView } from '../router/types.ts';
import type {
  FrameFilter,
  HostApi,
  LinkProps,
  ProbeRoute,
  TrafficOutcome,
} from '../sim/host-api.ts';

export class FakeHost implements HostApi {
  now: Micros = 0;
  readonly log: string[] = [];
  filter: FrameFilter | null = null;
  private readonly nodes: string[] = [];
  private readonly adj = new Map<string, Set<string>>();
  readonly props = new Map<string, Partial<LinkProps>>();
  private queue: { t: Micros; seq: number; fn: () => void }[] = [];
  private seq = 0;
  private readonly traffic: ((o: TrafficOutcome) => void)[] = [];
  /** Intended peerings by pair key "a|b" (a < b). */
  private readonly intended = new Map<string, readonly [string, string]>();

  constructor(nodes: readonly string[], links: readonly (readonly [string, string])[]) {
    for (const n of nodes) this.addNodeQuiet(n);
    for (const [a, b] of links) {
      this.intended.set(pair(a, b), a < b ? [a, b] : [b, a]);
      this.link(a, b);
    }
  }
  private addNodeQuiet(n: string): void {
    this.nodes.push(n);
    this.adj.set(n, new Set());
  }
  private link(a: string, b: string): void {
    this.adj.get(a)?.add(b);
    this.adj.get(b)?.add(a);
  }
  nodeNames(): readonly string[] {
    return this.nodes;
  }
  hasNode(name: string): boolean {
    return this.adj.has(name);
  }
  addNode(name: string): void {
    if (this.adj.has(name)) throw new Error(`exists ${name}`);
    this.addNodeQuiet(name);
    this.log.push(`${this.now} +node ${name}`);
    for (const [a, b] of this.peerings(name)) {
      if (!this.adj.has(a) || !this.adj.has(b)) continue;
      this.link(a, b);
      this.log.push(`${this.now} +link ${a} ${b}`);
    }
  }
  removeNode(name: string): void {
    for (const p of this.adj.get(name) ?? []) this.adj.get(p)?.delete(name);
    this.adj.delete(name);
    this.nodes.splice(this.nodes.indexOf(name), 1);
    this.log.push(`${this.now} -node ${name}`);
  }
  addLink(a: string, b: string, props?: Partial<LinkProps>): boolean {
    if (this.intended.has(pair(a, b))) return false;
    this.intended.set(pair(a, b), a < b ? [a, b] : [b, a]);
    if (props && Object.keys(props).length > 0) this.props.set(pair(a, b), props);
    if (!this.adj.has(a) || !this.adj.has(b)) return true;
    this.link(a, b);
    this.log.push(`${this.now} +link ${a < b ? `${a} ${b}` : `${b} ${a}`}`);
    return true;
  }
  removeLink(a: string, b: string): void {
    if (!this.intended.delete(pair(a, b))) throw new InputError(`there is no link ${a}–${b}`);
    if (!this.adj.get(a)?.has(b)) return;
    this.adj.get(a)?.delete(b);
    this.adj.get(b)?.delete(a);
    this.log.push(`${this.now} -link ${a < b ? `${a} ${b}` : `${b} ${a}`}`);
  }
  setLink(a: string, b: string, props: Partial<LinkProps>): void {
    if (!this.intended.has(pair(a, b))) throw new InputError(`there is no link ${a}–${b}`);
    this.props.set(pair(a, b), { ...this.props.get(pair(a, b)), ...props });
    this.log.push(`${this.now} set ${a < b ? `${a} ${b}` : `${b} ${a}`} ${JSON.stringify(props)}`);
  }
  peerings(node?: string): readonly (readonly [string, string])[] {
    return [...this.intended.values()]
      .filter(([a, b]) => node === undefined || a === node || b === node)
      .sort((x, y) => (pair(x[0], x[1]) < pair(y[0], y[1]) ? -1 : 1));
  }
  linkProps(a: string, b: string): LinkProps | null {
    if (!this.intended.has(pair(a, b))) return null;
    return { latency: 1000, jitter: 0, bandwidth: 0, loss: 0, ...this.props.get(pair(a, b)) };
  }
  linksWanted(): number {
    let n = 0;
    for (const [a, b] of this.intended.values()) if (this.adj.has(a) && this.adj.has(b)) n++;
    return n;
  }
  links(): readonly (readonly [string, string])[] {
    const out: [string, string][] = [];
    for (const a of this.nodes) for (const b of this.adj.get(a) ?? []) if (a < b) out.push([a, b]);
    return out;
  }
  private key(name: string): Uint8Array {
    // Keys order like the names (single-byte tags are enough for the fake).
    const k = new Uint8Array(32);
    for (let i = 0; i < Math.min(32, name.length); i++) k[i] = name.charCodeAt(i);
    return k;
  }
  private bfs(src: string): Map<string, string | null> {
    const prev = new Map<string, string | null>([[src, null]]);
    const q = [src];
    while (q.length > 0) {
      const u = q.shift() as string;
      for (const v of [...(this.adj.get(u) ?? [])].sort())
        if (!prev.has(v)) {
          prev.set(v, u);
          q.push(v);
        }
    }
    return prev;
  }
  view(name: string): RouterView {
    const comp = [...this.bfs(name).keys()].sort();
    const root = comp[comp.length - 1] as string;
    const prev = this.bfs(root);
    const path: string[] = [];
    for (let v: string | null = name; v !== null; v = prev.get(v) ?? null) path.unshift(v);
    const portOf = (a: string, b: string) => [...(this.adj.get(a) ?? [])].sort().indexOf(b) + 1;
    const coords = path.slice(1).map((v, i) => portOf(path[i] as string, v));
    const idx = comp.indexOf(name);
    const parent = prev.get(name) ?? null;
    return {
      key: this.key(name),
      rootKey: this.key(root),
      rootSeq: 1,
      parentPort: parent === null ? null : portOf(name, parent),
      parentKey: parent === null ? null : this.key(parent),
      coords,
      descendingKey: idx > 0 ? this.key(comp[idx - 1] as string) : null,
      tableSize: comp.length,
      tableInstalls: 0,
      coordsCacheSize: 0,
      peers: [...(this.adj.get(name) ?? [])]
        .sort()
        .map((p) => ({ port: portOf(name, p), key: this.key(p) })),
    };
  }
  sendProbe(source: string, destination: string, id: number, mode: ProbeRoute): void {
    const prev = this.bfs(source);
    let hops = 0;
    for (let v: string | null = destination; v !== null && v !== source; v = prev.get(v) ?? null)
      hops++;
    const reached = prev.has(destination) ? destination : null;
    // snek probes take one detour hop in the fake so modes differ.
    const extra = mode === 'snek' && hops > 1 ? 1 : 0;
    const at = this.now + 1000;
    this.at(at, () => {
      for (const l of this.traffic)
        l({
          id,
          source,
          destination,
          reached,
          hops: hops + extra,
          dropReason: reached ? null : 'no-route',
          at,
        });
    });
  }
  onTraffic(listener: (o: TrafficOutcome) => void): void {
    this.traffic.push(listener);
  }
  onHop(): void {}
  setFilter(filter: FrameFilter | null): void {
    this.filter = filter;
  }
  at(time: Micros, action: () => void): void {
    this.queue.push({ t: Math.max(time, this.now), seq: this.seq++, fn: action });
  }
  runUntil(until: Micros, stop?: () => boolean): void {
    for (;;) {
      if (stop?.()) return;
      this.queue.sort((x, y) => x.t - y.t || x.seq - y.seq);
      const e = this.queue[0];
      if (e === undefined || e.t > until) break;
      this.queue.shift();
      this.now = e.t;
      e.fn();
    }
    this.now = Math.max(this.now, until);
  }
}

function pair(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
