/**
 * cli/run.ts — `pinelab run`: simulate a topology until it converges (or for a fixed virtual
 * time), measure path stretch and delivery per routing mode, print a summary, write the results
 * folder and optionally a state dump.
 *
 * A run is a scenario with no actions plus a final measurement: it goes through the one executor,
 * run/execute.ts (Execution), exactly like `pinelab scenario run` and sweeps, so every run
 * writes the same files (results/schema.ts). The CLI advances it in chunks so a SIGINT can stop it
 * cleanly and a progress line can be drawn.
 *
 * Stopping rule for `--until converged`: convergence is sampled on a fixed virtual grid; once tree
 * and snake both hold, the run continues 3 virtual seconds (to see that they keep holding) and
 * stops; if they break in between, the wait starts over. `--timeout` is virtual time too; reaching
 * it first is exit code 3.
 *
 * Stretch: all ordered pairs of connected nodes up to STRETCH_EXACT_UP_TO nodes, above that a
 * seeded sample of `--stretch-pairs` pairs (summary.stretch.<mode>.pairs / .sampled say which);
 * every pair is a real probe per mode (snek, hybrid, given, tree: results/schema.ts RoutingMode;
 * a hybrid pair is a three-packet conversation). Hop-by-hop paths with the router's reasons
 * (paths.json) are recorded up to PATHS_UP_TO nodes unless --paths / --no-paths says.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { type Reached, ROUTING_MODES, type RunSummary } from '../results/schema.ts';
import { writeFileAtomic, writeJsonAtomic } from '../results/write.ts';
import { DEFAULT_ROUTER_OPTIONS } from '../router/options.ts';
import { MICROS_PER_SECOND, type Micros } from '../router/types.ts';
import type { ScenarioSummary } from '../run/execute.ts';
import {
  DEFAULT_STRETCH_PAIRS,
  markInterrupted,
  PATHS_UP_TO,
  type RunConfig,
  type RunResult,
  Simulation,
  STRETCH_EXACT_UP_TO,
  writeResults,
} from '../run/simulation.ts';
import { parseDuration } from '../scenarios/duration.ts';
import type { CryptoName } from '../scenarios/types.ts';
import { loadVariant } from '../scenarios/variant-load.ts';
import { TRANSPORTS, type Transport } from '../sim/link.ts';
import { REPEER_MODES, type Repeer } from '../sim/peering.ts';
import { parseProcessing } from '../sim/processing.ts';
import { episodeLines, warningLines } from './episode-lines.ts';
import { checkOutFile, checkOutFolder } from './preflight.ts';
import { buildReport } from './report.ts';
import { INTERRUPTED_EXIT, StopRequest } from './stop.ts';

// The simulation moved to run/simulation.ts; re-exported for the tests and scripts that import it
// from here.
export {
  type RunConfig,
  runSimulation,
  Simulation,
  writeResults,
} from '../run/simulation.ts';

// -------------------------------------------------------------------------------------------------
// Command line

/**
 * `--snapshots every:<duration>`: dense snapshots for the viewer's timeline, e.g.
 * every:1s. Returns the interval in µs; InputError naming the flag otherwise.
 */
export function parseSnapshotsArg(text: string, flag = '--snapshots'): Micros {
  const m = /^every:(.+)$/.exec(String(text).trim());
  const us = m ? parseDuration(m[1] as string) : null;
  if (us === null || us <= 0)
    throw new InputError(
      `${flag}: expected every:<duration> like every:1s or every:500ms, got '${text}'`,
    );
  return us;
}

function durationArg(flag: string, text: string): Micros {
  const us = parseDuration(String(text));
  if (us === null)
    throw new InputError(
      `--${flag}: expected ${flag === 'until' ? "'converged' or " : ''}a duration like 250ms, 30s, 5m or 0, got '${text}'`,
    );
  return us;
}

/** Bits per second: a number with an optional k/M/G suffix (decimal), e.g. 10M, 1.5G, 56k. */
export function parseBandwidth(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kKMG]?)(?:bps|bit\/s)?$/.exec(text.trim());
  if (m === null) return null;
  const scale = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'k' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * scale);
}

