/**
 * scenarios/runner.ts — play a Scenario against a running simulation through HostApi only.
 *
 * Every action is scheduled with HostApi.at at its virtual time; random processes (churn,
 * mobility, sampled traffic, adversaries with the random rule) draw from their own named seeded
 * stream, so adding an action never changes the numbers another one sees. Draw order follows event
 * order, which is deterministic, so a rerun is bit-identical.
 *
 * The runner keeps a mirror of the links it knows (from HostApi.links() at start, then updated by
 * its own actions) so that node churn, partitions and mobility can restore exactly what they took
 * away without an O(links) scan per event.
 */
import type { RoutingMode } from '../results/schema.ts';
import type { Micros } from '../router/types.ts';
import type { FrameFilter, HostApi, LinkProps } from '../sim/host-api.ts';
import type {
  Action,
  AdversaryAction,
  ChurnAction,
  Distribution,
  DropClass,
  DropRates,
  MobilityAction,
  ProbeMode,
  Scenario,
  TrafficAction,
} from './types.ts';

/** A seeded stream: uniform in [0, 1). sim/rng.ts RandomStream satisfies it. */
export interface Rng {
  next(): number;
}
export type RandomFactory = (name: string) => Rng;

/** What the runner tells the measurement side (results/collector.ts implements it). */
export interface ScenarioCollector {
  /** Called once before anything runs (install listeners, schedule sampling). */
  attach(host: HostApi, scenario: Scenario): void;
  /** A scenario action changed the topology (for convergence-after-change metrics). */
  topologyChanged(label: string): void;
  /** Count a frame seen by the filter (control overhead); return value ignored. */
  countFrame?(node: string, peer: string, frameType: number, direction: 'in' | 'out'): void;
  /** Positions of mobile nodes, for snapshots. */
  setPosition(node: string, x: number, y: number): void;
  snapshot(label: string | null): void;
  /** Stretch measurement with real probes. */
  measureStretch(modes: readonly RoutingMode[], exactUpTo: number, sample: number, rng: Rng): void;
  /** One application probe (traffic actions). */
  sendTraffic(source: string, destination: string, mode: ProbeMode): void;
  /** The scenario's duration is over: final measurements; returns when the run may stop. */
  finish(): void;
}

/** Sample a duration (integer µs, at least 1 so processes always advance). */
export function sample(d: Distribution, rng: Rng): Micros {
  let v: number;
  switch (d.kind) {
    case 'fixed':
      v = d.value;
      break;
    case 'exponential':
      v = -d.mean * Math.log(1 - rng.next());
      break;
    case 'uniform':
      v = d.min + (d.max - d.min) * rng.next();
      break;
    case 'pareto':
      v = d.scale / (1 - rng.next()) ** (1 / d.shape);
      break;
  }
  return Math.max(1, Math.round(v));
}

const CLASS_OF_FRAME: readonly DropClass[] = [
  'keepalive',
  'announcement',
  'bootstrap',
  'traffic',
  'wakeup',
];

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * pineconesim's deterministic drop rule (simulator/adversary/drop_packets.go): a rate r % is reduced
 * by g = gcd(r, 100) to "drop the first r/g of every 100/g frames". Fractions are rounded to whole
 * percent like the original's integer percentages. Returns [drop, of].
 */
export function counterRule(fraction: number): readonly [number, number] {
  const pct = Math.round(fraction * 100);
  if (pct <= 0) return [0, 1];
  const g = gcd(pct, 100);
  return [pct / g, 100 / g];
}

/** Per (adversary, peer) counters: one overall, one per frame class. */
class DropCounters {
  readonly counts = new Int32Array(CLASS_OF_FRAME.length + 1);
}

class Adversary {
  readonly action: AdversaryAction;
  readonly rng: Rng;
  private readonly counters = new Map<string, DropCounters>();
  constructor(action: AdversaryAction, rng: Rng) {
    this.action = action;
    this.rng = rng;
  }
  rates(peer: string): DropRates {
    return this.action.peers[peer] ?? this.action.drop;
  }
  /** Decide for one frame between this adversary and `peer`. */
  drop(peer: string, frameType: number): boolean {
    const rates = this.rates(peer);
    const cls = CLASS_OF_FRAME[frameType];
    const overall = rates.overall ?? 0;
    const typed = cls === undefined ? 0 : (rates[cls] ?? 0);
    if (overall === 0 && typed === 0) return false;
    if (this.action.rule === 'random') {
      // Two draws always, so the stream position does not depend on the rates.
      const a = this.rng.next();
      const b = this.rng.next();
      return a < overall || b < typed;
    }
    let c = this.counters.get(peer);
    if (c === undefined) {
      c = new DropCounters();
      this.counters.set(peer, c);
    }
    let dropped = false;
    const [on, od] = counterRule(overall);
    const k0 = c.counts[0] as number;
    c.counts[0] = (k0 + 1) % od;
    if (k0 < on) dropped = true;
    if (cls !== undefined) {
      const slot = frameType + 1;
      const [tn, td] = counterRule(typed);
      const k = c.counts[slot] as number;
      c.counts[slot] = (k + 1) % td;
      if (k < tn) dropped = true;
    }
    return dropped;
  }
}

const linkKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** The links the runner knows about, with the properties it set on them. */
class LinkMirror {
  readonly adj = new Map<string, Set<string>>();
  readonly props = new Map<string, Partial<LinkProps>>();
  add(a: string, b: string): void {
    this.nbrs(a).add(b);
    this.nbrs(b).add(a);
  }
  remove(a: string, b: string): void {
    this.adj.get(a)?.delete(b);
    this.adj.get(b)?.delete(a);
  }
  has(a: string, b: string): boolean {
    return this.adj.get(a)?.has(b) ?? false;
  }
  nbrs(n: string): Set<string> {
    let s = this.adj.get(n);
    if (s === undefined) {
      s = new Set();
      this.adj.set(n, s);
    }
    return s;
  }
  /** Every known link once, [a, b] with a < b, sorted. */
  list(): [string, string][] {
    const out: [string, string][] = [];
    for (const [a, s] of this.adj) for (const b of s) if (a < b) out.push([a, b]);
    out.sort((x, y) =>
      x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0,
    );
    return out;
  }
}

/**
 * Run `scenario` on `host`: schedule every action, run to the scenario's duration, then let the
 * collector take its final measurements (which may run the simulation a little longer).
 */
export function runScenario(
  scenario: Scenario,
  host: HostApi,
  collector: ScenarioCollector,
  random: RandomFactory,
  initialLinks?: readonly (readonly [string, string])[],
): void {
  const r = new ScenarioRun(scenario, host, collector, random);
  r.start(initialLinks ?? host.links());
  host.runUntil(scenario.duration);
  collector.finish();
}

class ScenarioRun {
  readonly scenario: Scenario;
  readonly host: HostApi;
  readonly collector: ScenarioCollector;
  readonly random: RandomFactory;
  readonly mirror = new LinkMirror();
  /** Links cut by partitions and not yet healed. */
  private cut: [string, string][] = [];
  /** Active adversaries by node name. */
  private readonly adversaries = new Map<string, Adversary>();
  private filterInstalled = false;

  constructor(
    scenario: Scenario,
    host: HostApi,
    collector: ScenarioCollector,
    random: RandomFactory,
  ) {
    this.scenario = scenario;
    this.host = host;
    this.collector = collector;
    this.random = random;
  }

  /**
   * `links`: the topology's links. At time 0 the host may not have connected them yet (nodes start
   * over a spread), so the caller passes the topology's edge list rather than HostApi.links().
   */
  start(links: readonly (readonly [string, string])[]): void {
    for (const [a, b] of links) this.mirror.add(a, b);
    this.collector.attach(this.host, this.scenario);
    if (this.collector.countFrame) this.installFilter();
    this.scenario.actions.forEach((a, i) => {
      this.host.at(a.at, () => this.execute(a, i));
    });
  }

  private get end(): Micros {
    return this.scenario.duration;
  }

  // --- topology primitives (keep the mirror in step) ---------------------------------------

  addLink(a: string, b: string, props?: Partial<LinkProps>): boolean {
    if (!this.host.hasNode(a) || !this.host.hasNode(b) || this.mirror.has(a, b)) return false;
    const p = props ?? this.mirror.props.get(linkKey(a, b));
    if (props !== undefined && Object.keys(props).length > 0)
      this.mirror.props.set(linkKey(a, b), props);
    const ok =
      p === undefined || Object.keys(p).length === 0
        ? this.host.addLink(a, b)
        : this.host.addLink(a, b, p);
    if (ok) this.mirror.add(a, b);
    return ok;
  }

  removeLink(a: string, b: string): boolean {
    if (!this.mirror.has(a, b)) return false;
    this.mirror.remove(a, b);
    if (!this.host.hasNode(a) || !this.host.hasNode(b)) return true;
    try {
      this.host.removeLink(a, b);
    } catch {
      // The router closed it meanwhile (keepalive timeout, bad frame: PROTOCOL.md §4.4).
      return false;
    }
    return true;
  }

