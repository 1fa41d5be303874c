/**
 * scripts/bench.ts — `npm run bench`: prints figures, asserts nothing.
 *
 * Sections: scheduler throughput in the classic hold model (pop one event, push one at now + a
 * random delay) with 10^3 and 10^6 pending events; topology loading (topologies/bench.ts, when
 * present); a full run of fc00 to convergence; the scale rows, up to 100,000 nodes (see scaleSection).
 */
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { withHugePages } from '../bin/tunables.js';
import { parseQuorum, percent, runSimulation } from '../cli/run.ts';
import type { Held, Reached } from '../results/schema.ts';
import { RandomStreams } from '../sim/rng.ts';
import { Scheduler } from '../sim/scheduler.ts';
import { benchTopologies } from '../topologies/bench.ts';
import { rowMatches } from './bench-only.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function table(title: string, rows: readonly (readonly (string | number)[])[]): void {
  process.stdout.write(`\n${title}\n`);
  const cells = rows.map((r) =>
    r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)),
  );
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of cells)
    process.stdout.write(
      `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('   ')}\n`,
    );
}

/** Hold model: returns events per second over `ops` pop+push pairs with `pending` events queued. */
function hold(pending: number, ops: number): number {
  const s = new Scheduler(pending + 16);
  const rng = new RandomStreams('bench').stream('delays');
  const delays = new Float64Array(1 << 16);
  for (let i = 0; i < delays.length; i++) delays[i] = Math.floor(rng.exponential(1000));
  for (let i = 0; i < pending; i++) s.schedule(Math.floor(rng.next() * 1_000_000), 1, i, 0, 0);
  let k = 0;
  const handler = (kind: number, node: number): void => {
    s.schedule(s.now + (delays[k++ & 0xffff] as number), kind, node, 0, 0);
  };
  // Warm up, then measure.
  for (let i = 0; i < Math.min(ops, 200_000); i++) s.step(handler);
  const start = performance.now();
  for (let i = 0; i < ops; i++) s.step(handler);
  const seconds = (performance.now() - start) / 1000;
  return Math.round(ops / seconds);
}

function classicSections(): void {
  const schedulerRows: (string | number)[][] = [['pending', 'events/s (hold model)']];
  for (const pending of [1_000, 1_000_000])
    schedulerRows.push([pending.toLocaleString('en-US'), hold(pending, 3_000_000)]);
  table('Scheduler (one core, binary heap on typed arrays)', schedulerRows);

  table('Topology loading (topologies/bench.ts)', [
    ['topology', 'nodes', 'links', 'ms'],
    ...benchTopologies().map((b) => [b.name, b.nodes, b.links, b.ms.toFixed(1)]),
  ]);

  const fc00 = join(ROOT, '..', 'shared', 'topologies', 'fc00.txt');
  if (existsSync(fc00)) {
    const rows: (string | number)[][] = [
      [
        'run',
        'tree s',
        'snake s',
        'virtual s',
        'events',
        'wall s',
        'events/s',
        'process peak RSS MB (cumulative)',
      ],
    ];
    for (const crypto of ['node', 'trust'] as const) {
      const start = performance.now();
      const r = runSimulation({ topology: fc00, seed: '1', until: 'converged', crypto });
      const wall = (performance.now() - start) / 1000;
      const s = r.summary;
      rows.push([
        `fc00 (598 nodes) crypto=${crypto}`,
        s.treeConvergedAt ?? 'no',
        s.snakeConvergedAt ?? 'no',
        s.virtualSeconds,
        s.events,
        wall.toFixed(2),
        Math.round(s.events / wall),
        Math.round(process.resourceUsage().maxRSS / 1024),
      ]);
    }
    table('Full runs to convergence (--until converged, default links)', rows);
  }
}

// -------------------------------------------------------------------------------------------------
// Scale: each row in its own child process, so peak RSS is the row's own. The child runs
// `pinelab run --until converged` through Simulation in chunks and gives up at a wall-time cap
// (BENCH_CAP_S, default 900 s; the million-node row 3 h), reporting how far it got; a child that
// dies (out of memory: BENCH_HEAP_MB caps its heap) is reported with its last progress line.
// Prints a table; asserts nothing.