/** Probability: 0.01 or 1%. */
export function parseLoss(text: string): number | null {
  const t = text.trim();
  const pct = t.endsWith('%');
  const digits = pct ? t.slice(0, -1) : t;
  // Decimal only: Number() also reads '0x1', '0b1' and '1e0' as 1, i.e. 100% loss.
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(digits)) return null;
  const v = Number(digits);
  if (!Number.isFinite(v)) return null;
  // 99.9 / 100 is 0.9990000000000001 in binary floating point: a --snake-quorum of 99.9% would
  // then refuse a fraction of exactly 0.999. 15 significant digits undo the division's error.
  const p = pct ? Number((v / 100).toPrecision(15)) : v;
  return p >= 0 && p <= 1 ? p : null;
}

/** `--snake-quorum` (and bench `--quorum`): a share of the nodes in (0, 1], else null. */
export function parseQuorum(text: string): number | null {
  const q = parseLoss(text);
  return q === null || q === 0 ? null : q;
}

const BOOLEAN_ROUTER_OPTIONS = Object.entries(DEFAULT_ROUTER_OPTIONS)
  .filter(([, v]) => typeof v === 'boolean')
  .map(([k]) => k);

/** `--quirk name[=on|off]`: name is a boolean router option, camelCase or kebab-case. */
export function parseQuirks(quirks: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const q of quirks) {
    const m = /^([A-Za-z-]+)(?:=(on|off|true|false))?$/.exec(q.trim());
    const name = m?.[1]?.replace(/-([a-z])/g, (_s, c: string) => c.toUpperCase());
    if (m === null || name === undefined || !BOOLEAN_ROUTER_OPTIONS.includes(name)) {
      throw new InputError(
        `--quirk ${q}: expected <option>[=on|off] with option one of: ${BOOLEAN_ROUTER_OPTIONS.join(', ')}`,
      );
    }
    out[name] = m[2] === undefined || m[2] === 'on' || m[2] === 'true';
  }
  return out;
}

interface RunArgs {
  topology: string;
  format?: string;
  seed: string;
  keys?: string;
  until: string;
  timeout: string;
  'snake-quorum': string;
  /** Results parent folder; false (--no-out) writes nothing. */
  out?: string | false;
  json: boolean;
  progress?: boolean;
  stretch?: boolean;
  'stretch-pairs'?: number;
  paths?: boolean;
  events?: boolean;
  snapshots?: string;
  report?: boolean;
  'dump-state'?: string;
  crypto: CryptoName;
  'wire-encode': boolean;
  latency: string;
  jitter: string;
  bandwidth: string;
  loss: string;
  'max-ports': number;
  'start-spread': string;
  processing?: string;
  transport?: Transport;
  repeer?: Repeer;
  hybrid: 'on' | 'off';
  quirk: string[];
  variant?: string;
}

/** A fraction as a percentage with one decimal; a dash when there is none yet (NaN). */
export function percent(f: number): string {
  return Number.isNaN(f) ? '–' : `${(100 * f).toFixed(1)}%`;
}

/**
 * A fraction of `nodes` for a progress line, with the count of nodes still wrong once it is above
 * 99% (on a big network "100.0%" would otherwise show for the whole of a long tail).
 */
export function share(f: number, nodes: number): string {
  if (!(f >= 0.99) || f === 1) return percent(f);
  return `${percent(f)} (${Math.round((1 - f) * nodes)} left)`;
}

/**
 * A one-time hint for `--until converged` without a quorum: once at least 99.9% but not all of the
 * descending pointers have been right for a virtual minute, a big snake may never be right
 * everywhere at once (README "Large networks"), so say how to stop.
 */
export class QuorumHint {
  private since: Micros | null = null;
  private shown = false;

