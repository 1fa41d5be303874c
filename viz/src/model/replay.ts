/**
 * viz/src/model/replay.ts — events.jsonl (written with `--events`, results/collector.ts event log)
 * as a replay: every frame a node sent, matched with its reception at the peer, becomes a flight
 * (t0 → t1 along one link) the viewer draws as a moving dot; state lines (a node's root, parent
 * and descending neighbour changed) and topology lines are kept for the cursor's captions.
 *
 * Matching: per (sender, receiver, frame type) frames arrive in the order they were sent (each
 * link is FIFO, sim/host.ts), so the k-th reception matches the k-th send. A send never received
 * (lost, or the link went down) flies for LOST_FLIGHT and is marked lost.
 */
import { type GraphModel, type NetState, UNKNOWN_NODE } from './graph.ts';

export interface Flight {
  readonly t0: number; // virtual seconds, sent
  readonly t1: number; // received (or t0 + LOST_FLIGHT)
  readonly from: string;
  readonly to: string;
  readonly type: string; // keepalive, announcement, bootstrap, traffic, wakeup
  readonly lost: boolean;
}

export interface StateChange {
  readonly t: number;
  readonly node: string;
  readonly root: string | null;
  readonly parent: string | null;
  readonly descending: string | null;
}

export interface Replay {
  /** Sorted by t0. */
  readonly flights: Flight[];
  readonly states: StateChange[];
  /** Topology and episode lines: [t, text], sorted. */
  readonly notes: [number, string][];
  /** Longest flight (bounds the search for flights in the air at a time). */
  readonly maxFlight: number;
  readonly start: number;
  readonly end: number;
  /** Lines that were not JSON objects with a time (skipped). */
  readonly skipped: number;
}

/** How long an unmatched send is drawn: the simulator's default link latency (sim/link.ts, 1 ms). */
export const LOST_FLIGHT = 0.001;

interface Line {
  t?: unknown;
  e?: unknown;
  node?: unknown;
  peer?: unknown;
  frame?: unknown;
  root?: unknown;
  parent?: unknown;
  descending?: unknown;
  label?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function parseEvents(text: string): Replay {
  const flights: Flight[] = [];
  const states: StateChange[] = [];
  const notes: [number, string][] = [];
  // Open sends per sender→receiver→type: indices into `open` entries, FIFO.
  const queues = new Map<string, { t0: number; from: string; to: string; type: string }[]>();
  const heads = new Map<string, number>();
  let skipped = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let o: Line;
    try {
      o = JSON.parse(raw) as Line;
    } catch {
      skipped++;
      continue;
    }
    const t = typeof o?.t === 'number' ? o.t : Number.NaN;
    if (!Number.isFinite(t)) {
      skipped++;
      continue;
    }
    if (t < start) start = t;
    if (t > end) end = t;
    const node = str(o.node);
    const peer = str(o.peer);
    const type = str(o.frame) ?? 'other';
    if (o.e === 'send' && node && peer) {
      const k = `${node}\u0000${peer}\u0000${type}`;
      let q = queues.get(k);
      if (!q) {
        q = [];
        queues.set(k, q);
      }
      q.push({ t0: t, from: node, to: peer, type });
    } else if (o.e === 'recv' && node && peer) {
      const k = `${peer}\u0000${node}\u0000${type}`;
      const q = queues.get(k);
      const h = heads.get(k) ?? 0;
      const s = q?.[h];
      if (s) {
        heads.set(k, h + 1);
        flights.push({ ...s, t1: t, lost: false });
      }
    } else if (o.e === 'state' && node) {
      states.push({
        t,
        node,
        root: str(o.root),
        parent: str(o.parent),
        descending: str(o.descending),
      });
    } else if ((o.e === 'topology' || o.e === 'episode') && str(o.label)) {
      notes.push([t, `${o.e === 'topology' ? 'topology' : 'episode'}: ${str(o.label)}`]);
    }
  }
  for (const [k, q] of queues) {
    for (let i = heads.get(k) ?? 0; i < q.length; i++) {
      const s = q[i]!;
      flights.push({ ...s, t1: s.t0 + LOST_FLIGHT, lost: true });
    }
  }
  flights.sort((a, b) => a.t0 - b.t0 || a.t1 - b.t1);
  let maxFlight = 0;
  for (const f of flights) if (f.t1 - f.t0 > maxFlight) maxFlight = f.t1 - f.t0;
  return {
    flights,
    states,
    notes,
    maxFlight,
    start: Number.isFinite(start) ? start : 0,
    end,
    skipped,
  };
}

