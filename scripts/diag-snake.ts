/**
 * scripts/diag-snake.ts — why is a run's snake (descending pointers) slow to converge?
 *
 *   node --import tsx scripts/diag-snake.ts [topology] [at-seconds|converged] [seed] [node…]
 *
 * Runs the topology with the `pinelab run` defaults (1 ms links, starts spread over 1 s) up to `at`
 * (default 30 s; `converged` = until the run converges, 10 min limit), wrapping every router to
 * record each bootstrap decision: at the origin (PROTOCOL.md §6.4) and at every node it reaches,
 * what the node did with it (forwarded, arrived at a dead end, or dropped and why, re-deriving the
 * checks of §6.5 in their order) and which §6.6 rule picked the next hop. Its own
 * ConvergenceTracker (sim/convergence.ts: the definition the results use too) is sampled every
 * 50 ms for per-node times (snakeChangedAt). Then it prints:
 * - link drops by reason and bootstrap outcomes (root mismatches reveal tree flapping);
 * - bootstrap periodicity (§6.3) and entry refreshes that came only after expiry (§6.2);
 * - the nodes whose descending pointer is wrong at the end;
 * - for the first such node X: every bootstrap of X's true predecessor and of X, one line each;
 * - the bootstraps of any node named on the command line;
 * - with `converged`, a causal chain for the node that converged last: the bootstrap of its
 *   predecessor that finally reached it, the first hop where that path differed from the previous
 *   bootstrap's, the table entry (key K) that made the difference and when K's bootstrap first
 *   laid it there; then the same question for K's bootstrap, and so on.
 * Prints figures, asserts nothing. What it showed: every chain climbs the key space backwards in
 * time, i.e. correct successor paths appear as a wave travelling down the key order, one periodic
 * bootstrap (0–5 s, §6.3) per step; the router matches §6.5/§6.6 at every hop.
 */
import { Simulation } from '../cli/run.ts';
import { NO_PORT } from '../router/decisions/links.ts';
import { SnekRule } from '../router/decisions/snek-next-hop.ts';
import { compareKeys, INITIAL_WATERMARK, keysEqual, toHex, worse } from '../router/keys.ts';
import type { Router } from '../router/router.ts';
import { snekNextHop, TIMER_SNAKE } from '../router/snake.ts';
import type { BootstrapFrame, Effects, Frame, Micros, Port, PublicKey } from '../router/types.ts';
import { FrameType, MICROS_PER_SECOND } from '../router/types.ts';
import { readBootstrapPayload } from '../router/wire/bootstrap.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { ConvergenceTracker } from '../sim/convergence.ts';

const topology = process.argv[2] ?? '/work/shared/topologies/rtree-0050.txt';
const atArg = process.argv[3] ?? '30';
const seed = process.argv[4] ?? '1';
const extraNodes = process.argv.slice(5);
const untilConverged = atArg === 'converged';
const at: Micros = untilConverged ? 0 : Math.round(Number(atArg) * MICROS_PER_SECOND);

const RULE_NAMES = Object.fromEntries(Object.entries(SnekRule).map(([k, v]) => [v, k]));

/** One bootstrap decision: at the origin (from = -1) or at a node it reached. */
interface Hop {
  readonly t: Micros;
  readonly node: number;
  readonly from: number;
  /** Bootstrap sequence (virtual ms); at the origin the one it is about to use. */
  readonly bootSeq: number;
  /** 'origin', 'fwd', 'arrived' or 'drop:…' with details. */
  readonly outcome: string;
  /** Next node chosen by §6.6 (-1: none). */
  readonly next: number;
  readonly rule: number;
  readonly bestKey: PublicKey;
  /** An entry was installed for the bootstrapper here (§6.5 step 6). */
  readonly installed: boolean;
}

const sim = new Simulation({ topology, seed, until: untilConverged ? 'converged' : at });
const host = sim.host;
// Our own tracker (sim/convergence.ts), sampled every 50 ms like `pinelab run` does.
const tracker = new ConvergenceTracker(host);
const SAMPLE: Micros = 50_000;
const sample = (): void => {
  tracker.sample(host.now);
  host.at(host.now + SAMPLE, sample);
};
host.at(0, sample);
const n = host.nodeCount;
const name = (i: number): string => (i < 0 ? '-' : host.nameAt(i));
const short = (k: PublicKey | null): string => (k === null ? 'none' : toHex(k).slice(0, 8));
const nodeByKey = new Map<string, number>();
for (let i = 0; i < n; i++) nodeByKey.set(toHex(host.keyAt(i)), i);
const nodeOf = (k: PublicKey): number => nodeByKey.get(toHex(k)) ?? -1;
const keyName = (k: PublicKey | null): string =>
  k === null ? 'none' : `${name(nodeOf(k))}(${short(k)})`;
