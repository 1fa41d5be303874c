/**
 * cli/run.ts — `pinelab run`: simulate a topology until it converges (or for a fixed virtual
 * time), print a summary, optionally write the results folder and a state dump.
 *
 * `runSimulation(config)` is the programmatic entry (tests, sweeps); the CLI drives the same
 * `Simulation` in chunks so a SIGINT can stop it cleanly and a progress line can be drawn.
 *
 * Stopping rule for `--until converged`: the convergence tracker (sim/convergence.ts) is sampled on
 * a fixed virtual grid; once tree and snake both hold, the run continues 3 virtual seconds (to see
 * that they keep holding) and stops; if they break in between, the wait starts over. `--timeout`
 * is virtual time too; reaching it first is exit code 3.
 */
import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Argv, CommandModule } from 'yargs';
import { buildManifest } from '../results/manifest.ts';
import { writeRunResults } from '../results/run-results.ts';
import type {
  NodeRow,
  RunManifest,
  RunSummary,
  TimeseriesRow,
  TopologyFile,
} from '../results/schema.ts';
import { writeJsonAtomic } from '../results/write.ts';
import type { Ed25519 } from '../router/crypto.ts';
import { withVerificationCache } from '../router/crypto-cache.ts';
import { createNobleEd25519 } from '../router/crypto-noble.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { createTrustEd25519 } from '../router/crypto-trust.ts';
import { toHex } from '../router/keys.ts';
import {
  DEFAULT_ROUTER_OPTIONS,
  type RouterOptions,
  resolveRouterOptions,
} from '../router/options.ts';
import { Router } from '../router/router.ts';
import { MICROS_PER_SECOND, type Micros, type RouterView } from '../router/types.ts';
import { parseDuration } from '../scenarios/duration.ts';
import { ConvergenceTracker } from '../sim/convergence.ts';
import { InputError } from '../sim/errors.ts';
import { FRAME_TYPE_NAMES, Host } from '../sim/host.ts';
import type { LinkProps } from '../sim/host-api.ts';
import { IdentitySource, loadKeysFile } from '../sim/identities.ts';
import { DEFAULT_LINK_PROPS, resolveLinkProps } from '../sim/link.ts';
import { isGeneratorSpec, resolveTopology, type Topology } from '../topologies/index.ts';

export type CryptoName = 'node' | 'noble' | 'trust';

export interface RunConfig {
  /** File path or generator spec (topologies/index.ts). */
  readonly topology: string;
  readonly format?: string;
  readonly seed: string;
  readonly keysFile?: string;
  /** 'converged' or a virtual duration (µs). */
  readonly until: 'converged' | Micros;
  /** Virtual-time limit for 'converged' runs (default 10 min). */
  readonly timeout?: Micros;
  readonly crypto?: CryptoName;
  readonly wireEncode?: boolean;
  /** Run-wide link defaults (topology edge attributes override per link). */
  readonly link?: Partial<LinkProps>;
  readonly startSpread?: Micros;
  /** Router options (hybrid, maxPorts, quirks…) over DEFAULT_ROUTER_OPTIONS. */
  readonly router?: Partial<RouterOptions>;
  /** Convergence sampling interval; default 50 ms up to 5,000 nodes, scaled up above. */
  readonly checkInterval?: Micros;
  /** The command line as typed, for the manifest. */
  readonly command?: string;
}

export interface DumpNode {
  readonly name: string;
  readonly key: string;
  readonly rootKey: string;
  readonly rootSeq: number;
  readonly parent: string | null;
  readonly coords: readonly number[];
  readonly descending: string | null;
  readonly tableSize: number;
}

export interface RunResult {
  readonly runId: string;
  readonly summary: RunSummary;
  readonly manifest: RunManifest;
  readonly topology: TopologyFile;
  readonly nodes: readonly NodeRow[];
  readonly timeseries: readonly TimeseriesRow[];
  readonly converged: boolean;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  /** Live host, for callers that want to inspect more (tests, scenarios). */
  readonly host: Host;
  dumpState(): DumpNode[];
}