interface ScaleRow {
  readonly label: string;
  readonly topology: string;
  readonly maxPorts?: number;
  readonly crypto?: 'node' | 'trust';
  /** `--quorum`: stop when this share of the nodes holds the snake (pinelab run --snake-quorum). */
  readonly snakeQuorum?: number;
  /** Wall-time cap of this row unless BENCH_CAP_S is given (default 900 s). */
  readonly capSeconds?: number;
}

interface ScaleFigures {
  readonly converged: boolean;
  readonly capped: boolean;
  readonly virtualSeconds: number;
  readonly snakeConvergedAt: number | null;
  /** Seconds by which 50/90/99% of the nodes had their final snake state (summary.snakeReached). */
  readonly snakeReached: Reached | null;
  /** From when 99% / 99.9% of the nodes held the snake (summary.snakeHeld), and pointers lost. */
  readonly snakeHeld: Held | null;
  readonly snakeLosses: number | null;
  /** Fractions of nodes whose tree / snake state was correct at the last sample (how far a capped row got). */
  readonly tree: number;
  readonly snake: number;
  readonly events: number;
  readonly wallSeconds: number;
  /** User + system CPU of the child: robust when other processes share the cores. */
  readonly cpuSeconds: number;
  readonly peakRssMB: number;
  readonly heapMB: number;
  readonly traceHash: string;
}

/** How far a child has got, written to stderr every PROGRESS_S of wall time (see scaleSection). */
interface ScaleProgress {
  readonly progress: {
    readonly phase: string;
    readonly wallSeconds: number;
    readonly virtualSeconds: number;
    readonly events: number;
    readonly tree: number;
    readonly snake: number;
    readonly heapMB: number;
    readonly rssMB: number;
  };
}

const PROGRESS_S = 30;