const s = (t: Micros): string => (t / MICROS_PER_SECOND).toFixed(3);

/** Every decision about node b's bootstraps, in time order. */
const hops = new Map<number, Hop[]>();
const outcomes = new Map<string, number>();

function record(bootstrapper: number, hop: Hop): void {
  let list = hops.get(bootstrapper);
  if (list === undefined) {
    list = [];
    hops.set(bootstrapper, list);
  }
  list.push(hop);
  const kind = (hop.outcome.split('(')[0] as string).trim();
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
}

/** What `r` (node i) will do with this bootstrap: the checks of §6.5 in order. */
function classify(r: Router, i: number, port: Port, frame: BootstrapFrame): Hop {
  const res = snekNextHop(r, true, frame.destinationKey, frame.watermark);
  const next = res.port;
  const base = {
    t: r.now,
    node: i,
    from: host.peerAt(i, port),
    next: next > 0 ? host.peerAt(i, next) : -1,
    rule: res.rule,
    bestKey: res.key,
  };
  const payload = readBootstrapPayload(frame.payload);
  if (isCodecError(payload))
    return { ...base, bootSeq: -1, outcome: 'drop:decode', installed: false };
  const root = r.tree.rootAnnouncement();
  if (payload.rootSeq !== root.rootSeq || !keysEqual(payload.rootKey, root.rootKey)) {
    const outcome = `drop:root-mismatch (bootstrap ${short(payload.rootKey)}/${payload.rootSeq}, ours ${short(root.rootKey)}/${root.rootSeq}${r.tree.waiting ? ', in hold-down' : ''})`;
    return { ...base, bootSeq: payload.seq, outcome, installed: false };
  }
  const e = r.snake.get(frame.destinationKey);
  if (
    e !== null &&
    e.rootSeq === payload.rootSeq &&
    keysEqual(e.rootKey, payload.rootKey) &&
    payload.seq <= e.watermark.seq
  ) {
    const outcome = `drop:duplicate (entry seq ${e.watermark.seq})`;
    return { ...base, bootSeq: payload.seq, outcome, installed: false };
  }
  let outcome = 'fwd';
  if (next === NO_PORT) outcome = 'arrived';
  else if (next === port) outcome = `drop:arrival-link (best ${keyName(res.key)})`;
  else if (worse({ key: res.key, seq: res.seq }, frame.watermark))
    outcome = `drop:watermark (best ${keyName(res.key)}, frame ${keyName(frame.watermark.key)})`;
  return { ...base, bootSeq: payload.seq, outcome, installed: true };
}

for (let i = 0; i < n; i++) {
  const r = host.routerAt(i) as Router;
  const receive = r.receive.bind(r);
  r.receive = (now: Micros, port: Port, frame: Frame, fx: Effects): void => {
    if (frame.type === FrameType.Bootstrap && r.peers.get(port) !== undefined) {
      r.now = now;
      record(nodeOf(frame.destinationKey), classify(r, i, port, frame));
    }
    receive(now, port, frame, fx);
  };
  const timer = r.timer.bind(r);
  r.timer = (now: Micros, id: number, fx: Effects): void => {
    if (id !== TIMER_SNAKE) {
      timer(now, id, fx);
      return;
    }
    // The origin's decision (§6.4 step 4); the tick only clears state that does not affect it.
    r.now = now;
    const res = snekNextHop(r, true, r.publicKey, INITIAL_WATERMARK);
    const hop: Hop = {
      t: now,
      node: i,
      from: -1,
      bootSeq: r.options.clockEpochMs + Math.floor(now / 1000),
      outcome: 'origin',
      next: res.port > 0 ? host.peerAt(i, res.port) : -1,
      rule: res.rule,
      bestKey: res.key,
      installed: false,
    };
    const before = r.snake.lastBootstrap;
    timer(now, id, fx);
    if (r.snake.lastBootstrap !== before && r.snake.lastBootstrap === now) record(i, hop);
  };
}