  /** setLink on a link the router may have closed meanwhile (then there is nothing to set). */
  trySetLink(a: string, b: string, props: Partial<LinkProps>): void {
    try {
      this.host.setLink(a, b, props);
    } catch {
      // closed underneath: the mirror keeps the props for when it comes back
    }
  }

  removeNode(n: string): string[] {
    if (!this.host.hasNode(n)) return [];
    const peers = [...this.mirror.nbrs(n)].sort();
    for (const p of peers) this.mirror.remove(n, p);
    this.host.removeNode(n);
    return peers;
  }

  addNode(n: string): boolean {
    if (this.host.hasNode(n)) return false;
    this.host.addNode(n);
    return true;
  }

  changed(label: string): void {
    this.collector.topologyChanged(label);
  }

  // --- actions ------------------------------------------------------------------------------

  execute(a: Action, i: number): void {
    switch (a.type) {
      case 'add-node':
        if (this.addNode(a.node)) {
          for (const l of a.links) this.addLink(a.node, l.peer, l.props);
          this.changed(`add-node ${a.node}`);
        }
        return;
      case 'remove-node':
        if (this.host.hasNode(a.node)) {
          this.removeNode(a.node);
          this.changed(`remove-node ${a.node}`);
        }
        return;
      case 'add-link':
        if (this.addLink(a.a, a.b, a.props)) this.changed(`add-link ${a.a} ${a.b}`);
        return;
      case 'remove-link':
        if (this.removeLink(a.a, a.b)) this.changed(`remove-link ${a.a} ${a.b}`);
        return;
      case 'set-link': {
        const k = linkKey(a.a, a.b);
        this.mirror.props.set(k, { ...this.mirror.props.get(k), ...a.props });
        if (this.mirror.has(a.a, a.b)) this.trySetLink(a.a, a.b, a.props);
        return;
      }
      case 'flap':
        for (let k = 0; k < a.count; k++) {
          const down = a.at + k * a.period;
          this.host.at(down, () => {
            if (this.removeLink(a.a, a.b)) this.changed(`flap down ${a.a} ${a.b}`);
          });
          this.host.at(down + a.down, () => {
            if (this.addLink(a.a, a.b)) this.changed(`flap up ${a.a} ${a.b}`);
          });
        }
        return;
      case 'churn':
        this.churn(a);
        return;
      case 'partition':
        this.partition(a.groups, a.cut);
        if (a.until !== null) this.host.at(a.until, () => this.heal());
        return;
      case 'heal':
        this.heal();
        return;
      case 'mobility':
        this.mobility(a);
        return;
      case 'adversary':
        this.adversary(a);
        return;
      case 'traffic':
        this.traffic(a);
        return;
      case 'snapshot':
        this.collector.snapshot(a.label);
        return;
      case 'stretch':
        this.collector.measureStretch(a.modes, a.exactUpTo, a.sample, this.random(a.stream));
        return;
      default: {
        const never: never = a;
        throw new Error(`unhandled action ${String(never)} #${i}`);
      }
    }
  }

  private churn(a: ChurnAction): void {
    const rng = this.random(a.stream);
    const until = a.until ?? this.end;
    const excluded = new Set(a.exclude);
    if (a.target === 'node') {
      const nodes = (a.nodes ?? this.host.nodeNames()).filter((n) => !excluded.has(n));
      for (const n of nodes) {
        const fail = (): void => {
          if (this.host.now > until) return;
          if (!this.host.hasNode(n)) {
            // Removed by another action meanwhile: try again after another session.
            this.host.at(this.host.now + sample(a.session, rng), fail);
            return;
          }
          const peers = this.removeNode(n);
          this.changed(`churn down ${n}`);
          this.host.at(this.host.now + sample(a.downtime, rng), () => {
            if (this.addNode(n)) {
              for (const p of peers) this.addLink(n, p);
              this.changed(`churn up ${n}`);
            }
            this.host.at(this.host.now + sample(a.session, rng), fail);
          });
        };
        this.host.at(a.at + sample(a.session, rng), fail);
      }
    } else {
      const only = a.nodes === null ? null : new Set(a.nodes);
      const links = this.mirror
        .list()
        .filter(
          ([x, y]) =>
            !excluded.has(x) && !excluded.has(y) && (only === null || only.has(x) || only.has(y)),
        );
      for (const [x, y] of links) {
        const fail = (): void => {
          if (this.host.now > until) return;
          if (this.removeLink(x, y)) this.changed(`churn down ${x} ${y}`);
          this.host.at(this.host.now + sample(a.downtime, rng), () => {
            if (this.addLink(x, y)) this.changed(`churn up ${x} ${y}`);
            this.host.at(this.host.now + sample(a.session, rng), fail);
          });
        };
        this.host.at(a.at + sample(a.session, rng), fail);
      }
    }
  }