/** After tree and snake both hold, keep running this long before stopping (they must keep holding). */
export const CONVERGED_GRACE: Micros = 3 * MICROS_PER_SECOND;
export const DEFAULT_TIMEOUT: Micros = 10 * 60 * MICROS_PER_SECOND;

/** Default convergence sampling interval: 50 ms up to 5,000 nodes, proportionally coarser above (≤ 1 s). */
export function defaultCheckInterval(nodes: number): Micros {
  const base = 50_000;
  return Math.min(MICROS_PER_SECOND, base * Math.max(1, Math.ceil(nodes / 5000)));
}

function createCrypto(name: CryptoName): Ed25519 {
  if (name === 'noble') return withVerificationCache(createNobleEd25519());
  if (name === 'trust') return createTrustEd25519(createNodeEd25519());
  return withVerificationCache(createNodeEd25519());
}

/** File name without extension, or the whole generator spec; made safe for a folder name. */
function runIdBase(source: string, isFile: boolean): string {
  const base = isFile ? basename(source, extname(source)) : source;
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'topology';
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const seconds = (t: Micros): number => round6(t / MICROS_PER_SECOND);

/** One simulation run, advanced in chunks (runSimulation runs it to the end in one go). */
export class Simulation {
  readonly config: RunConfig;
  readonly host: Host;
  readonly topo: Topology;
  readonly tracker: ConvergenceTracker;
  readonly interval: Micros;
  readonly routerOptions: RouterOptions;
  readonly linkDefaults: LinkProps;
  readonly cryptoName: CryptoName;
  private readonly end: Micros;
  private stopAt: Micros | null = null;
  private stopNow = false;
  private readonly stopPredicate = (): boolean => this.stopNow;
  private samplerEvents = 0;
  private readonly timeseries: TimeseriesRow[] = [];
  private readonly lastFrames = new Float64Array(FRAME_TYPE_NAMES.length);
  private readonly lastBytes = new Float64Array(FRAME_TYPE_NAMES.length);
  private readonly wallStart = performance.now();
  private finished = false;
  interrupted = false;

  constructor(config: RunConfig) {
    this.config = config;
    this.cryptoName = config.crypto ?? 'node';
    this.topo = resolveTopology(config.topology, {
      seed: config.seed,
      ...(config.format === undefined ? {} : { format: config.format }),
    });
    this.routerOptions = resolveRouterOptions(config.router ?? {}, 'pinelab run');
    this.linkDefaults = resolveLinkProps(DEFAULT_LINK_PROPS, config.link, 'pinelab run');
    const crypto = createCrypto(this.cryptoName);
    const explicit =
      config.keysFile === undefined ? new Map<string, Uint8Array>() : loadKeysFile(config.keysFile);
    const ids = new IdentitySource(config.seed, crypto, explicit);
    const routerOptions = this.routerOptions;
    const host: Host = new Host({
      seed: config.seed,
      identity: (name) => ids.identity(name),
      routerFactory: (identity, _i, name) =>
        new Router(identity, routerOptions, crypto, host.streams.stream(`router:${name}`).fn),
      linkDefaults: this.linkDefaults,
      wireEncode: config.wireEncode ?? false,
      ...(config.startSpread === undefined ? {} : { startSpread: config.startSpread }),
    });
    this.host = host;
    const graph = this.topo.graph;
    const edges: { source: string; target: string; props?: Partial<LinkProps> }[] = [];
    graph.forEachEdge((_edge, attrs, source, target) => {
      const props: { latency?: number; bandwidth?: number; loss?: number } = {};
      if (attrs.latency !== undefined) props.latency = attrs.latency;
      if (attrs.bandwidth !== undefined) props.bandwidth = attrs.bandwidth;
      if (attrs.loss !== undefined) props.loss = attrs.loss;
      edges.push(Object.keys(props).length === 0 ? { source, target } : { source, target, props });
    });
    host.loadTopology(graph.nodes(), edges, this.topo.source);
    this.tracker = new ConvergenceTracker(host);
    this.interval = config.checkInterval ?? defaultCheckInterval(graph.order);
    if (!(this.interval > 0) || !Number.isInteger(this.interval)) {
      throw new InputError(`check interval must be a positive integer of µs, got ${this.interval}`);
    }
    this.end = config.until === 'converged' ? (config.timeout ?? DEFAULT_TIMEOUT) : config.until;
    // Samplers are host actions, not router events: they never enter the trace hash.
    host.at(0, () => this.sample());
    host.at(MICROS_PER_SECOND, () => this.perSecond());
  }

  private sample(): void {
    this.samplerEvents++;
    const now = this.host.now;
    const both = this.tracker.sample(now);
    const t = seconds(now);
    this.timeseries.push({
      time_s: t,
      metric: 'tree_fraction',
      value: round6(this.tracker.treeFraction),
    });
    this.timeseries.push({
      time_s: t,
      metric: 'snake_fraction',
      value: round6(this.tracker.snakeFraction),
    });
    if (this.config.until === 'converged') {
      if (!both) this.stopAt = null;
      else if (this.stopAt === null) {
        const at = now + CONVERGED_GRACE;
        this.stopAt = at;
        // A stop marker, ignored if convergence broke (and maybe re-held) in between.
        if (at <= this.end) {
          this.host.at(at, () => {
            this.samplerEvents++;
            if (this.stopAt === at) this.stopNow = true;
          });
        }
      }
    }
    if (now + this.interval <= this.end) this.host.at(now + this.interval, () => this.sample());
  }

  private perSecond(): void {
    this.samplerEvents++;
    const now = this.host.now;
    const t = seconds(now);
    for (let k = 0; k < FRAME_TYPE_NAMES.length; k++) {
      const frames = this.host.framesSent[k] as number;
      const bytes = this.host.bytesSent[k] as number;
      this.timeseries.push({
        time_s: t,
        metric: `frames_${FRAME_TYPE_NAMES[k]}`,
        value: frames - (this.lastFrames[k] as number),
      });
      this.timeseries.push({
        time_s: t,
        metric: `bytes_${FRAME_TYPE_NAMES[k]}`,
        value: bytes - (this.lastBytes[k] as number),
      });
      this.lastFrames[k] = frames;
      this.lastBytes[k] = bytes;
    }
    if (now + MICROS_PER_SECOND <= this.end)
      this.host.at(now + MICROS_PER_SECOND, () => this.perSecond());
  }

  /** Run up to `maxEvents` more events. Returns true when the run is over. */
  advance(maxEvents: number): boolean {
    if (this.finished) return true;
    this.host.runBatch(this.end, maxEvents, this.stopPredicate);
    if (this.stopNow) this.finished = true;
    else if (this.host.scheduler.peekTime() > this.end) {
      // Nothing left before the end: time passes to it (the scheduler idles).
      this.host.runUntil(this.end);
      this.finished = true;
    }
    return this.finished;
  }

  get now(): Micros {
    return this.host.now;
  }

  /** Router events so far (sampler actions excluded). */
  get events(): number {
    return this.host.events - this.samplerEvents;
  }

  get converged(): boolean {
    return this.tracker.converged;
  }

  /** Assemble the results (call when advance() returned true, or after an interrupt). */
  finish(): RunResult {
    const host = this.host;
    const tracker = this.tracker;
    // A final sample at the end time, unless one was just taken.
    tracker.sample(host.now);
    const traceHash = host.traceHash();
    const wallSeconds = round6((performance.now() - this.wallStart) / 1000);
    const framesByType: Record<string, number> = {};
    const bytesByType: Record<string, number> = {};
    FRAME_TYPE_NAMES.forEach((name, k) => {
      framesByType[name] = host.framesSent[k] as number;
      bytesByType[name] = host.bytesSent[k] as number;
    });
    const n = host.nodeCount;
    const views: (RouterView | null)[] = [];
    const nameByKey = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const router = host.routerAt(i);
      views.push(router === null ? null : router.snapshot());
      if (router !== null) nameByKey.set(toHex(host.keyAt(i)), host.nameAt(i));
    }
    const root = this.largestComponentRoot();
    const bfsDepth = root < 0 ? null : this.bfs(root);
    const summary: RunSummary = {
      nodes: host.nodeNames().length,
      links: host.links().length,
      seed: this.config.seed,
      root: root < 0 ? null : host.nameAt(root),
      treeConvergedAt: tracker.treeSince === null ? null : seconds(tracker.treeSince),
      snakeConvergedAt: tracker.snakeSince === null ? null : seconds(tracker.snakeSince),
      framesByType,
      bytesByType,
      events: this.events,
      virtualSeconds: seconds(host.now),
      wallSeconds,
      traceHash,
    };
    const nodes: NodeRow[] = [];
    const dump: DumpNode[] = [];
    for (let i = 0; i < n; i++) {
      const view = views[i];
      if (view === null || view === undefined) continue;
      const parentIndex = view.parentPort === null ? -1 : host.peerAt(i, view.parentPort);
      const parent = parentIndex < 0 ? null : host.nameAt(parentIndex);
      const descending =
        view.descendingKey === null
          ? null
          : (nameByKey.get(toHex(view.descendingKey)) ?? toHex(view.descendingKey));
      const rootHex = toHex(view.rootKey);
      nodes.push({
        node: host.nameAt(i),
        key: toHex(view.key),
        root: rootHex,
        root_seq: view.rootSeq,
        parent: parent ?? '',
        coords: `[${view.coords.join(' ')}]`,
        depth: view.coords.length,
        bfs_depth: bfsDepth === null ? -1 : (bfsDepth[i] as number),
        descending: descending ?? '',
        table_size: view.tableSize,
        coords_cache_size: view.coordsCacheSize,
        tree_converged_at: tracker.treeOk(i) ? seconds(tracker.treeChangedAt[i] as number) : '',
        snake_converged_at: tracker.snakeOk(i) ? seconds(tracker.snakeChangedAt[i] as number) : '',
      });
      dump.push({
        name: host.nameAt(i),
        key: toHex(view.key),
        rootKey: rootHex,
        rootSeq: view.rootSeq,
        parent,
        coords: view.coords,
        descending,
        tableSize: view.tableSize,
      });
    }
    const graph = this.topo.graph;
    const topology: TopologyFile = {
      nodes: host.nodeNames().map((name) => {
        const i = host.indexOf(name) as number;
        const x = graph.hasNode(name) ? graph.getNodeAttribute(name, 'x') : undefined;
        const y = graph.hasNode(name) ? graph.getNodeAttribute(name, 'y') : undefined;
        return {
          name,
          key: toHex(host.keyAt(i)),
          ...(x === undefined ? {} : { x }),
          ...(y === undefined ? {} : { y }),
        };
      }),
      links: host.links().map(([source, target]) => ({ source, target })),
    };
    const manifest = buildManifest({
      command:
        this.config.command ??
        `pinelab run --topology ${this.config.topology} --seed ${this.config.seed}`,
      seed: this.config.seed,
      options: {
        until: this.config.until === 'converged' ? 'converged' : seconds(this.config.until),
        timeout: seconds(this.config.timeout ?? DEFAULT_TIMEOUT),
        wireEncode: this.config.wireEncode ?? false,
        startSpread: this.config.startSpread ?? MICROS_PER_SECOND,
        checkInterval: this.interval,
        links: this.linkDefaults,
        router: this.routerOptions,
        keysFile: this.config.keysFile ?? null,
        interrupted: this.interrupted,
      },
      topology: {
        source: this.topo.source,
        digest: this.topo.digest,
        nodes: graph.order,
        links: graph.size,
      },
      crypto: this.cryptoName,
      traceHash,
      wallSeconds,
    });
    const converged = tracker.converged;
    return {
      runId: `${runIdBase(this.topo.source, !isGeneratorSpec(this.config.topology))}-s${runIdBase(this.config.seed, false)}-${traceHash.slice(0, 8)}`,
      summary,
      manifest,
      topology,
      nodes,
      timeseries: this.timeseries,
      converged,
      timedOut: this.config.until === 'converged' && !converged && !this.interrupted,
      interrupted: this.interrupted,
      host,
      dumpState: () => dump,
    };
  }

  /** Node index of the greatest key in the largest up-link component (ties: lower index). */
  private largestComponentRoot(): number {
    const host = this.host;
    const n = host.nodeCount;
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const find = (x: number): number => {
      let r = x;
      while (parent[r] !== r) r = parent[r] as number;
      return r;
    };
    host.forEachUpLink((a, b) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    });
    const size = new Int32Array(n);
    const best = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      if (host.routerAt(i) === null) continue;
      const c = find(i);
      size[c] = (size[c] as number) + 1;
      const b = best[c] as number;
      if (b < 0 || toHex(host.keyAt(i)) > toHex(host.keyAt(b))) best[c] = i;
    }
    let bestComponent = -1;
    for (let c = 0; c < n; c++) {
      if ((size[c] as number) > (bestComponent < 0 ? 0 : (size[bestComponent] as number)))
        bestComponent = c;
    }
    return bestComponent < 0 ? -1 : (best[bestComponent] as number);
  }

  /** Hop distance from `source` over up links (-1 unreachable). */
  private bfs(source: number): Int32Array {
    const host = this.host;
    const n = host.nodeCount;
    const adjacency: number[][] = Array.from({ length: n }, () => []);
    host.forEachUpLink((a, b) => {
      (adjacency[a] as number[]).push(b);
      (adjacency[b] as number[]).push(a);
    });
    const dist = new Int32Array(n).fill(-1);
    dist[source] = 0;
    const queue = [source];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q] as number;
      for (const v of adjacency[u] as number[]) {
        if (dist[v] === -1) {
          dist[v] = (dist[u] as number) + 1;
          queue.push(v);
        }
      }
    }
    return dist;
  }
}