  check(now: Micros, snake: number): string | null {
    if (this.shown) return null;
    if (!(snake >= 0.999) || snake === 1) {
      this.since = null;
      return null;
    }
    this.since ??= now;
    if (now - this.since < 60 * MICROS_PER_SECOND) return null;
    this.shown = true;
    return (
      'pinelab: at least 99.9% of the descending pointers have been right for a virtual minute, but ' +
      'not all at once; a big snake may never be (README "Large networks"). --snake-quorum 99.9% ' +
      'stops at that share; Ctrl-C stops now and writes the results so far.'
    );
  }
}

/** One progress line: virtual time, speed, and the latest convergence sample. */
export function progressLine(sim: Simulation, wallSeconds: number): string {
  const virtual = sim.now / MICROS_PER_SECOND;
  const wall = Math.max(wallSeconds, 1e-3);
  const c = sim.convergence;
  return (
    `  t=${virtual.toFixed(2)} s  ${sim.events.toLocaleString('en-US')} events  ` +
    `${Math.round(sim.events / wall).toLocaleString('en-US')} events/s  ` +
    `${(virtual / wall).toFixed(2)}× real time  tree ${share(c.tree, c.nodes)}  snake ${share(c.snake, c.nodes)}  ` +
    `wall ${wall.toFixed(0)} s`
  );
}

/** Flags → RunConfig (all validation errors are InputErrors naming the flag). */
export function configFromArgs(args: RunArgs, command: string): RunConfig {
  const bandwidth = parseBandwidth(String(args.bandwidth));
  if (bandwidth === null)
    throw new InputError(
      `--bandwidth: expected bits per second like 0, 1000000, 10M or 1G, got '${args.bandwidth}'`,
    );
  const loss = parseLoss(String(args.loss));
  if (loss === null)
    throw new InputError(
      `--loss: expected a probability in [0, 1] like 0.01 or 1%, got '${args.loss}'`,
    );
  const maxPorts = Number(args['max-ports']);
  // Above 253 (PROTOCOL.md §4.1) is a simulator-only extension: hub-heavy maps keep every link.
  if (!Number.isInteger(maxPorts) || maxPorts < 1 || maxPorts > 65535) {
    throw new InputError(
      `--max-ports: expected an integer in 1..65535 (253 = the protocol's limit), got '${args['max-ports']}'`,
    );
  }
  const quorum = parseQuorum(String(args['snake-quorum']));
  if (quorum === null)
    throw new InputError(
      `--snake-quorum: expected a share of the nodes in (0, 1] like 99.9% or 0.999, got '${args['snake-quorum']}'`,
    );
  if (!/^[\x21-\x7e]+$/.test(String(args.seed))) {
    throw new InputError(
      `--seed: expected a non-empty printable string without spaces, got '${args.seed}'`,
    );
  }
  return {
    topology: args.topology,
    ...(args.format === undefined ? {} : { format: args.format }),
    seed: String(args.seed),
    ...(args.keys === undefined ? {} : { keysFile: args.keys }),
    until: args.until === 'converged' ? 'converged' : durationArg('until', args.until),
    timeout: durationArg('timeout', args.timeout),
    ...(quorum === 1 ? {} : { snakeQuorum: quorum }),
    crypto: args.crypto,
    wireEncode: args['wire-encode'],
    link: {
      latency: durationArg('latency', args.latency),
      jitter: durationArg('jitter', args.jitter),
      bandwidth,
      loss,
    },
    startSpread: durationArg('start-spread', args['start-spread']),
    processing: parseProcessing(args.processing ?? 'off', '--processing'),
    ...(args.transport === undefined ? {} : { transport: args.transport }),
    ...(args.repeer === undefined ? {} : { repeer: args.repeer }),
    router: {
      hybrid: args.hybrid === 'on',
      maxPorts,
      ...parseQuirks(args.quirk),
    },
    ...(args.stretch === undefined ? {} : { stretch: args.stretch }),
    ...(args['stretch-pairs'] === undefined
      ? {}
      : { stretchPairs: stretchPairsArg(args['stretch-pairs']) }),
    ...(args.paths === undefined ? {} : { paths: args.paths }),
    ...(args.events === undefined ? {} : { events: args.events }),
    ...(args.snapshots === undefined ? {} : { snapshotEvery: parseSnapshotsArg(args.snapshots) }),
    command,
  };
}