  private partition(
    groups: readonly (readonly string[])[] | null,
    cut: readonly (readonly [string, string])[] | null,
  ): void {
    let toCut: [string, string][];
    if (groups !== null) {
      const groupOf = new Map<string, number>();
      groups.forEach((g, k) => {
        for (const n of g) groupOf.set(n, k);
      });
      const rest = groups.length; // nodes in no group form one more group
      toCut = this.mirror
        .list()
        .filter(([x, y]) => (groupOf.get(x) ?? rest) !== (groupOf.get(y) ?? rest));
    } else {
      toCut = (cut ?? []).map(([x, y]) => (x < y ? [x, y] : [y, x]) as [string, string]);
    }
    let n = 0;
    for (const [x, y] of toCut)
      if (this.removeLink(x, y)) {
        this.cut.push([x, y]);
        n++;
      }
    if (n > 0) this.changed(`partition (${n} links cut)`);
  }

  private heal(): void {
    const cut = this.cut;
    this.cut = [];
    let n = 0;
    for (const [x, y] of cut) if (this.addLink(x, y)) n++;
    if (n > 0) this.changed(`heal (${n} links restored)`);
  }

  // --- mobility -------------------------------------------------------------------------------

  /** Unit-disc reconciliation among `nodes`: link pairs within `radius`, unlink the others. */
  private reconcile(
    nodes: readonly string[],
    pos: Map<string, [number, number]>,
    radius: number,
  ): void {
    const present = nodes.filter((n) => this.host.hasNode(n) && pos.has(n));
    const inSet = new Set(present);
    const r2 = radius * radius;
    // Grid of cells of side `radius`: only neighbouring cells can hold peers in range.
    const cells = new Map<string, string[]>();
    for (const n of present) {
      const [x, y] = pos.get(n) as [number, number];
      const key = `${Math.floor(x / radius)},${Math.floor(y / radius)}`;
      const c = cells.get(key);
      if (c) c.push(n);
      else cells.set(key, [n]);
    }
    let changes = 0;
    const want = new Set<string>();
    for (const n of present) {
      const [x, y] = pos.get(n) as [number, number];
      const cx = Math.floor(x / radius);
      const cy = Math.floor(y / radius);
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (const m of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
            if (m <= n) continue;
            const [mx, my] = pos.get(m) as [number, number];
            if ((mx - x) ** 2 + (my - y) ** 2 <= r2) want.add(linkKey(n, m));
          }
    }
    // Remove links between mobile nodes that are now out of range (sorted: deterministic).
    for (const n of [...present].sort())
      for (const m of [...this.mirror.nbrs(n)].sort())
        if (n < m && inSet.has(m) && !want.has(linkKey(n, m)) && this.removeLink(n, m)) changes++;
    for (const k of [...want].sort()) {
      const [a, b] = k.split('\u0000') as [string, string];
      if (!this.mirror.has(a, b) && this.addLink(a, b)) changes++;
    }
    if (changes > 0) this.changed(`mobility (${changes} link changes)`);
  }