/** Run a whole simulation synchronously (tests, sweeps, scenarios). */
export function runSimulation(config: RunConfig): RunResult {
  const sim = new Simulation(config);
  while (!sim.advance(1 << 20)) {}
  return sim.finish();
}

/** Write the results folder `<outDir>/<run-id>/`; returns its path. */
export function writeResults(outDir: string, result: RunResult): string {
  const dir = join(outDir, result.runId);
  writeRunResults(dir, {
    manifest: result.manifest,
    summary: result.summary,
    topology: result.topology,
    nodes: result.nodes,
    timeseries: result.timeseries,
  });
  return dir;
}

// -------------------------------------------------------------------------------------------------
// Command line

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
  const v = Number(pct ? t.slice(0, -1) : t);
  if (t.length === 0 || !Number.isFinite(v)) return null;
  const p = pct ? v / 100 : v;
  return p >= 0 && p <= 1 ? p : null;
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
  out?: string;
  json: boolean;
  'dump-state'?: string;
  crypto: CryptoName;
  'wire-encode': boolean;
  latency: string;
  jitter: string;
  bandwidth: string;
  loss: string;
  'max-ports': number;
  'start-spread': string;
  hybrid: 'on' | 'off';
  quirk: string[];
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
  if (!Number.isInteger(maxPorts) || maxPorts < 1 || maxPorts > 253) {
    throw new InputError(`--max-ports: expected an integer in 1..253, got '${args['max-ports']}'`);
  }
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
    crypto: args.crypto,
    wireEncode: args['wire-encode'],
    link: {
      latency: durationArg('latency', args.latency),
      jitter: durationArg('jitter', args.jitter),
      bandwidth,
      loss,
    },
    startSpread: durationArg('start-spread', args['start-spread']),
    router: {
      hybrid: args.hybrid === 'on',
      maxPorts,
      ...parseQuirks(args.quirk),
    },
    command,
  };
}

