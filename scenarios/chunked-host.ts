/**
 * scenarios/chunked-host.ts — the host as the runner sees it when the executor advances the run in
 * chunks (scenarios/execute.ts).
 */
import type { Micros, RouterView } from '../router/types.ts';
import type { Host } from '../sim/host.ts';
import type { FrameFilter, HostApi, LinkProps, TrafficOutcome } from '../sim/host-api.ts';
import type { Repeer } from '../sim/peering.ts';
import type { ScenarioCollector } from './runner.ts';

/**
 * The runner schedules its actions and then calls `runUntil(duration)` and `collector.finish()`
 * in one synchronous go. To run in chunks, the executor hands it this view of the host: the first
 * runUntil only records the end (the executor then advances in chunks), later ones (the
 * collector's probe wait) run for real. Host actions scheduled through it are counted so that
 * `events` reports router events only.
 */
export class ChunkedHost implements HostApi {
  readonly host: Host;
  private deferred = true;
  /** Host actions run (samplers, scenario actions): excluded from the router event count. */
  actions = 0;
  constructor(host: Host) {
    this.host = host;
  }
  get now(): Micros {
    return this.host.now;
  }
  nodeNames(): readonly string[] {
    return this.host.nodeNames();
  }
  hasNode(name: string): boolean {
    return this.host.hasNode(name);
  }
  addNode(name: string): void {
    this.host.addNode(name);
  }
  removeNode(name: string): void {
    this.host.removeNode(name);
  }
  addLink(a: string, b: string, props?: Partial<LinkProps>, repeer?: Repeer): boolean {
    return this.host.addLink(a, b, props, repeer);
  }
  peerings(node?: string): readonly (readonly [string, string])[] {
    return this.host.peerings(node);
  }
  linkProps(a: string, b: string): LinkProps | null {
    return this.host.linkProps(a, b);
  }
  linksWanted(): number {
    return this.host.linksWanted();
  }
  removeLink(a: string, b: string): void {
    this.host.removeLink(a, b);
  }
  setLink(a: string, b: string, props: Partial<LinkProps>): void {
    this.host.setLink(a, b, props);
  }
  links(): readonly (readonly [string, string])[] {
    return this.host.links();
  }
  view(name: string): RouterView {
    return this.host.view(name);
  }
  sendProbe(
    source: string,
    destination: string,
    id: number,
    mode: Parameters<Host['sendProbe']>[3],
  ): void {
    this.host.sendProbe(source, destination, id, mode);
  }
  onTraffic(listener: (outcome: TrafficOutcome) => void): void {
    this.host.onTraffic(listener);
  }
  onHop(
    listener: (id: number, node: string, port: number, next: string | null, reason: string) => void,
  ): void {
    this.host.onHop(listener);
  }
  setFilter(filter: FrameFilter | null): void {
    this.host.setFilter(filter);
  }
  at(time: Micros, action: () => void): void {
    this.host.at(time, () => {
      this.actions++;
      action();
    });
  }
  runUntil(until: Micros, stop?: () => boolean): void {
    if (this.deferred) {
      this.deferred = false;
      return;
    }
    this.host.runUntil(until, stop);
  }
}

/** The runner's view of the collector while the executor owns the end: finish() waits for it. */
export function deferredFinish(collector: ScenarioCollector): ScenarioCollector {
  return {
    attach: (h, sc) => collector.attach(h, sc),
    topologyChanged: (label) => collector.topologyChanged(label),
    setPosition: (node, x, y) => collector.setPosition(node, x, y),
    snapshot: (label) => collector.snapshot(label),
    measureStretch: (modes, exactUpTo, sample, rng) =>
      collector.measureStretch(modes, exactUpTo, sample, rng),
    sendTraffic: (source, destination, mode) => collector.sendTraffic(source, destination, mode),
    finish: () => {},
    ...(collector.countFrame === undefined ? {} : { countFrame: collector.countFrame }),
  };
}