  private mobility(a: MobilityAction): void {
    const pos = new Map<string, [number, number]>();
    if (a.model === 'trace') {
      const nodes = [...new Set(a.points.map((p) => p.node))];
      let k = 0;
      while (k < a.points.length) {
        const t = (a.points[k] as { time: Micros }).time;
        let j = k;
        while (j < a.points.length && (a.points[j] as { time: Micros }).time === t) j++;
        const batch = a.points.slice(k, j);
        this.host.at(a.at + t, () => {
          for (const p of batch) {
            pos.set(p.node, [p.x, p.y]);
            this.collector.setPosition(p.node, p.x, p.y);
          }
          this.reconcile(nodes, pos, a.radius);
        });
        k = j;
      }
      return;
    }
    const rng = this.random(a.stream);
    const nodes = [...(a.nodes ?? this.host.nodeNames())];
    const [w, h] = a.area;
    interface Walker {
      x: number;
      y: number;
      tx: number;
      ty: number;
      speed: number;
      pausedUntil: Micros;
    }
    const walkers = new Map<string, Walker>();
    const speed = (): number => a.speed[0] + (a.speed[1] - a.speed[0]) * rng.next();
    for (const n of nodes) {
      const x = rng.next() * w;
      const y = rng.next() * h;
      walkers.set(n, {
        x,
        y,
        tx: rng.next() * w,
        ty: rng.next() * h,
        speed: speed(),
        pausedUntil: 0,
      });
    }
    const publish = (): void => {
      for (const [n, wk] of walkers) {
        pos.set(n, [wk.x, wk.y]);
        this.collector.setPosition(n, wk.x, wk.y);
      }
    };
    publish();
    this.reconcile(nodes, pos, a.radius);
    const until = a.until ?? this.end;
    const step = (): void => {
      const now = this.host.now;
      const dt = a.interval / 1_000_000;
      for (const wk of walkers.values()) {
        if (wk.pausedUntil > now) continue;
        let budget = wk.speed * dt;
        const dx = wk.tx - wk.x;
        const dy = wk.ty - wk.y;
        const dist = Math.hypot(dx, dy);
        if (dist <= budget) {
          wk.x = wk.tx;
          wk.y = wk.ty;
          budget = 0;
          // Arrived: pause, then a new waypoint and speed (random waypoint model).
          wk.pausedUntil = now + a.pause;
          wk.tx = rng.next() * w;
          wk.ty = rng.next() * h;
          wk.speed = speed();
        } else {
          wk.x += (dx / dist) * budget;
          wk.y += (dy / dist) * budget;
        }
      }
      publish();
      this.reconcile(nodes, pos, a.radius);
      if (now + a.interval <= until) this.host.at(now + a.interval, step);
    };
    if (a.at + a.interval <= until) this.host.at(a.at + a.interval, step);
  }

  // --- adversaries ----------------------------------------------------------------------------

  private installFilter(): void {
    if (this.filterInstalled) return;
    this.filterInstalled = true;
    const count = this.collector.countFrame?.bind(this.collector);
    const filter: FrameFilter = (node, peer, frameType, direction) => {
      if (count) count(node, peer, frameType, direction);
      if (this.adversaries.size === 0) return false;
      const adv = this.adversaries.get(node);
      if (adv === undefined) return false;
      const d = adv.action.direction;
      if (d !== 'both' && d !== direction) return false;
      return adv.drop(peer, frameType);
    };
    this.host.setFilter(filter);
  }

  private adversary(a: AdversaryAction): void {
    this.adversaries.set(a.node, new Adversary(a, this.random(a.stream)));
    this.installFilter();
    const base = this.scenario.links.latency ?? 0;
    const setDelay = (extra: Micros): void => {
      for (const p of [...this.mirror.nbrs(a.node)].sort()) {
        const lat = (this.mirror.props.get(linkKey(a.node, p))?.latency ?? base) + extra;
        this.trySetLink(a.node, p, { latency: lat });
      }
    };
    if (a.delay > 0) setDelay(a.delay);
    if (a.until !== null)
      this.host.at(a.until, () => {
        if (this.adversaries.get(a.node)?.action === a) this.adversaries.delete(a.node);
        if (a.delay > 0) setDelay(0);
      });
  }

  // --- traffic --------------------------------------------------------------------------------

  private traffic(a: TrafficAction): void {
    switch (a.kind) {
      case 'ping':
        for (let k = 0; k < a.count; k++)
          this.host.at(a.at + k * a.interval, () => {
            for (const [s, d] of a.pairs) this.collector.sendTraffic(s, d, a.mode);
          });
        return;
      case 'all-pairs':
      case 'sample': {
        const nodes = [...this.host.nodeNames()];
        if (a.kind === 'all-pairs') {
          for (const s of nodes)
            for (const d of nodes) if (s !== d) this.collector.sendTraffic(s, d, a.mode);
          return;
        }
        if (nodes.length < 2) return;
        const rng = this.random(a.stream);
        for (let k = 0; k < a.sample; k++) {
          const s = nodes[Math.floor(rng.next() * nodes.length)] as string;
          let d = s;
          while (d === s) d = nodes[Math.floor(rng.next() * nodes.length)] as string;
          this.collector.sendTraffic(s, d, a.mode);
        }
        return;
      }
      case 'flow': {
        const gap = Math.max(1, Math.round(1_000_000 / a.rate));
        const until = a.until ?? this.end;
        const tick = (): void => {
          this.collector.sendTraffic(a.source, a.destination, a.mode);
          if (this.host.now + gap <= until) this.host.at(this.host.now + gap, tick);
        };
        tick();
        return;
      }
    }
  }
}