function humanSummary(result: RunResult, outDir: string | null): string {
  const s = result.summary;
  const fmt = (t: number | null): string => (t === null ? 'not converged' : `${t.toFixed(3)} s`);
  const frames = Object.entries(s.framesByType)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `topology    ${result.manifest.topology.source}: ${s.nodes} nodes, ${s.links} links up${result.host.refusedLinks > 0 ? ` (${result.host.refusedLinks} refused: no free port, §4.1)` : ''} (seed ${s.seed})`,
    `root        ${s.root ?? '-'}`,
    `tree        ${fmt(s.treeConvergedAt)}`,
    `snake       ${fmt(s.snakeConvergedAt)}`,
    `frames      ${frames}`,
    `virtual     ${s.virtualSeconds.toFixed(3)} s, ${s.events} events, wall ${s.wallSeconds.toFixed(2)} s (${Math.round(s.events / Math.max(s.wallSeconds, 1e-6)).toLocaleString('en-US')} events/s)`,
    `trace hash  ${s.traceHash}`,
  ];
  if (outDir !== null) lines.push(`results     ${outDir}`);
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
      .option('out', {
        type: 'string',
        describe: 'write the results folder DIR/<topology>-s<seed>-<hash8>/',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the summary as one JSON object',
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
        describe: 'peering ports per router (PROTOCOL.md §4.1)',
      })
      .option('start-spread', {
        type: 'string',
        default: '1s',
        describe: 'node start times uniform over [0, spread); 0 = all at t=0',
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
      .epilog(
        'Default link: latency 1 ms, jitter 0, bandwidth 0 (unlimited), loss 0. Times are virtual.\n' +
          'Exit codes: 0 done, 2 bad input, 3 --until converged reached --timeout, 130 interrupted.',
      ) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const command = ['pinelab', ...process.argv.slice(2)].join(' ');
    const config = configFromArgs(args, command);
    const sim = new Simulation(config);
    let interrupted = false;
    const onSigint = (): void => {
      interrupted = true;
    };
    process.on('SIGINT', onSigint);
    const tty = process.stderr.isTTY === true;
    const wallStart = performance.now();
    let lastProgress = 0;
    try {
      while (!sim.advance(200_000)) {
        if (tty) {
          const now = performance.now();
          if (now - lastProgress > 250) {
            lastProgress = now;
            const rate = sim.events / Math.max((now - wallStart) / 1000, 1e-3);
            process.stderr.write(
              `\r  t=${(sim.now / MICROS_PER_SECOND).toFixed(2)} s  ${sim.events.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')} events/s  `,
            );
          }
        }
        // Let signals in between chunks.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (interrupted) {
          sim.interrupted = true;
          break;
        }
      }
    } finally {
      process.off('SIGINT', onSigint);
      if (tty) process.stderr.write('\r\x1b[K');
    }
    const result = sim.finish();
    let dir: string | null = null;
    if (args.out !== undefined) dir = writeResults(args.out, result);
    if (args['dump-state'] !== undefined) writeJsonAtomic(args['dump-state'], result.dumpState());
    if (args.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
    else process.stdout.write(humanSummary(result, dir));
    if (result.interrupted) {
      const kept = [
        dir === null ? null : `results in ${dir}`,
        args['dump-state'] === undefined ? null : `state dump in ${args['dump-state']}`,
      ]
        .filter((x) => x !== null)
        .join(' and ');
      process.stderr.write(
        `pinelab: interrupted at virtual ${(sim.now / MICROS_PER_SECOND).toFixed(3)} s; the summary covers the run up to there${kept ? ` (kept: ${kept}, marked interrupted in the manifest)` : ''}.\n`,
      );
      process.exitCode = 130;
    } else if (result.timedOut) {
      process.stderr.write(
        `pinelab: not converged within --timeout ${args.timeout} of virtual time (tree ${result.summary.treeConvergedAt === null ? 'no' : 'yes'}, snake ${result.summary.snakeConvergedAt === null ? 'no' : 'yes'}).\n`,
      );
      process.exitCode = 3;
    }
  },
};
