/**
 * scripts/diag-flicker.ts — why does a node whose descending pointer was right lose it, in a
 * network that does not change?
 *
 *   node --import tsx scripts/diag-flicker.ts [topology] [from-s] [to-s] [seed] [max-reports]
 *
 * Runs the topology with the `pinelab run` defaults. From `from` on, it watches every node whose
 * descending pointer is its true predecessor P (next lower key in its connected component, links
 * as they are at `from`). A right pointer can only be lost by expiry at a maintenance tick
 * (§6.3 step 1: no bootstrap of P refreshed it for 10 s), by a link loss (§4.5) or by a root change:
 * a closer key than P does not exist. For each loss it prints how, then P's last bootstraps, each as
 * the path it took (recorded at every hop, §6.5) with what happened at its last node: A = arrived
 * (dead end, step 8), L = dropped because the next hop was the arrival link (step 9), W = dropped
 * by the watermark check (step 9: forwarded nowhere, and nothing heard of it for 0.5 s), D =
 * dropped before installing (steps 2–5), … = still in flight. Prints figures, asserts nothing.
 */
import type { Router } from '../router/router.ts';
import { TIMER_SNAKE } from '../router/snake.ts';
import type { Effects, Frame, Micros, Port } from '../router/types.ts';
import { FrameType, MICROS_PER_SECOND } from '../router/types.ts';
import { readBootstrapPayload } from '../router/wire/bootstrap.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { bootstrapOutcome, keyOrder, openRun } from './diag-common.ts';

const topology = process.argv[2] ?? 'ba:2000,m=2';
const from = Number(process.argv[3] ?? '60') * MICROS_PER_SECOND;
const to = Number(process.argv[4] ?? '120') * MICROS_PER_SECOND;
const seed = process.argv[5] ?? '1';
const maxReports = Number(process.argv[6] ?? '5');

const run = openRun(topology, seed, to);
const { sim, host, n, routers, nodeOf } = run;
const s = (t: Micros): string => (t / MICROS_PER_SECOND).toFixed(3);

/** One bootstrap as it went: nodes in order, and the outcome at each. */
interface Trip {
  seq: number;
  start: Micros;
  /** Time of the latest hop. */
  lastAt: Micros;
  nodes: number[];
  codes: string;
}
const RING = 4;
const trips: Trip[][] = Array.from({ length: n }, () => []);
function tripOf(o: number, seq: number, start: Micros): Trip {
  const ring = trips[o] as Trip[];
  for (const t of ring) if (t.seq === seq) return t;
  const t: Trip = { seq, start, lastAt: start, nodes: [], codes: '' };
  ring.push(t);
  if (ring.length > RING) ring.shift();
  return t;
}

let watching = false;
let pred: Int32Array = new Int32Array(0);
let losses = 0;
let reported = 0;
const lossCauses = new Map<string, number>();

function isRight(x: number): boolean {
  const d = (routers[x] as Router).snake.descending;
  const p = pred[x] as number;
  return p < 0 ? d === null : d !== null && nodeOf(d.key) === p;
}

/** How a trip ended (see the file comment); a trip recorded from mid-flight has no origin 'O'. */
function end(t: Trip): string {
  const c = t.codes[t.codes.length - 1] ?? '?';
  if (c !== 'f' && c !== 'O') return c;
  return host.now - t.lastAt > MICROS_PER_SECOND / 2 ? 'W' : '…';
}

/** When each node last lost a right pointer (-1: it has not, or it got it back). */
const lostAt = new Float64Array(n).fill(-1);
const outages: number[] = [];
/** How P's last bootstrap before each loss ended: A/F/D (see the file comment), or 'reached X'. */
const lastTrip = new Map<string, number>();

function regained(x: number): void {
  if ((lostAt[x] as number) >= 0) outages.push(host.now - (lostAt[x] as number));
  lostAt[x] = -1;
}