while (!sim.advance(1 << 20)) {}
const result = sim.finish();
tracker.sample(host.now);

process.stdout.write(`${topology} seed ${seed}: state at ${s(host.now)} s\n`);
process.stdout.write(
  `tree converged at ${result.summary.treeConvergedAt} s, snake at ${result.summary.snakeConvergedAt} s, snake fraction now ${tracker.snakeFraction.toFixed(3)}\n`,
);
process.stdout.write(`link drops: ${JSON.stringify(Object.fromEntries(host.linkDrops))}\n`);
process.stdout.write(`bootstrap decisions: ${JSON.stringify(Object.fromEntries(outcomes))}\n`);

// Periodicity (§6.3): gaps between a node's successive bootstraps, and between successive
// installs of one key's entry at one node from the same link (a gap ≥ 10 s = the entry expired,
// §6.2, although the path was the same).
{
  const gaps = { under1: 0, under5: 0, exactly5: 0, over5: 0 };
  let maxGap = 0;
  let refreshes = 0;
  let expiredBetween = 0;
  for (const [b, list] of hops) {
    let lastOrigin = -1;
    const lastInstall = new Map<string, Micros>();
    for (const h of list) {
      if (h.from < 0 && h.node === b) {
        if (lastOrigin >= 0) {
          const g = h.t - lastOrigin;
          maxGap = Math.max(maxGap, g);
          if (g < MICROS_PER_SECOND) gaps.under1++;
          else if (g < 5 * MICROS_PER_SECOND) gaps.under5++;
          else if (g === 5 * MICROS_PER_SECOND) gaps.exactly5++;
          else gaps.over5++;
        }
        lastOrigin = h.t;
      } else if (h.installed) {
        const k = `${h.node}:${h.from}`;
        const prev = lastInstall.get(k);
        if (prev !== undefined) {
          refreshes++;
          if (h.t - prev >= 10 * MICROS_PER_SECOND) expiredBetween++;
        }
        lastInstall.set(k, h.t);
      }
    }
  }
  process.stdout.write(
    `bootstrap intervals: ${JSON.stringify(gaps)}, longest ${s(maxGap)} s; entry refreshes from the same link ${refreshes}, of which after expiry ${expiredBetween}\n`,
  );
}

// True predecessor per node (one component: the topologies used here never lose links).
const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
  compareKeys(host.keyAt(a), host.keyAt(b)),
);
const pred = new Int32Array(n).fill(-1);
for (let k = 1; k < order.length; k++) pred[order[k] as number] = order[k - 1] as number;
const wrong: number[] = [];
for (let i = 0; i < n; i++) if (!tracker.snakeOk(i)) wrong.push(i);
process.stdout.write(`\nwrong descending pointers (${wrong.length}):\n`);
for (const i of wrong) {
  const v = (host.routerAt(i) as Router).snapshot();
  const p = pred[i] as number;
  process.stdout.write(
    `  ${keyName(v.key)} depth ${v.coords.length}: has ${keyName(v.descendingKey)}, want ${keyName(p < 0 ? null : host.keyAt(p))}\n`,
  );
}

const grouped = new Map<number, Hop[][]>();
/** The bootstraps of node b, grouped by sequence, each as its hops in order (cached). */
function bootstraps(b: number): Hop[][] {
  const cached = grouped.get(b);
  if (cached !== undefined) return cached;
  const bySeq = new Map<number, Hop[]>();
  for (const h of hops.get(b) ?? []) {
    let path = bySeq.get(h.bootSeq);
    if (path === undefined) {
      path = [];
      bySeq.set(h.bootSeq, path);
    }
    path.push(h);
  }
  const out = [...bySeq.values()];
  grouped.set(b, out);
  return out;
}

function describe(path: readonly Hop[]): string {
  const last = path[path.length - 1] as Hop;
  const end = last.outcome === 'fwd' || last.outcome === 'origin' ? 'lost' : last.outcome;
  return `${s((path[0] as Hop).t)} ${path.map((h) => name(h.node)).join(' -> ')}: ${end}`;
}

function traceBootstraps(b: number, title: string): void {
  process.stdout.write(`\nbootstraps of ${keyName(host.keyAt(b))} (${title}):\n`);
  for (const path of bootstraps(b)) process.stdout.write(`  ${describe(path)}\n`);
}