/** First index of `flights` with t0 > t (flights sorted by t0). */
function upperBound(flights: readonly Flight[], t: number): number {
  let lo = 0;
  let hi = flights.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (flights[mid]!.t0 <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Flights in the air at time t (t0 ≤ t < t1), each with the fraction of the way done. */
export function inFlight(r: Replay, t: number): { flight: Flight; f: number }[] {
  const out: { flight: Flight; f: number }[] = [];
  const hi = upperBound(r.flights, t);
  for (let i = hi - 1; i >= 0; i--) {
    const fl = r.flights[i]!;
    if (fl.t0 < t - r.maxFlight) break;
    if (t < fl.t1) out.push({ flight: fl, f: fl.t1 > fl.t0 ? (t - fl.t0) / (fl.t1 - fl.t0) : 0 });
  }
  return out.reverse();
}

/** Count per frame type, "announcement 3, bootstrap 1" style input for captions and tests. */
export function countByType(list: readonly { flight: Flight }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { flight } of list) out[flight.type] = (out[flight.type] ?? 0) + 1;
  return out;
}

/**
 * The next (dir 1) or previous (dir -1) frame after / before time t, as the moment it is half way
 * along its link (so a step shows it moving, not sitting on a node). null at either end.
 */
export function stepTime(r: Replay, t: number, dir: 1 | -1): number | null {
  const eps = 1e-9;
  const mid = (f: Flight): number => (f.t0 + f.t1) / 2;
  if (dir > 0) {
    // Flights are sorted by t0 and mid ≥ t0: scan from the first flight that could have mid > t.
    let best: number | null = null;
    for (
      let i = Math.max(0, upperBound(r.flights, t - r.maxFlight) - 1);
      i < r.flights.length;
      i++
    ) {
      const f = r.flights[i]!;
      if (best !== null && f.t0 > best) break;
      const m = mid(f);
      if (m > t + eps && (best === null || m < best)) best = m;
    }
    return best;
  }
  let best: number | null = null;
  for (let i = upperBound(r.flights, t) - 1; i >= 0; i--) {
    const f = r.flights[i]!;
    if (best !== null && f.t0 < best - r.maxFlight) break;
    const m = mid(f);
    if (m < t - eps && (best === null || m > best)) best = m;
  }
  return best;
}

/** The latest topology/episode note at or before t, or null. */
export function noteAt(r: Replay, t: number): string | null {
  let out: string | null = null;
  for (const [nt, text] of r.notes) {
    if (nt > t) break;
    out = text;
  }
  return out;
}

/**
 * The routing state at time t: `base` (the snapshot at or before t: links, presence, depth) with
 * each node's root, parent and descending neighbour from its latest state line at or before t
 * (state lines are exact; snapshots are only taken every so often). Nodes unknown to the graph are
 * skipped.
 */
export function stateAt(
  g: GraphModel,
  base: NetState,
  r: Replay,
  t: number,
  from = Number.NEGATIVE_INFINITY,
): NetState {
  const parent = base.parent.slice();
  const descending = base.descending.slice();
  const isRoot = base.isRoot.slice();
  for (const s of r.states) {
    if (s.t > t) break;
    // Lines before the base snapshot are already in it.
    if (s.t < from) continue;
    const i = g.index.get(s.node);
    if (i === undefined || !base.present[i]) continue;
    parent[i] = s.parent === null ? -1 : (g.index.get(s.parent) ?? UNKNOWN_NODE);
    descending[i] = s.descending === null ? -1 : (g.index.get(s.descending) ?? UNKNOWN_NODE);
    isRoot[i] = s.root === s.node ? 1 : 0;
  }
  // A frame in the air means its link is up now, even if the snapshot before did not have it
  // (snapshots are a second apart; links come up between them).
  let links = base.links;
  const known = new Set(links.map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)));
  for (const { flight } of inFlight(r, t)) {
    const a = g.index.get(flight.from);
    const b = g.index.get(flight.to);
    if (a === undefined || b === undefined) continue;
    const k = a < b ? `${a},${b}` : `${b},${a}`;
    if (known.has(k)) continue;
    known.add(k);
    if (links === base.links) links = [...links];
    links.push(a < b ? [a, b] : [b, a]);
  }
  return {
    ...base,
    parent,
    descending,
    isRoot,
    links,
    label: `t = ${t.toFixed(3)} s (replay)`,
  };
}