async function scaleChild(row: ScaleRow, capSeconds: number): Promise<void> {
  const { Simulation } = await import('../cli/run.ts');
  const start = performance.now();
  const progress = (phase: string, sim: InstanceType<typeof Simulation> | null): void => {
    const line: ScaleProgress = {
      progress: {
        phase,
        wallSeconds: Math.round((performance.now() - start) / 100) / 10,
        virtualSeconds: sim === null ? 0 : sim.now / 1e6,
        events: sim?.events ?? 0,
        tree: sim?.convergence.tree ?? 0,
        snake: sim?.convergence.snake ?? 0,
        heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
        rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      },
    };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  progress('setting up', null);
  const sim = new Simulation({
    topology: row.topology,
    seed: '1',
    until: 'converged',
    crypto: row.crypto ?? 'node',
    ...(row.maxPorts === undefined ? {} : { router: { maxPorts: row.maxPorts } }),
    ...(row.snakeQuorum === undefined ? {} : { snakeQuorum: row.snakeQuorum }),
  });
  let capped = false;
  progress('running', sim);
  let reported = performance.now();
  while (!sim.advance(100_000)) {
    if (performance.now() - reported > PROGRESS_S * 1000) {
      reported = performance.now();
      progress('running', sim);
    }
    if ((performance.now() - start) / 1000 > capSeconds) {
      capped = true;
      sim.interrupted = true;
      break;
    }
  }
  const wall = (performance.now() - start) / 1000;
  const { tree, snake } = sim.convergence;
  const r = sim.finish();
  const out: ScaleFigures = {
    converged: r.converged,
    capped,
    virtualSeconds: r.summary.virtualSeconds,
    snakeConvergedAt: r.summary.snakeConvergedAt,
    snakeReached: r.summary.snakeReached ?? null,
    snakeHeld: r.summary.snakeHeld ?? null,
    snakeLosses: r.summary.snakeLosses ?? null,
    tree,
    snake,
    events: r.summary.events,
    wallSeconds: wall,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    traceHash: r.summary.traceHash,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** A failed child's row: why, and how far it had got (its last progress line). */
function failure(stderr: string, status: number | null, signal: string | null): string {
  const lines = stderr.trim().split('\n');
  let last: ScaleProgress['progress'] | null = null;
  const other: string[] = [];
  for (const line of lines) {
    try {
      last = (JSON.parse(line) as ScaleProgress).progress;
    } catch {
      if (line.trim() !== '') other.push(line.trim());
    }
  }
  const why =
    other.find((l) => /heap|memory|killed|error/i.test(l)) ??
    other.pop() ??
    (signal === null ? `exit ${status}` : `signal ${signal}`);
  if (last === null) return `failed: ${why}`;
  return (
    `failed (${why}) after ${last.wallSeconds} s ${last.phase}: virtual ${last.virtualSeconds} s, ` +
    `${last.events.toLocaleString('en-US')} events, tree ${percent(last.tree)} / snake ` +
    `${percent(last.snake)} correct, heap ${last.heapMB} MB, RSS ${last.rssMB} MB`
  );
}

async function scaleSection(
  big: boolean,
  only: string | null,
  quorum: number | undefined,
): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const topo = (f: string): string => join(ROOT, '..', 'shared', 'topologies', f);
  const rows: ScaleRow[] = [
    { label: 'fc00 (598/1,593)', topology: topo('fc00.txt') },
    { label: 'yggdrasil (2,478/8,253)', topology: topo('yggdrasil.txt') },
    { label: 'sim-skitter --max-ports 2100', topology: topo('sim-skitter.txt'), maxPorts: 2100 },
    { label: 'sim-skitter (253 ports)', topology: topo('sim-skitter.txt') },
    { label: 'ba:20000,m=2 (99.9% quorum)', topology: 'ba:20000,m=2', snakeQuorum: 0.999 },
  ];
  if (big) {
    rows.push({
      label: 'ba:100000,m=2 (99.9% quorum)',
      topology: 'ba:100000,m=2',
      snakeQuorum: 0.999,
    });
    rows.push({ label: 'geo:100000,r=0.0036 (deg≈4)', topology: 'geo:100000,r=0.0036' });
    // r = √(4 / (π N)): mean degree about 4, as the 100,000-node row. Capped at 3 h (the target).
    rows.push({
      label: 'geo:1000000,r=0.00113 (99.9% quorum)',
      topology: 'geo:1000000,r=0.00113',
      snakeQuorum: 0.999,
      capSeconds: 3 * 3600,
    });
  }
  const defaultCap = Number(process.env.BENCH_CAP_S ?? 900);
  const out: (string | number)[][] = [
    [
      'row',
      'converged',
      'snake s',
      'snake 50 / 90 / 99% of nodes s',
      'snake held by 99 / 99.9% s',
      'pointers lost',
      'virtual s',
      'tree / snake correct',
      'events',
      'wall s',
      'cpu s',
      'events/s',
      'virtual s / wall s',
      'peak RSS MB',
      'trace hash',
    ],
  ];
  for (const plain of rows) {
    if (only !== null && !rowMatches(plain.label, only)) continue;
    const row = quorum === undefined ? plain : { ...plain, snakeQuorum: quorum };
    // BENCH_CAP_S, when given, caps every row (the million-node row included).
    const cap = process.env.BENCH_CAP_S === undefined ? (row.capSeconds ?? defaultCap) : defaultCap;
    const child = spawnSync(
      process.execPath,
      [
        // BENCH_HEAP_MB, default 85% of the machine's memory (a million nodes need all there is).
        `--max-old-space-size=${process.env.BENCH_HEAP_MB ?? Math.floor((totalmem() / 2 ** 20) * 0.85)}`,
        // As bin/pinelab.js gives a run: frames in flight die in the young generation.
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        JSON.stringify(row),
        String(cap),
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        // As bin/pinelab.js gives a run: the tables' contents on transparent huge pages.
        env: { ...process.env, GLIBC_TUNABLES: withHugePages(process.env.GLIBC_TUNABLES) },
      },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    let f: ScaleFigures | null = null;
    try {
      f = JSON.parse(line) as ScaleFigures;
    } catch {
      f = null;
    }
    if (f === null) {
      out.push([row.label, failure(child.stderr ?? '', child.status, child.signal)]);
    } else {
      out.push([
        row.label,
        // A run the wall cap stopped did not finish, even when its last sample met the quorum
        // (the quorum must also hold for a while, --snake-quorum): it says so, not "yes".
        f.capped
          ? `${f.converged ? 'at quorum, not held yet' : 'no'} (wall cap ${cap} s)`
          : f.converged
            ? 'yes'
            : 'no (timeout)',
        f.snakeConvergedAt ?? '-',
        f.snakeReached === null
          ? '-'
          : [f.snakeReached.p50, f.snakeReached.p90, f.snakeReached.p99]
              .map((t) => t ?? '-')
              .join(' / '),
        f.snakeHeld === null ? '-' : `${f.snakeHeld.at99 ?? '-'} / ${f.snakeHeld.at999 ?? '-'}`,
        f.snakeLosses ?? '-',
        f.virtualSeconds,
        `${percent(f.tree)} / ${percent(f.snake)}`,
        f.events,
        f.wallSeconds.toFixed(1),
        f.cpuSeconds.toFixed(1),
        Math.round(f.events / f.wallSeconds),
        (f.virtualSeconds / f.wallSeconds).toFixed(2),
        f.peakRssMB,
        f.traceHash,
      ]);
    }
    process.stderr.write(`  done: ${row.label}\n`);
  }
  const until =
    quorum === undefined
      ? '--until converged, "quorum" rows --snake-quorum 0.999'
      : `--until converged --snake-quorum ${quorum}`;
  table(
    `Scale (${until}, seed 1, one child process per row, wall cap ${defaultCap} s, transparent huge pages: ${hugePages()})`,
    out,
  );
}

/**
 * The machine's transparent huge page mode (the bracketed word of
 * /sys/kernel/mm/transparent_hugepage/enabled), or "unknown". Printed with the scale rows because
 * it moves them: with "always" the JS heap gets huge pages and a `ba:20000` or `ba:50000` run took
 * 9–12% less CPU here than with the usual "madvise" (docs/large-networks.md); Node asks for none.
 * (The typed arrays' contents get them under "madvise" too: the rows run with bin/tunables.js.)
 */
function hugePages(): string {
  try {
    const text = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    return /\[(\w+)\]/.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

// `npm run bench [-- --big] [-- --scale-only] [-- --only NAME] [-- --quorum 0.999]`, where NAME
// picks the rows whose label holds it, not followed by a digit (bench-only.ts); `--child ROW CAP`
// is internal.
const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await scaleChild(JSON.parse(argv[1] ?? '{}') as ScaleRow, Number(argv[2] ?? 900));
} else if (argv[0] === '--heap') {
  // `npm run bench -- --heap [--breakdown]`: the idle heap per router at 10,000 nodes, with a
  // heap-snapshot breakdown when asked (scripts/bench-heap.ts).
  (await import('./bench-heap.ts')).heapSection(argv.includes('--breakdown'));
} else if (argv[0] === '--sweep') {
  // `npm run bench -- --sweep`: 1 vs 2 sweep worker threads only (scripts/bench-sweep.ts).
  (await import('./bench-sweep.ts')).sweepSection(table);
} else {
  if (!argv.includes('--scale-only')) classicSections();
  const onlyAt = argv.indexOf('--only');
  const quorumAt = argv.indexOf('--quorum');
  const quorum = quorumAt >= 0 ? parseQuorum(argv[quorumAt + 1] ?? '') : undefined;
  if (quorum === null) {
    process.stderr.write(`bench: --quorum: expected a share of the nodes like 99.9% or 0.999\n`);
    process.exit(2);
  }
  await scaleSection(
    argv.includes('--big'),
    onlyAt >= 0 ? (argv[onlyAt + 1] ?? null) : null,
    quorum,
  );
}
