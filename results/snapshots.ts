/**
 * results/snapshots.ts — snapshots of the network (snapshots.json): every present node's root,
 * parent, descending node, coordinates and position (when a mobility model gave one), and the
 * links up, at the instants the run asks for (start, first convergence, end, scenario actions,
 * `--snapshots every:<d>`).
 */
import type { Micros } from '../router/types.ts';
import type { HostApi } from '../sim/host-api.ts';
import { keyHex } from './key-hex.ts';
import { round } from './metrics.ts';
import type { Snapshot } from './schema.ts';

export class Snapshots {
  readonly list: Snapshot[] = [];
  /** Last known position per node (mobility, scenarios/runner.ts). */
  private readonly positions = new Map<string, [number, number]>();

  setPosition(node: string, x: number, y: number): void {
    this.positions.set(node, [x, y]);
  }

  private convergedTaken = false;

  /**
   * The automatic start snapshot (t = 0) when `auto`, and one every `every` µs before `end`
   * (`--snapshots every:<d>`; 0: none, nothing scheduled, hashes unchanged), until
   * `ended()`. The dense ones come after the start snapshot (same instant, scheduled later), so
   * t = 0 is not doubled.
   */
  schedule(host: HostApi, end: Micros, auto: boolean, every: Micros, ended: () => boolean): void {
    if (auto) host.at(0, () => this.take(host, 'start'));
    if (every <= 0) return;
    const dense = (): void => {
      if (ended()) return;
      if (host.now > 0 || !auto) this.take(host, null);
      const t = host.now + every;
      if (t < end) host.at(t, dense);
    };
    host.at(0, dense);
  }

  /** The automatic 'converged' snapshot: at the first sample where tree and snake hold. */
  converged(host: HostApi): void {
    if (this.convergedTaken) return;
    this.convergedTaken = true;
    this.take(host, 'converged');
  }

  /** Take one snapshot of `host` now (`label` null: an unlabelled timeline snapshot). */
  take(host: HostApi, label: string | null): void {
    const names = [...host.nodeNames()];
    const nameOf = new Map<string, string>();
    const views = names.map((n) => host.view(n));
    views.forEach((v, i) => {
      nameOf.set(keyHex(v.key), names[i] as string);
    });
    const nodes = views.map((v, i) => {
      const name = names[i] as string;
      const pos = this.positions.get(name);
      return {
        name,
        root: keyHex(v.rootKey),
        parent: v.parentKey === null ? null : (nameOf.get(keyHex(v.parentKey)) ?? null),
        descending: v.descendingKey === null ? null : (nameOf.get(keyHex(v.descendingKey)) ?? null),
        coords: [...v.coords],
        ...(pos === undefined ? {} : { x: round(pos[0]), y: round(pos[1]) }),
      };
    });
    // The host's own list, not a copy: it is frozen, and snapshots taken while the links are
    // unchanged share it (a copy per snapshot was two arrays per link: ~250 B a router).
    const links = host.links();
    this.list.push({
      time_s: host.now / 1_000_000,
      ...(label === null ? {} : { label }),
      nodes,
      links,
    });
  }
}