const x = wrong[0];
if (x !== undefined && (pred[x] as number) >= 0) {
  traceBootstraps(pred[x] as number, `true predecessor of ${name(x)}`);
  traceBootstraps(x, `${name(x)} itself`);
}
for (const extra of extraNodes) {
  const i = host.indexOf(extra);
  if (i !== undefined) traceBootstraps(i, 'requested');
}

/**
 * When did node `at` start holding the entry for b's key that it used at time t with source link
 * towards node `via`? Walks back over b's installs there (§6.5 step 6) while they came from `via`
 * and were less than the 10 s expiry apart (§6.2); null if there is no such install.
 */
function entrySince(at: number, b: number, via: number, t: Micros): Micros | null {
  const expiry = 10 * MICROS_PER_SECOND;
  const ins = (hops.get(b) ?? []).filter((h) => h.node === at && h.installed && h.t <= t);
  let k = ins.length - 1;
  if (k < 0 || (ins[k] as Hop).from !== via || t - (ins[k] as Hop).t >= expiry) return null;
  while (
    k > 0 &&
    (ins[k - 1] as Hop).from === via &&
    (ins[k] as Hop).t - (ins[k - 1] as Hop).t < expiry
  )
    k--;
  return (ins[k] as Hop).t;
}

/** Explain why bootstrap `path` of node b went where it did, recursing over table entries. */
function chain(b: number, path: readonly Hop[], depth: number): void {
  const indent = `  [${depth}] `;
  process.stdout.write(`${indent}${name(b)}'s bootstrap ${describe(path)}\n`);
  if (depth >= 500) return;
  const all = bootstraps(b);
  const idx = all.indexOf(path as Hop[]);
  const prev = idx > 0 ? all[idx - 1] : undefined;
  if (prev === undefined) {
    process.stdout.write(`${indent}  (its first bootstrap)\n`);
    return;
  }
  // First hop where this path's decision differs from the previous bootstrap's.
  let j = 0;
  while (
    j < path.length &&
    j < prev.length &&
    (path[j] as Hop).node === (prev[j] as Hop).node &&
    (path[j] as Hop).next === (prev[j] as Hop).next
  )
    j++;
  const h = path[j];
  if (h === undefined) {
    process.stdout.write(`${indent}  (same path as the previous bootstrap)\n`);
    return;
  }
  const before = prev[j];
  const was =
    before === undefined || before.node !== h.node
      ? 'the previous bootstrap never got here'
      : `previous bootstrap at ${s(before.t)} went to ${name(before.next)} for ${keyName(before.bestKey)}`;
  process.stdout.write(
    `${indent}  differs at ${name(h.node)}: now to ${name(h.next)} for ${keyName(h.bestKey)} by ${RULE_NAMES[h.rule]}; ${was}\n`,
  );
  if (h.rule !== SnekRule.TableEntry) return;
  const k = nodeOf(h.bestKey);
  const since = entrySince(h.node, k, h.next, h.t);
  if (since === null) return;
  const laid = bootstraps(k).find((p) => p.some((q) => q.node === h.node && q.t === since));
  if (laid === undefined) return;
  process.stdout.write(
    `${indent}  entry for ${keyName(h.bestKey)} at ${name(h.node)} laid at ${s(since)} by:\n`,
  );
  chain(k, laid, depth + 1);
}

if (untilConverged && result.summary.snakeConvergedAt !== null) {
  // The node whose descending pointer became final last, and the bootstrap that made it so.
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (
      last < 0 ||
      (tracker.snakeChangedAt[i] as number) > (tracker.snakeChangedAt[last] as number)
    )
      last = i;
  }
  const p = pred[last] as number;
  const fixedAt = tracker.snakeChangedAt[last] as number;
  process.stdout.write(
    `\ncausal chain: ${keyName(host.keyAt(last))} got its final descending pointer by the sample at ${s(fixedAt)} s\n`,
  );
  const arrival =
    p < 0
      ? undefined
      : bootstraps(p).filter((path) => {
          const end = path[path.length - 1] as Hop;
          return end.node === last && end.outcome === 'arrived' && end.t <= fixedAt;
        });
  const final = arrival?.[arrival.length - 1];
  if (final !== undefined) chain(p, final, 0);
}
