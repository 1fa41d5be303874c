/**
 * scenarios/runner.ts — play a Scenario against a running simulation through HostApi only.
 *
 * Every action is scheduled with HostApi.at at its virtual time; random processes (churn,
 * mobility, sampled traffic, adversaries with the random rule) draw from their own named seeded
 * stream, so adding an action never changes the numbers another one sees. Draw order follows event
 * order, which is deterministic, so a rerun is bit-identical.
 *
 * The host owns the peerings (sim/peering.ts, issue 16): node churn only takes a node away and
 * brings it back (its peerings are re-dialled by the host), link actions make a peering intended
 * or not, and a re-added link keeps the topology file's attributes. An action on a node or link
 * that is not there is an InputError naming the action (`file: actions[3] remove-link x–y: there
 * is no link x–y`), not a silent no-op; random processes (churn) skip elements another action
 * took away meanwhile.
 */
import type { RoutingMode } from '../results/schema.ts';
import type { Micros } from '../router/types.ts';
import { InputError } from '../sim/errors.ts';
import type { FrameFilter, HostApi } from '../sim/host-api.ts';
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

/** How an action is named in errors: its type and what it acts on. */
function actionLabel(a: Action): string {
  switch (a.type) {
    case 'add-link':
    case 'remove-link':
    case 'set-link':
    case 'flap':
      return `${a.type} ${a.a}–${a.b}`;
    case 'add-node':
    case 'remove-node':
    case 'adversary':
      return `${a.type} ${a.node}`;
    default:
      return a.type;
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
  /** Ignored (older callers): the host owns the peerings now (sim/peering.ts). */
  _initialLinks?: readonly (readonly [string, string])[],
): void {
  const r = new ScenarioRun(scenario, host, collector, random);
  r.start();
  host.runUntil(scenario.duration);
  collector.finish();
}

class ScenarioRun {
  readonly scenario: Scenario;
  readonly host: HostApi;
  readonly collector: ScenarioCollector;
  readonly random: RandomFactory;
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

  start(): void {
    this.collector.attach(this.host, this.scenario);
    if (this.collector.countFrame) this.installFilter();
    this.scenario.actions.forEach((a, i) => {
      this.host.at(
        a.at,
        this.guarded(a, i, () => this.execute(a, i)),
      );
    });
  }

  private get end(): Micros {
    return this.scenario.duration;
  }

  /**
   * `fn` with host input errors (a missing node or link) re-thrown naming the action, as load-time
   * errors do: `file: actions[i] remove-link x–y: there is no link x–y`.
   */
  private guarded(a: Action, i: number, fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (error) {
        if (!(error instanceof InputError) || error.message.startsWith(this.scenario.source))
          throw error;
        throw new InputError(
          `${this.scenario.source}: actions[${i}] ${actionLabel(a)}: ${error.message}`,
        );
      }
    };
  }

  changed(label: string): void {
    this.collector.topologyChanged(label);
  }

  /** The node must be there now (a run-time check: load time knows only the names). */
  private requirePresent(n: string): void {
    if (!this.host.hasNode(n)) throw new InputError(`there is no node ${n} at this time`);
  }

  // --- actions ------------------------------------------------------------------------------

  execute(a: Action, i: number): void {
    switch (a.type) {
      case 'add-node':
        if (this.host.hasNode(a.node)) throw new InputError(`node ${a.node} is there already`);
        this.host.addNode(a.node);
        for (const l of a.links) this.host.addLink(a.node, l.peer, l.props, l.repeer);
        this.changed(`add-node ${a.node}`);
        return;
      case 'remove-node':
        this.requirePresent(a.node);
        this.host.removeNode(a.node);
        this.changed(`remove-node ${a.node}`);
        return;
      case 'add-link':
        if (this.host.addLink(a.a, a.b, a.props, a.repeer)) this.changed(`add-link ${a.a} ${a.b}`);
        return;
      case 'remove-link':
        this.host.removeLink(a.a, a.b);
        this.changed(`remove-link ${a.a} ${a.b}`);
        return;
      case 'set-link':
        this.host.setLink(a.a, a.b, a.props);
        return;
      case 'flap':
        for (let k = 0; k < a.count; k++) {
          const down = a.at + k * a.period;
          this.host.at(
            down,
            this.guarded(a, i, () => {
              this.host.removeLink(a.a, a.b);
              this.changed(`flap down ${a.a} ${a.b}`);
            }),
          );
          this.host.at(
            down + a.down,
            this.guarded(a, i, () => {
              // Added again with the peering's own attributes (the topology file's).
              if (this.host.addLink(a.a, a.b)) this.changed(`flap up ${a.a} ${a.b}`);
            }),
          );
        }
        return;
      case 'churn':
        this.churn(a);
        return;
      case 'partition':
        this.partition(a.groups, a.cut);
        if (a.until !== null)
          this.host.at(
            a.until,
            this.guarded(a, i, () => this.heal()),
          );
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

  /**
   * Churn: node churn takes the node away and brings it back (the host re-dials its peerings,
   * sim/peering.ts); link churn removes the peering and adds it again (same attributes). An element
   * another action took away meanwhile is skipped until its next session.
   */
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
          this.host.removeNode(n);
          this.changed(`churn down ${n}`);
          this.host.at(this.host.now + sample(a.downtime, rng), () => {
            if (!this.host.hasNode(n)) {
              this.host.addNode(n);
              this.changed(`churn up ${n}`);
            }
            this.host.at(this.host.now + sample(a.session, rng), fail);
          });
        };
        this.host.at(a.at + sample(a.session, rng), fail);
      }
    } else {
      const only = a.nodes === null ? null : new Set(a.nodes);
      const links = this.host
        .peerings()
        .filter(
          ([x, y]) =>
            !excluded.has(x) && !excluded.has(y) && (only === null || only.has(x) || only.has(y)),
        );
      for (const [x, y] of links) {
        const fail = (): void => {
          if (this.host.now > until) return;
          const removed = this.isIntended(x, y);
          if (removed) {
            this.host.removeLink(x, y);
            this.changed(`churn down ${x} ${y}`);
          }
          this.host.at(this.host.now + sample(a.downtime, rng), () => {
            if (removed && this.host.addLink(x, y)) this.changed(`churn up ${x} ${y}`);
            this.host.at(this.host.now + sample(a.session, rng), fail);
          });
        };
        this.host.at(a.at + sample(a.session, rng), fail);
      }
    }
  }

  private isIntended(x: string, y: string): boolean {
    for (const [p, q] of this.host.peerings(x)) if ((p === x ? q : p) === y) return true;
    return false;
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
      toCut = this.host
        .peerings()
        .filter(([x, y]) => (groupOf.get(x) ?? rest) !== (groupOf.get(y) ?? rest))
        .map(([x, y]) => [x, y]);
    } else {
      // An explicit cut names links that must be there (else: an error naming the action).
      toCut = (cut ?? []).map(([x, y]) => (x < y ? [x, y] : [y, x]) as [string, string]);
    }
    for (const [x, y] of toCut) {
      this.host.removeLink(x, y);
      this.cut.push([x, y]);
    }
    if (toCut.length > 0) this.changed(`partition (${toCut.length} links cut)`);
  }

  private heal(): void {
    const cut = this.cut;
    this.cut = [];
    let n = 0;
    for (const [x, y] of cut) if (this.host.addLink(x, y)) n++;
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
    // Peerings between mobile nodes that are now out of range end (sorted: deterministic). The
    // host severs a discovery link: frames stop, the routers' read deadline closes it (§4.3).
    const have = new Set<string>();
    for (const n of [...present].sort())
      for (const [x, y] of this.host.peerings(n)) {
        const m = x === n ? y : x;
        if (n >= m || !inSet.has(m)) continue;
        const k = linkKey(n, m);
        if (want.has(k)) have.add(k);
        else {
          this.host.removeLink(n, m);
          changes++;
        }
      }
    // Pairs that came into range peer by LAN discovery: at the next beacon of either (§4.6).
    for (const k of [...want].sort()) {
      if (have.has(k)) continue;
      const [a, b] = k.split('\u0000') as [string, string];
      this.host.addLink(a, b, undefined, 'discovery');
      changes++;
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
    // Extra latency on every peering of the node, over each one's own latency, restored at the end.
    const base = new Map<string, Micros>();
    for (const [x, y] of this.host.peerings(a.node)) {
      const peer = x === a.node ? y : x;
      base.set(peer, this.host.linkProps(a.node, peer)?.latency ?? 0);
    }
    const setDelay = (extra: Micros): void => {
      for (const [peer, latency] of base)
        this.host.setLink(a.node, peer, { latency: latency + extra });
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
