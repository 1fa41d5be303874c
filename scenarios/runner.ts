/**
 * scenarios/runner.ts — play a Scenario against a running simulation through HostApi only.
 *
 * Every action is scheduled with HostApi.at at its virtual time; random processes (churn,
 * mobility, sampled traffic, adversaries with the random rule) draw from their own named seeded
 * stream, so adding an action never changes the numbers another one sees. Draw order follows event
 * order, which is deterministic, so a rerun is bit-identical.
 *
 * The host owns the peerings (sim/peering.ts): node churn only takes a node away and
 * brings it back (its peerings are re-dialled by the host), link actions make a peering intended
 * or not, and a re-added link keeps the topology file's attributes. An action on a node or link
 * that is not there is an InputError naming the action (`file: actions[3] remove-link x–y: there
 * is no link x–y`), not a silent no-op; random processes (churn) skip elements another action
 * took away meanwhile.
 *
 * The processes live in modules of their own: churn and traffic (workloads.ts), mobility
 * (mobility.ts), adversaries' drop rules (adversary.ts), seeded draws (random.ts).
 */

import { InputError } from '../base/index.ts';
import type { ScenarioCollector } from '../results/measurement.ts';
import type { Micros } from '../router/types.ts';
import type { FrameFilter, HostApi } from '../sim/host-api.ts';
import { Adversary } from './adversary.ts';
import { mobility } from './mobility.ts';
import type { RandomFactory } from './random.ts';
import type { Action, AdversaryAction, Scenario } from './types.ts';
import { churn, traffic } from './workloads.ts';

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
 * Attach the collector and schedule every action of `scenario` on `host`; nothing runs yet. The run's
 * loop belongs to its driver (run/driver.ts), which advances the host and ends the run.
 */
export function startScenario(
  scenario: Scenario,
  host: HostApi,
  collector: ScenarioCollector,
  random: RandomFactory,
): void {
  new ScenarioRun(scenario, host, collector, random).start();
}

/**
 * Run `scenario` on `host` in one go (tests on the fake host): schedule every action, run to the
 * scenario's duration, then let the collector take its final measurements (which may run the
 * simulation a little longer).
 */
export function runScenario(
  scenario: Scenario,
  host: HostApi,
  collector: ScenarioCollector,
  random: RandomFactory,
): void {
  startScenario(scenario, host, collector, random);
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
        churn(a, this.host, this.random(a.stream), this.end, (label) => this.changed(label));
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
        mobility(
          a,
          this.host,
          this.random,
          this.end,
          (node, x, y) => this.collector.setPosition(node, x, y),
          (label) => this.changed(label),
        );
        return;
      case 'adversary':
        this.adversary(a);
        return;
      case 'traffic':
        traffic(a, this.host, this.random, this.end, (source, destination, mode) =>
          this.collector.sendTraffic(source, destination, mode),
        );
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
}
