/**
 * scripts/diag-paths.ts — do bootstrap paths stay put once the snake has converged?
 *
 *   node --import tsx scripts/diag-paths.ts [topology] [from-s] [to-s] [seed] [jitter-ms]
 *
 * Runs the topology with the `pinelab run` defaults and records, from `from` on, the path of every
 * bootstrap (PROTOCOL.md §6.5: each node it reaches), keyed by origin and bootstrap sequence. It
 * compares each origin's consecutive bootstraps (sent 5 s apart, §6.3): the same nodes in the same
 * order or not, the same last node or not, after how many common nodes they parted, and which
 * §6.6 rule picked the next hop at the node where they parted, this time and the time before (the
 * search is re-run on the node's state just before the bootstrap is handled, as diag-stuck does).
 * When the node that parted them had followed a table entry the time before (§6.6 step 5), it also
 * says what had become of that entry there, the first that applies of: swept, expired but not yet
 * swept, its link down, skipped as older than the frame's watermark (§6.6 step 5), refreshed
 * through another port (its key's bootstraps now arrive another way), beaten by a closer key.
 * It also counts the hops at which the bootstrap installed a table entry its key did not have
 * (§6.5 step 6), the table churn that unstable paths cause. Bootstraps sent in the last 2 s of the
 * window are left out (still in flight). Prints figures, asserts nothing.
 */
import { SnekRule } from '../router/decisions/snek-next-hop.ts';
import { compareKeys, keysEqual, worse } from '../router/keys.ts';
import type { Router } from '../router/router.ts';
import { snekNextHop } from '../router/snake.ts';
import { FrameType, MICROS_PER_SECOND, type Port, type PublicKey } from '../router/types.ts';
import { readBootstrapPayload } from '../router/wire/bootstrap.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { bootstrapOutcome, openRun } from './diag-common.ts';

const topology = process.argv[2] ?? 'ba:2000,m=2';
const from = Number(process.argv[3] ?? '60') * MICROS_PER_SECOND;
const to = Number(process.argv[4] ?? '80') * MICROS_PER_SECOND;
const seed = process.argv[5] ?? '1';
// Links keep the `pinelab run` defaults (1 ms, no jitter) unless a jitter is given (timing matters).
const jitterMs = Number(process.argv[6] ?? '0');

const run = openRun(
  topology,
  seed,
  to,
  jitterMs > 0 ? { link: { jitter: Math.round(jitterMs * 1000) } } : {},
);
const { sim, n, routers, nodeOf } = run;

const ruleName = new Map<number, string>(
  Object.entries(SnekRule).map(([name, value]) => [value as number, name]),
);

/** What the search (§6.6) picked at one node. */
interface Pick {
  rule: number;
  key: PublicKey;
  port: Port;
}

/** One bootstrap: the origin, then every node it reached; per reached node the rule and key. */
interface Trip {
  nodes: number[];
  /** The search at nodes[k + 1]. */
  picks: Pick[];
  /** The same origin's bootstrap before this one, if seen. */
  prev: Trip | undefined;
  /** Whether this trip has left prev's path (at a node reached, or at the origin). */
  parted: boolean;
  /** At the node where it left prev's path: what became of the entry prev had followed there. */
  fate: string | undefined;
  /** At the last node: A arrived (dead end), L next hop = arrival link, D dropped before
   *  installing (steps 2–5), W forwarded nowhere (watermark, step 9). */
  end: string;
}

const trips: Map<number, Trip>[] = Array.from({ length: n }, () => new Map());
const latest: (Trip | undefined)[] = new Array(n).fill(undefined);
let watching = false;

function fateOf(
  r: Router,
  before: Pick,
  now: Pick,
  frame: { watermark: { key: PublicKey; seq: number } },
): string {
  const e = r.snake.get(before.key);
  if (e === null) return 'swept from the table';
  if (r.now - e.lastSeen >= r.options.neighExpiry) return 'expired, not yet swept';
  const src = r.peers.get(e.sourcePort);
  if (src === undefined || !src.up) return 'its link is down';
  if (compareKeys(e.key, frame.watermark.key) > 0 || worse(e.watermark, frame.watermark))
    return "skipped: older than the frame's watermark";
  if (e.sourcePort !== before.port) return 'refreshed through another port';
  if (compareKeys(now.key, before.key) < 0) return `a closer key won (${ruleName.get(now.rule)})`;
  return 'other';
}
let hops = 0;
let installs = 0;