/**
 * A note when `--stretch-pairs N` was not what got measured (otherwise 20,000 on 1,000 nodes
 * measured 10,000 without a word): below the exact limit every ordered pair is probed, above it
 * the sample draws 10 destinations from each source (results/stretch.ts), so at most 10 per node.
 * `sent` of the routed modes is the number of pairs probed; null when it is N.
 */
export function stretchPairsNote(asked: number, summary: RunSummary): string | null {
  const probed = Math.max(0, ...Object.values(summary.delivery ?? {}).map((d) => d?.sent ?? 0));
  const sampled = Object.values(summary.stretch ?? {}).some((s) => s?.sampled === true);
  if (probed === 0 || probed === asked) return null;
  return sampled
    ? `note: --stretch-pairs ${asked}: ${probed} pairs probed, the most this topology's sample gives (10 destinations from each source, ${summary.nodes} nodes)`
    : `note: --stretch-pairs ${asked}: all ${probed} ordered pairs probed instead (small topologies are measured exactly)`;
}

function stretchPairsArg(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(
      `--stretch-pairs: expected a positive whole number, got '${String(value)}'`,
    );
  return n;
}

const num = (v: number): string => String(Math.round(v * 1000) / 1000);

/** One line per measured mode: stretch distribution, sample size, delivery. */
export function stretchLines(s: RunSummary): string[] {
  const lines: string[] = [];
  for (const mode of ROUTING_MODES) {
    const st = s.stretch?.[mode];
    const d = s.delivery?.[mode];
    if (st === undefined || d === undefined) continue;
    const dropped = Object.entries(d.dropped)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    // With no pair delivered there is no stretch to report: say so rather than print zeros.
    const figures =
      st.pairs === 0
        ? 'no pair delivered, so no stretch'
        : `mean ${num(st.mean)}  p50 ${num(st.p50)}  p95 ${num(st.p95)}  max ${num(st.max)}  (${st.pairs} pairs${st.sampled ? ', seeded sample' : ', all pairs'}; ${Math.round(st.shortestShare * 100)}% shortest)`;
    lines.push(
      `${`stretch ${mode}`.padEnd(15)}${figures}  delivered ${d.delivered}/${d.sent}${d.misdelivered > 0 ? `, misdelivered ${d.misdelivered}` : ''}${dropped ? `, dropped ${dropped}` : ''}${d.lost > 0 ? `, lost ${d.lost}` : ''}`,
    );
    // The conversations' first packets: through the cache as the measurement found it.
    const first = mode === 'hybrid' ? s.hybridFirst : undefined;
    if (first !== undefined && first.pairs > 0)
      lines.push(
        `${'  1st packet'.padEnd(15)}mean ${num(first.mean)}  p50 ${num(first.p50)}  p95 ${num(first.p95)}  max ${num(first.max)}  (S→D before the exchange: SNEK unless S had D's coordinates cached)`,
      );
  }
  return lines;
}

/** What to do with the results folder (printed after the summary). */
export function nextSteps(dir: string, report: boolean): string {
  const rows: [string, string][] = [
    [`npx pinelab view ${dir}`, 'interactive viewer on http://127.0.0.1 (Ctrl-C to stop)'],
    report
      ? [
          pathToFileURL(resolve(dir, 'report.html')).href,
          'the same viewer in one offline file: open it in a browser',
        ]
      : [`npx pinelab report ${dir} -o ${join(dir, 'report.html')}`, 'one offline HTML file'],
    [`npx pinelab compare ${dir} <other-run>`, 'every summary figure side by side'],
  ];
  const width = Math.max(...rows.map(([c]) => c.length));
  return `\nNext:\n${rows.map(([c, w]) => `  ${c.padEnd(width)}   # ${w}`).join('\n')}\n`;
}

/**
 * The snake as shares of nodes (summary snakeHeld, snakeLosses, snakeQuorumAt): on big networks it
 * may never be right everywhere at once, and these say how close it got and how much it flickered.
 */
