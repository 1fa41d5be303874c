/**
 * run/driver.ts — the one owner of a run's loop. The scenario runner (scenarios/runner.ts) only
 * schedules actions and the observers (results/) only schedule their samples; the driver advances
 * the scheduler (advance), arms the stop rule (stopWhen) and ends the run (finish).
 *
 * Stopping is an event in the scheduler, as in SimPy's run(until=event): the converged rule
 * schedules a stop event CONVERGED_GRACE after the sample at which tree and snake first hold; when
 * it fires and they still hold, it stops the scheduler from inside that event (Scheduler.stop), so
 * the run ends right after it, in event order, with nothing polled from outside. The end of the run
 * in time is advance's bound (the scheduler's run(until=time)): events at exactly that time run.
 */
import type { Micros } from '../base/index.ts';
import { MICROS_PER_SECOND } from '../router/types.ts';
import type { Host } from '../sim/host.ts';

/** After tree and snake both hold, keep running this long before stopping (they must keep holding). */
export const CONVERGED_GRACE: Micros = 3 * MICROS_PER_SECOND;

/** The converged stop rule: tree everywhere, the snake at `snakeQuorum` of the nodes, held `grace`. */
export interface ConvergedRule {
  /** Share of the nodes whose snake must hold (1: every node). */
  readonly snakeQuorum: number;
  /** How long both must keep holding before the run stops (default CONVERGED_GRACE). */
  readonly grace?: Micros;
  /** Take a convergence sample now (the stop event's own sample; one per instant). */
  readonly sampleNow: () => void;
}

/** The latest convergence sample: fractions of `nodes` whose tree / snake state is correct. */
export interface LastSample {
  readonly tree: number;
  readonly snake: number;
  readonly nodes: number;
}

export class Driver {
  readonly host: Host;
  /** The run's end in virtual time (the scenario's duration, or the converged rule's timeout). */
  readonly end: Micros;
  private rule: ConvergedRule | null = null;
  /** When the armed stop event fires; null while tree and snake do not both hold. */
  private stopAt: Micros | null = null;
  /** A stop event stopped the run. */
  private stopped = false;
  private done = false;
  private finished = false;
  /** The latest sample (NaN before the first). */
  last: LastSample = { tree: Number.NaN, snake: Number.NaN, nodes: 0 };

  constructor(host: Host, end: Micros) {
    this.host = host;
    this.end = end;
  }

  /** Stop CONVERGED_GRACE after tree and snake hold (the run's end is then its timeout). */
  stopWhen(rule: ConvergedRule): void {
    this.rule = rule;
  }

  /**
   * A convergence sample (the collector's onSample). Arms the stop event when tree and snake first
   * hold; disarms it when they break (a stale event then only samples).
   */
  onSample(tree: number, snake: number, nodes: number): void {
    this.last = { tree, snake, nodes };
    const rule = this.rule;
    if (rule === null) return;
    if (tree !== 1 || snake < rule.snakeQuorum) {
      this.stopAt = null;
      return;
    }
    if (this.stopAt !== null) return;
    const at = this.host.now + (rule.grace ?? CONVERGED_GRACE);
    this.stopAt = at;
    // The stop event samples first: the run's final sample is taken at this instant, and a stop
    // on a state that sample then reports as broken was a "timeout" (ba:100000 at 99.9%: held
    // 101–103 s, 99.899% at 104 s, exit 3). The collector takes one sample per instant.
    if (at <= this.end)
      this.host.at(at, () => {
        rule.sampleNow();
        if (this.stopAt === at) {
          this.stopped = true;
          this.host.stop();
        }
      });
  }

  /**
   * Run up to `until` (at most the run's end) and at most `maxEvents` events. Returns true when the
   * run is over: a stop event fired, or nothing is left before the end (time then passes to it).
   */
  advance(until: Micros = this.end, maxEvents = Number.POSITIVE_INFINITY): boolean {
    if (this.done) return true;
    const limit = Math.min(until, this.end);
    this.host.runBatch(limit, maxEvents);
    if (this.stopped) this.done = true;
    else if (this.host.scheduler.peekTime() > limit) {
      // Nothing left up to the limit: time passes to it (the scheduler idles).
      this.host.runUntil(limit);
      if (limit === this.end) this.done = true;
    }
    return this.done;
  }

  /** Router events so far (host actions: scenario actions, samples and stop events excluded). */
  get events(): number {
    return this.host.events - this.host.actions;
  }

  /**
   * End the run here: `measure` takes the final measurement (results/collector.ts finish(), which
   * may run the simulation on until its probes are resolved). Once only.
   */
  finish(measure: () => void): void {
    if (this.finished) return;
    this.finished = true;
    this.done = true;
    measure();
  }
}