function lost(x: number, how: string): void {
  losses++;
  lossCauses.set(how, (lossCauses.get(how) ?? 0) + 1);
  lostAt[x] = host.now;
  for (const t of trips[pred[x] as number] as Trip[]) {
    if (t.codes[0] !== 'O' || host.now - t.start > 10 * MICROS_PER_SECOND) continue;
    const how = t.nodes.includes(x) ? 'reached X' : `missed X, ${end(t)}`;
    lastTrip.set(how, (lastTrip.get(how) ?? 0) + 1);
  }
  // Report only losses whose P has a recorded history (watching began ≥ 3 periods before).
  if (reported >= maxReports || (trips[pred[x] as number] as Trip[]).length < 3) return;
  reported++;
  const r = routers[x] as Router;
  const d = r.snake.descending;
  const p = pred[x] as number;
  const now = host.now;
  process.stdout.write(
    `\n${s(now)} s: ${host.nameAt(x)} lost its pointer to P=${host.nameAt(p)} (${how}); now ${d === null ? 'none' : host.nameAt(nodeOf(d.key) ?? -1)}\n`,
  );
  for (const t of trips[p] as Trip[]) {
    const passes = t.nodes.includes(x);
    const last = t.nodes[t.nodes.length - 1] as number;
    process.stdout.write(
      `  P's bootstrap at ${s(t.start)} s: ${t.nodes.length} nodes, ${passes ? 'reached X' : 'missed X'}, ended at ${host.nameAt(last)} ${end(t)}${t.codes[0] === 'O' ? '' : ' (recorded from mid-flight)'}\n`,
    );
  }
  const ring = trips[p] as Trip[];
  // Where the last trip that reached X and the first later one that missed it parted.
  for (let k = 0; k + 1 < ring.length; k++) {
    const a = ring[k] as Trip;
    const b = ring[k + 1] as Trip;
    if (a.codes[0] !== 'O' || !a.nodes.includes(x) || b.nodes.includes(x)) continue;
    let j = 0;
    while (j < a.nodes.length && j < b.nodes.length && a.nodes[j] === b.nodes[j]) j++;
    const at = a.nodes[j - 1] as number;
    process.stdout.write(
      `  parted after ${j} common nodes at ${host.nameAt(at)}: then ${host.nameAt(a.nodes[j] ?? -1)} vs ${host.nameAt(b.nodes[j] ?? -1)}\n` +
        `    reached X: ${a.nodes.map((v) => host.nameAt(v)).join(' ')}\n` +
        `    missed X:  ${b.nodes.map((v) => host.nameAt(v)).join(' ')} ${end(b)}\n`,
    );
    break;
  }
}

for (let i = 0; i < n; i++) {
  const r = routers[i] as Router;
  const receive = r.receive.bind(r);
  r.receive = (now: Micros, port: Port, frame: Frame, fx: Effects): void => {
    if (!watching || frame.type !== FrameType.Bootstrap) {
      receive(now, port, frame, fx);
      return;
    }
    const wasRight = isRight(i);
    receive(now, port, frame, fx);
    const payload = readBootstrapPayload(frame.payload);
    const o = nodeOf(frame.destinationKey);
    if (!isCodecError(payload) && o !== undefined) {
      const trip = tripOf(o, payload.seq, now);
      const e = r.snake.get(frame.destinationKey);
      trip.nodes.push(i);
      trip.lastAt = now;
      // 'f': forwarded, or dropped by the watermark check (told apart later by time, see end()).
      trip.codes += bootstrapOutcome(e, payload.seq, port);
    }
    if (wasRight && !isRight(i)) lost(i, 'replaced by a bootstrap');
    else if (!wasRight && isRight(i)) regained(i);
  };
  const timer = r.timer.bind(r);
  r.timer = (now: Micros, id: number, fx: Effects): void => {
    if (!watching) {
      timer(now, id, fx);
      return;
    }
    const wasRight = isRight(i);
    const before = r.snake.lastBootstrap;
    timer(now, id, fx);
    if (id === TIMER_SNAKE && r.snake.lastBootstrap !== before && r.snake.lastBootstrap === now) {
      const trip = tripOf(i, r.options.clockEpochMs + Math.floor(now / 1000), now);
      trip.nodes.push(i);
      trip.codes += 'O';
    }
    if (wasRight && !isRight(i))
      lost(i, id === TIMER_SNAKE ? 'expired at the tick' : `timer ${id}`);
    else if (!wasRight && isRight(i)) regained(i);
  };
}

host.at(from, () => {
  pred = keyOrder(run).pred;
  watching = true;
  let right = 0;
  for (let i = 0; i < n; i++) if (isRight(i)) right++;
  process.stdout.write(`${topology}: at ${s(from)} s ${right} of ${n} pointers are right\n`);
});
while (!sim.advance(1 << 20)) {}
let right = 0;
for (let i = 0; i < n; i++) if (isRight(i)) right++;
outages.sort((a, b) => a - b);
const q = (f: number): string =>
  outages.length === 0
    ? '-'
    : s(outages[Math.min(outages.length - 1, Math.floor(f * outages.length))] as number);
let still = 0;
for (let i = 0; i < n; i++) if ((lostAt[i] as number) >= 0) still++;
process.stdout.write(
  `\n${s(from)}–${s(host.now)} s: ${losses} right pointers lost ${JSON.stringify(Object.fromEntries(lossCauses))}\n` +
    `P's bootstraps in the 10 s before each loss: ${JSON.stringify(Object.fromEntries(lastTrip))}\n` +
    `${outages.length} got theirs back after (median / 90% / max) ${q(0.5)} / ${q(0.9)} / ${q(1)} s; ${still} still without at the end\n` +
    `${right} of ${n} right at the end\n`,
);
