/**
 * results/snapshots.ts — snapshots of the network (snapshots.json): every present node's root,
 * parent, descending node, coordinates and position (when a mobility model gave one), and the
 * links up, at the instants the run asks for (start, first convergence, end, scenario actions,
 * `--snapshots every:<d>`).
 */
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
    const links = host.links().map(([a, b]) => [a, b] as const);
    this.list.push({
      time_s: host.now / 1_000_000,
      ...(label === null ? {} : { label }),
      nodes,
      links,
    });
  }
}