for (let i = 0; i < n; i++) {
  const r = routers[i] as Router;
  const receive = r.receive.bind(r);
  r.receive = (now, port, frame, fx) => {
    if (!watching || frame.type !== FrameType.Bootstrap) {
      receive(now, port, frame, fx);
      return;
    }
    const key = frame.destinationKey;
    const payload = readBootstrapPayload(frame.payload);
    const o = nodeOf(key);
    if (isCodecError(payload) || o === undefined) {
      receive(now, port, frame, fx);
      return;
    }
    const had = r.snake.get(key);
    const res = snekNextHop(r, true, key, frame.watermark);
    const pick: Pick = { rule: res.rule, key: res.key, port: res.port };
    const byOrigin = trips[o] as Map<number, Trip>;
    // The trip so far (created below on its first hop): does it leave its predecessor's path here?
    let fate: string | undefined;
    const sofar = byOrigin.get(payload.seq);
    const prev = sofar === undefined ? latest[o] : sofar.prev;
    const at = sofar === undefined ? 1 : sofar.nodes.length;
    if (prev !== undefined && !(sofar?.parted ?? false) && prev.nodes[at] === i) {
      const before = prev.picks[at - 1];
      if (before !== undefined && before.port !== pick.port) {
        fate =
          before.rule === SnekRule.TableEntry
            ? fateOf(r, before, pick, frame)
            : `${ruleName.get(before.rule)} → ${ruleName.get(pick.rule)}`;
      }
    }
    receive(now, port, frame, fx);
    hops++;
    const e = r.snake.get(key);
    if (had === null && e !== null) installs++;
    let trip = byOrigin.get(payload.seq);
    if (trip === undefined) {
      const prev = latest[o];
      const parted = prev !== undefined && prev.nodes[1] !== i;
      trip = { nodes: [o], picks: [], prev, parted, fate: undefined, end: '' };
      byOrigin.set(payload.seq, trip);
      latest[o] = trip;
    }
    const h = trip.nodes.length;
    trip.nodes.push(i);
    trip.picks.push(pick);
    if (!trip.parted && trip.prev?.nodes[h] !== i) trip.parted = true;
    if (fate !== undefined) trip.fate = fate;
    // A forward ('f') at the last node reached went nowhere: dropped by the watermark check.
    const outcome = bootstrapOutcome(e, payload.seq, port);
    trip.end = outcome === 'f' ? 'W' : outcome;
  };
}

while (sim.now < from && !sim.advance(50_000)) {}
watching = true;
while (!sim.advance(50_000)) {}

// Sequences are clockEpochMs + send time in ms (§3.8): keep bootstraps sent in [from, to − 2 s].
const epoch = (routers[0] as Router).options.clockEpochMs;
const firstSeq = epoch + Math.ceil(from / 1000);
const lastSeq = epoch + Math.floor((to - 2 * MICROS_PER_SECOND) / 1000);

let count = 0;
let totalHops = 0;
let pairs = 0;
let samePath = 0;
let sameEnd = 0;
const partedAfter: number[] = [];
const partedBy = new Map<string, number>();
const fates = new Map<string, number>();
const ends = new Map<string, number>();
for (const byOrigin of trips) {
  const seqs = [...byOrigin.keys()].filter((q) => q >= firstSeq && q <= lastSeq);
  seqs.sort((a, b) => a - b);
  for (const q of seqs) {
    const t = byOrigin.get(q) as Trip;
    count++;
    totalHops += t.nodes.length - 1;
    ends.set(t.end, (ends.get(t.end) ?? 0) + 1);
  }
  for (let k = 1; k < seqs.length; k++) {
    const a = byOrigin.get(seqs[k - 1] as number) as Trip;
    const b = byOrigin.get(seqs[k] as number) as Trip;
    pairs++;
    if (a.nodes.at(-1) === b.nodes.at(-1)) sameEnd++;
    let j = 0;
    while (j < a.nodes.length && j < b.nodes.length && a.nodes[j] === b.nodes[j]) j++;
    if (j === a.nodes.length && j === b.nodes.length) {
      samePath++;
      continue;
    }
    partedAfter.push(j);
    // nodes[j − 1] is the last common node; its pick is picks[j − 2] (the origin has none).
    let why = 'at the origin';
    const pa = a.picks[j - 2];
    const pb = b.picks[j - 2];
    if (j >= 2 && pa !== undefined && pb !== undefined) {
      why = `${ruleName.get(pa.rule)} → ${ruleName.get(pb.rule)}${keysEqual(pa.key, pb.key) ? ', same key (another port)' : ', another key'}`;
    } else if (j >= 2) why = 'one path ended there';
    partedBy.set(why, (partedBy.get(why) ?? 0) + 1);
    if (b.fate !== undefined) fates.set(b.fate, (fates.get(b.fate) ?? 0) + 1);
  }
}
partedAfter.sort((x, y) => x - y);
const pct = (x: number, of: number): string => `${((100 * x) / Math.max(1, of)).toFixed(1)}%`;
const q = (p: number): number => partedAfter[Math.floor(p * (partedAfter.length - 1))] ?? 0;
const out = [
  `diag-paths: ${topology} seed ${seed}${jitterMs > 0 ? `, jitter ${jitterMs} ms` : ''}, bootstraps sent in virtual ${from / MICROS_PER_SECOND}–${to / MICROS_PER_SECOND - 2} s`,
  `bootstraps              ${count} (mean ${(totalHops / Math.max(1, count)).toFixed(1)} hops); endings: ${[...ends].map(([e, c]) => `${e} ${c}`).join(', ')}`,
  `consecutive pairs       ${pairs}: same path ${samePath} (${pct(samePath, pairs)}), same last node ${sameEnd} (${pct(sameEnd, pairs)})`,
  `parted after            ${partedAfter.length === 0 ? '–' : `p10 ${q(0.1)}, median ${q(0.5)}, p90 ${q(0.9)} common nodes (origin included)`}`,
  'parting node: rule of the hop before → this time',
  ...[...partedBy]
    .sort((x, y) => y[1] - x[1])
    .map(([why, c]) => `  ${String(c).padStart(8)}  ${why}`),
  'the table entry followed the time before, at the parting node this time',
  ...[...fates].sort((x, y) => y[1] - x[1]).map(([why, c]) => `  ${String(c).padStart(8)}  ${why}`),
  `bootstrap hops          ${hops} in the whole window: ${installs} (${pct(installs, hops)}) installed a table entry for a key the node did not have`,
];
process.stdout.write(`${out.join('\n')}\n`);