export function heldLines(s: RunSummary): string[] {
  const from = (t: number | null | undefined): string =>
    t == null ? 'not at the end' : `from ${t} s on`;
  const lines: string[] = [];
  if (s.snakeHeld !== undefined)
    lines.push(
      `snake held     right at 99% of nodes ${from(s.snakeHeld.at99)}, at 99.9% ${from(s.snakeHeld.at999)}; right pointers lost ${s.snakeLosses ?? 0} times`,
    );
  if (s.snakeQuorum !== undefined)
    lines.push(
      `snake quorum   right at ${+(100 * s.snakeQuorum).toFixed(6)}% of nodes ${from(s.snakeQuorumAt)} (--snake-quorum)`,
    );
  return lines;
}

/**
 * Table churn (summary tableInstalls) against the run's bootstrap hops (framesByType.bootstrap):
 * the share of hops that found no entry for their key (§6.5 step 6). Nothing for older results.
 */
export function churnLines(s: ScenarioSummary): string[] {
  const installs = s.tableInstalls;
  const hops = s.framesByType['bootstrap'];
  if (installs === undefined || hops === undefined || hops === 0) return [];
  const share = ((100 * installs) / hops).toFixed(1);
  return [
    `table churn    ${installs} entries installed for keys a node lacked: ${share}% of ${hops} bootstrap hops`,
  ];
}

