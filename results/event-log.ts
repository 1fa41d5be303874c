/**
 * results/event-log.ts — the run's event log (events.jsonl): frames sent and received, per-node
 * state changes, probe outcomes, topology changes and episodes, one JSON line per event with the
 * virtual time in seconds. Lines are serialised as they happen (one string per event keeps memory
 * flat). Only created when events are asked for: a run without them records nothing.
 */
import type { Micros, RouterView } from '../router/types.ts';
import { FRAME_TYPE_NAMES } from '../sim/host.ts';
import type { TrafficOutcome } from '../sim/host-api.ts';
import type { Csr } from './graph.ts';
import { keyHex } from './key-hex.ts';

/** One events.jsonl line: virtual time in seconds, event kind, and its fields. */
export type TraceEvent = { readonly t: number; readonly e: string } & Readonly<
  Record<string, string | number | null>
>;

export class EventLog {
  /** events.jsonl lines, already serialised. */
  readonly lines: string[] = [];
  /** Previous (root, parent, descending) per node name, for state-change events. */
  private readonly lastState = new Map<string, string>();
  private readonly now: () => Micros;

  /** `now`: the scheduler's virtual time (the only clock of a run). */
  constructor(now: () => Micros) {
    this.now = now;
  }

  /** Append one event at the current virtual time. */
  add(e: string, fields: Record<string, string | number | null>): void {
    this.lines.push(JSON.stringify({ t: this.now() / 1_000_000, e, ...fields }));
  }

  /** A frame seen by the host's filter, on its way out ('send') or in ('recv'). */
  frame(node: string, peer: string, frameType: number, direction: 'in' | 'out'): void {
    this.add(direction === 'out' ? 'send' : 'recv', {
      node,
      peer,
      frame: FRAME_TYPE_NAMES[frameType] ?? String(frameType),
    });
  }

  /** A probe's outcome (HostApi.onTraffic). */
  probe(o: TrafficOutcome): void {
    this.add('probe', {
      id: o.id,
      source: o.source,
      destination: o.destination,
      reached: o.reached,
      hops: o.hops,
      drop: o.dropReason,
    });
  }

  /** Per-node root / parent / descending changes since the previous call, as events. */
  stateChanges(g: Csr, views: readonly RouterView[]): void {
    const nameOf = new Map<string, string>();
    views.forEach((v, i) => {
      nameOf.set(keyHex(v.key), g.names[i] as string);
    });
    views.forEach((v, i) => {
      const node = g.names[i] as string;
      const root = nameOf.get(keyHex(v.rootKey)) ?? keyHex(v.rootKey);
      const parent = v.parentKey === null ? null : (nameOf.get(keyHex(v.parentKey)) ?? null);
      const descending =
        v.descendingKey === null ? null : (nameOf.get(keyHex(v.descendingKey)) ?? null);
      const state = `${root}\u0000${v.rootSeq}\u0000${parent}\u0000${descending}`;
      if (this.lastState.get(node) !== state) {
        this.lastState.set(node, state);
        this.add('state', { node, root, rootSeq: v.rootSeq, parent, descending });
      }
    });
    if (this.lastState.size > g.names.length) {
      // Nodes left (churn): forget them so a returning node logs its state again.
      const present = new Set(g.names);
      for (const n of [...this.lastState.keys()]) if (!present.has(n)) this.lastState.delete(n);
    }
  }
}