function humanSummary(result: RunResult, outDir: string | null): string {
  const s = result.summary;
  const fmt = (t: number | null): string => (t === null ? 'not converged' : `${t.toFixed(3)} s`);
  // How far convergence had got per node (summary treeReached/snakeReached): shows a long tail,
  // and what a run stopped early reached.
  const by = (r: Reached | undefined): string => {
    if (r === undefined) return '';
    const at = (t: number | null): string => (t === null ? '–' : `${t} s`);
    return `   (50% of nodes at ${at(r.p50)}, 90% at ${at(r.p90)}, 99% at ${at(r.p99)})`;
  };
  const frames = Object.entries(s.framesByType)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `topology       ${result.manifest.topology.source}: ${s.nodes} nodes, ${s.links} links up${s.refusedLinks > 0 ? ` (${s.refusedLinks} refused: no free port, §4.1)` : ''} (seed ${s.seed})`,
    `root           ${s.root ?? '-'}`,
    `tree           ${fmt(s.treeConvergedAt)}${by(s.treeReached)}`,
    `snake          ${fmt(s.snakeConvergedAt)}${by(s.snakeReached)}`,
    ...heldLines(s),
    ...episodeLines(s),
    `frames         ${frames}`,
    ...churnLines(s),
    ...stretchLines(s),
    `virtual        ${s.virtualSeconds.toFixed(3)} s, ${s.events} events, wall ${s.wallSeconds.toFixed(2)} s (${Math.round(s.events / Math.max(s.wallSeconds, 1e-6)).toLocaleString('en-US')} events/s)`,
    `trace hash     ${s.traceHash}`,
  ];
  if (outDir !== null) lines.push(`results        ${outDir}`);
  return `${lines.join('\n')}\n`;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'simulate a topology until it converges (or for a virtual duration)',
  builder: (y: Argv<object>) =>
    y
      .option('topology', {
        type: 'string',
        demandOption: true,
        describe:
          'topology file (.txt pinecone, .edges, .graphml, .gexf, .json) or generator spec (ring:50, …)',
      })
      .option('format', {
        type: 'string',
        describe: 'file format when the extension does not tell',
      })
      .option('seed', {
        type: 'string',
        default: '1',
        describe: 'run seed: node keys, start times, jitter, loss',
      })
      .option('keys', {
        type: 'string',
        describe: 'JSON file {"node": "64 hex seed"} overriding derived keys',
      })
      .option('until', {
        type: 'string',
        default: 'converged',
        describe:
          "'converged' (stop 3 s after tree and snake hold) or a virtual duration (30s, 5m, 250ms)",
      })
      .option('timeout', {
        type: 'string',
        default: '10m',
        describe: 'virtual-time limit for --until converged (exit code 3 when reached)',
      })
      .option('snake-quorum', {
        type: 'string',
        default: '100%',
        describe:
          'with --until converged: the share of nodes whose descending pointer must be right (99.9% or 0.999). Big snakes may never be right everywhere at once: pointers expire and come back (summary snakeLosses)',
      })
      .option('out', {
        type: 'string',
        default: 'runs',
        describe: 'write the results folder DIR/<topology>-s<seed>-<hash8>/ (--no-out: none)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the summary as one JSON object',
      })
      .option('progress', {
        type: 'boolean',
        describe:
          'progress on stderr: virtual time, events/s, tree and snake fractions (default: on a terminal; --progress writes a line every 10 s to logs too)',
      })
      .option('stretch', {
        type: 'boolean',
        default: true,
        describe: `measure stretch and delivery per mode with real probes at the end (--no-stretch: skip): snek (SNEK only), hybrid (conversations through the coordinates cache), given (destination coordinates given), tree (tree only)`,
      })
      .option('stretch-pairs', {
        type: 'number',
        describe: `pairs probed above ${STRETCH_EXACT_UP_TO} nodes, a seeded sample (default ${DEFAULT_STRETCH_PAIRS}; all ordered pairs up to ${STRETCH_EXACT_UP_TO} nodes)`,
      })
      .option('paths', {
        type: 'boolean',
        describe: `record hop-by-hop paths with the router's reasons in paths.json (default: on up to ${PATHS_UP_TO} nodes)`,
      })
      .option('report', {
        type: 'boolean',
        default: false,
        describe: 'also write <results>/report.html: the viewer and the data in one offline file',
      })
      .option('events', {
        type: 'boolean',
        default: false,
        describe: 'write events.jsonl: every frame sent/received, state changes, probes',
      })
      .option('snapshots', {
        type: 'string',
        describe:
          'dense snapshots for the viewer timeline: every:1s writes the whole network state each virtual second to snapshots.json',
      })
      .option('dump-state', {
        type: 'string',
        describe: 'write per-node final state as JSON to FILE',
      })
      .option('crypto', {
        choices: ['node', 'noble', 'trust'] as const,
        default: 'node' as CryptoName,
        describe: 'ed25519 backend; trust = sign but never verify',
      })
      .option('wire-encode', {
        type: 'boolean',
        default: false,
        describe: 'encode every frame to bytes and decode at the receiver',
      })
      .option('latency', {
        type: 'string',
        default: '1ms',
        describe: 'default one-way link latency (topology attributes override)',
      })
      .option('jitter', {
        type: 'string',
        default: '0',
        describe: 'default extra uniform delay [0, jitter); never reorders a link',
      })
      .option('bandwidth', {
        type: 'string',
        default: '0',
        describe: 'default link bandwidth in bit/s (10M, 1G); 0 = unlimited',
      })
      .option('loss', {
        type: 'string',
        default: '0',
        describe: 'default frame loss probability (0.01 or 1%)',
      })
      .option('max-ports', {
        type: 'number',
        default: 253,
        describe: 'peering ports per router (PROTOCOL.md §4.1: 253; more = simulator-only)',
      })
      .option('start-spread', {
        type: 'string',
        default: '1s',
        describe: 'node start times uniform over [0, spread); 0 = all at t=0',
      })
      .option('transport', {
        choices: TRANSPORTS,
        default: 'stream' as Transport,
        describe:
          'what --loss means: stream (TCP as Pinecone peers: lost segments are retransmitted after an RTO, frames behind wait) or datagram (a lost frame is gone); README "Model"',
      })
      .option('repeer', {
        choices: REPEER_MODES,
        default: 'static' as Repeer,
        describe:
          'how dropped links come back (PROTOCOL.md §4.6): static (re-dialled every 5 s, backoff 2^k s up to 1 h), discovery (LAN beacons every 2 s) or none',
      })
      .option('processing', {
        type: 'string',
        default: 'off',
        describe:
          'per-node CPU model: off, server or phone (frames and ed25519 signatures take time, first come first served; README "Model")',
      })
      .option('hybrid', {
        choices: ['on', 'off'] as const,
        default: 'on' as const,
        describe: 'hybrid routing (coordinates cache, §1.3)',
      })
      .option('quirk', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: `router switch <option>[=on|off], repeatable: ${BOOLEAN_ROUTER_OPTIONS.join(', ')}`,
      })
      .option('variant', {
        type: 'string',
        describe:
          'variant module: router decisions and §8 timers replaced (router/variant.ts, examples/variants/); path relative to the cwd',
      })
      .example(
        '$0 run --topology examples/demo.txt',
        'the bundled demo, until converged, into runs/',
      )
      .example(
        '$0 run --topology ../shared/topologies/fc00.txt --json --no-out',
        'a real map; one JSON summary on stdout, no files',
      )
      .example(
        '$0 run --topology ba:2000,m=2 --until 2m --latency 20ms --jitter 5ms --stretch-pairs 500',
        'a generated graph for two virtual minutes on slower links',
      )
      .example(
        '$0 run --topology ba:50000,m=2 --snake-quorum 99.9% --no-stretch --progress',
        'a big graph: stop once 99.9% of the descending pointers hold (about 20 minutes)',
      )
      .example(
        '$0 run --topology examples/sim.txt --quirk headSkipFirstInform --quirk hybrid=off',
        'A/B a [HEAD] behaviour and pre-hybrid routing against the d0beb18 defaults',
      )
      .example(
        '$0 run --topology line:6 --keys keys.json --dump-state state.json',
        'fixed identities, full state dump',
      )
      .epilog(
        'Durations: 200us, 250ms, 1.5s, 30s, 5m, 2h, or 0 (--latency, --jitter, --start-spread, --until, --timeout).\n' +
          'Default link: latency 1 ms, jitter 0, bandwidth 0 (unlimited), loss 0. Times are virtual.\n' +
          'Exit codes: 0 done, 2 bad input (found before the run starts), 3 --until converged reached --timeout, 130 interrupted (Ctrl-C, SIGTERM or SIGHUP: what is complete is written, marked interrupted in summary.json and manifest.json).\n' +
          'Results go to runs/ by default (git-ignored, outside the source tree).',
      ) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const command = ['pinelab', ...process.argv.slice(2)].join(' ');
    const parsed = configFromArgs(args, command);
    // Output paths first: a bad one is exit 2 now, not an internal error after the run.
    if (typeof args.out === 'string' && args.out !== '') checkOutFolder('--out', args.out);
    if (args['dump-state'] !== undefined) checkOutFile('--dump-state', args['dump-state']);
    const config =
      args.variant === undefined ? parsed : { ...parsed, variant: await loadVariant(args.variant) };
    // Ctrl-C, SIGTERM and SIGHUP stop the run at the next chunk and write what is complete
    // (cli/stop.ts); a signal during the measurement or the writing is honoured once they return.
    const stop = new StopRequest();
    stop.onAgain = () =>
      process.stderr.write('pinelab: stopping: writing what is complete, one moment…\n');
    const tty = process.stderr.isTTY === true;
    // On a terminal one line redrawn 4× a second; to a log (--progress) a line every 10 s.
    const progress = args.progress ?? tty;
    const redraw = tty && progress;
    let result: RunResult;
    let dir: string | null = null;
    /** Where a signal stopped the run: null (it did not), 'run' or 'after' (measuring, writing). */
    let stoppedIn: 'run' | 'after' | null = null;
    try {
      const sim = new Simulation(config);
      const wallStart = performance.now();
      let lastProgress = 0;
      const hint =
        config.until === 'converged' && config.snakeQuorum === undefined ? new QuorumHint() : null;
      while (!stop.requested && !sim.advance(200_000)) {
        const tip = hint?.check(sim.now, sim.convergence.snake) ?? null;
        if (tip !== null) process.stderr.write(`${redraw ? '\r\x1b[K' : ''}${tip}\n`);
        if (progress) {
          const now = performance.now();
          if (now - lastProgress > (redraw ? 250 : 10_000)) {
            lastProgress = now;
            const line = progressLine(sim, (now - wallStart) / 1000);
            process.stderr.write(redraw ? `\r${line}  ` : `${line}\n`);
          }
        }
        // Let signals in between chunks.
        await stop.settle();
      }
      if (redraw) process.stderr.write('\r\x1b[K');
      if (stop.requested) {
        sim.interrupted = true;
        stoppedIn = 'run';
      }
      // On a terminal a line the summary replaces; in a --progress log a line of its own.
      if (!sim.interrupted && config.stretch !== false && (tty || progress))
        process.stderr.write(
          tty ? '  measuring stretch and delivery…' : 'measuring stretch and delivery…\n',
        );
      result = sim.finish();
      if (tty) process.stderr.write('\r\x1b[K');
      // A signal during the (synchronous) measurement arrives now: the run is marked interrupted.
      if ((await stop.settle()) && !result.interrupted) {
        result = markInterrupted(result);
        stoppedIn = 'after';
      }
      if (typeof args.out === 'string' && args.out !== '') dir = writeResults(args.out, result);
      if (args['dump-state'] !== undefined) writeJsonAtomic(args['dump-state'], result.dumpState());
      // A report.html already in the folder (an earlier --report of the same run id) is rewritten
      // from the new files rather than left stale beside them. Not once stopped.
      if (
        dir !== null &&
        !stop.requested &&
        (args.report === true || existsSync(join(dir, 'report.html')))
      ) {
        const html = await buildReport(dir);
        if (!(await stop.settle())) writeFileAtomic(join(dir, 'report.html'), html);
      }
      // A signal while writing: the files are complete; summary.json (last) now says interrupted.
      if ((await stop.settle()) && !result.interrupted) {
        result = markInterrupted(result);
        stoppedIn = 'after';
        if (dir !== null) {
          writeJsonAtomic(join(dir, 'manifest.json'), result.manifest);
          writeJsonAtomic(join(dir, 'summary.json'), result.summary);
        }
      }
    } finally {
      stop.dispose();
    }
    if (args.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
    else {
      process.stdout.write(humanSummary(result, dir));
      if (dir !== null) process.stdout.write(nextSteps(dir, args.report === true));
    }
    // Links the routers dropped (summary warnings): on stderr, after the summary.
    for (const line of warningLines(result.summary)) process.stderr.write(`${line}\n`);
    if (args['stretch-pairs'] !== undefined) {
      const note = stretchPairsNote(stretchPairsArg(args['stretch-pairs']), result.summary);
      if (note !== null) process.stderr.write(`${note}\n`);
    }
    if (result.interrupted) {
      const kept = [
        dir === null ? null : `results in ${dir}`,
        args['dump-state'] === undefined ? null : `state dump in ${args['dump-state']}`,
      ]
        .filter((x) => x !== null)
        .join(' and ');
      const by = stop.signal === 'SIGINT' || stop.signal === null ? '' : ` by ${stop.signal}`;
      process.stderr.write(
        stoppedIn === 'after'
          ? `pinelab: interrupted${by} after the run's end (measuring or writing); what was complete is written${kept ? ` (kept: ${kept}, marked interrupted in the manifest and summary)` : ''}.\n`
          : `pinelab: interrupted${by} at virtual ${result.summary.virtualSeconds.toFixed(3)} s; the summary covers the run up to there, without the final stretch measurement${kept ? ` (kept: ${kept}, marked interrupted in the manifest and summary)` : ''}.\n`,
      );
      process.exitCode = INTERRUPTED_EXIT;
    } else if (result.timedOut) {
      process.stderr.write(
        `pinelab: not converged within --timeout ${args.timeout} of virtual time (tree ${result.summary.treeConvergedAt === null ? 'no' : 'yes'}, snake ${result.summary.snakeConvergedAt === null ? 'no' : 'yes'}).\n`,
      );
      process.exitCode = 3;
    }
  },
};
