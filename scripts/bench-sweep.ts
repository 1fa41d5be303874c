/**
 * scripts/bench-sweep.ts — `npm run bench -- --sweep`: how well a sweep uses the cores. Four runs
 * of ba:3000,m=2 (seeds 1–4), each 60 s and then each 2 s of virtual time, swept on 1 worker
 * thread and on 2; prints the wall times and their ratio (2 cores: 2.0 at best).
 *
 * Each sweep is a child `pinelab sweep` process timed from spawn to exit, its start-up included,
 * as a user sees it. The machine is shared: the cores other processes kept busy meanwhile are
 * printed (/proc/stat less this process and its children), and BENCH_SWEEP_REPS (default 1)
 * repeats each pair, alternating 1 and 2 workers, keeping the fastest of each (the least disturbed
 * by other processes). The two sweep.csv must be the same bytes.
 *
 * What bounds the ratio below 2 (CPU seconds per thread from /proc/<pid>/task/<tid>/stat, the
 * 60 s sweep on an idle machine): with one worker, the worker thread used 20.1 s and V8's four
 * platform threads (concurrent JIT compilation, GC helpers) 3.3 s, on the otherwise idle second
 * core; with two, the workers used 10.7 + 10.3 s and the platform threads 4.7 s (each isolate
 * compiles the same code again) on the same two cores. 26.2 s of CPU on two cores cannot take less
 * than 13.1 s, against 20.7 s: 1.6× at best that time, however the runs are dealt out (repeats of
 * the same sweep varied 1.4–1.7×, docs/large-networks.md). `--single-threaded-gc`
 * and a one-thread V8 pool did not help beyond the noise; Maglev and eager Sparkplug made single
 * runs no faster. The 2 s sweep is mostly warm-up: a worker's first run took 1.26 s alone (the
 * next ones 0.65–0.9 s, the code compiled), two first runs at once 2.3 s each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

type Table = (title: string, rows: readonly (readonly (string | number)[])[]) => void;

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux, x86 and arm). */
const USER_HZ = 100;

/** CPU seconds used by the whole machine since boot (/proc/stat: all but idle and iowait). */
function machineBusy(): number {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return (total - (f[3] ?? 0) - (f[4] ?? 0)) / USER_HZ;
}

/** CPU seconds of this process and its finished children (/proc/self/stat utime..cstime). */
function ownCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((a, i) => a + Number(f[i] ?? 0), 0) / USER_HZ;
}

/**
 * Cores kept busy by other processes while `f` ran: the machine's CPU time minus ours (the sweep
 * is a child, counted once reaped), over the wall time. null where /proc is missing.
 */
function othersBusy<T>(f: () => T): { result: T; cores: number | null } {
  let before: [number, number] | null = null;
  try {
    before = [machineBusy(), ownCpu()];
  } catch {
    before = null;
  }
  const start = performance.now();
  const result = f();
  const wall = (performance.now() - start) / 1000;
  if (before === null) return { result, cores: null };
  const others = machineBusy() - before[0] - (ownCpu() - before[1]);
  return { result, cores: Math.max(0, others / wall) };
}

/** Sweep `file` over seeds 1–4 on `workers` threads into `out`; returns wall seconds. */
function timeSweep(file: string, workers: number, out: string): number {
  const start = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      // The installed command itself, so the sweep runs with the Node flags it gives every command
      // (heap size, young generation; V8 flags are per process, so the worker threads have them).
      join(ROOT, 'bin', 'pinelab.js'),
      'sweep',
      file,
      '--param',
      'seed=1,2,3,4',
      '--workers',
      String(workers),
      '--out',
      out,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const wall = (performance.now() - start) / 1000;
  if (child.status !== 0)
    throw new Error(
      `bench --sweep: pinelab sweep failed: ${child.stderr.trim().split('\n').pop()}`,
    );
  return wall;
}

export function sweepSection(table: Table): void {
  const reps = Math.max(1, Number(process.env.BENCH_SWEEP_REPS ?? 1));
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-bench-sweep-'));
  let disturbed = false;
  const rows: (string | number)[][] = [
    [
      'runs',
      '1 worker s',
      '2 workers s',
      'ratio',
      'cores busy with other processes (1 / 2)',
      'same sweep.csv',
    ],
  ];
  try {
    for (const duration of ['60s', '2s']) {
      const file = join(dir, `ba-${duration}.json`);
      writeFileSync(file, JSON.stringify({ topology: 'ba:3000,m=2', duration, seed: '1' }));
      const best = [Infinity, Infinity];
      const load = ['', ''];
      for (let r = 0; r < reps; r++) {
        for (const [i, workers] of [1, 2].entries()) {
          const out = join(dir, `${duration}-w${workers}`);
          rmSync(out, { recursive: true, force: true });
          const { result: wall, cores } = othersBusy(() => timeSweep(file, workers, out));
          if (cores !== null && cores > 0.1) disturbed = true;
          if (wall < (best[i] as number)) {
            best[i] = wall;
            load[i] = cores === null ? '-' : cores.toFixed(2);
          }
        }
      }
      const csv = (w: number) => readFileSync(join(dir, `${duration}-w${w}`, 'sweep.csv'), 'utf8');
      const [one, two] = best as [number, number];
      rows.push([
        `4 × ba:3000,m=2 for ${duration}`,
        one.toFixed(1),
        two.toFixed(1),
        `${(one / two).toFixed(2)}×`,
        `${load[0]} / ${load[1]}`,
        csv(1) === csv(2) ? 'yes' : 'NO',
      ]);
      process.stderr.write(`  done: sweep ${duration}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(
    `Sweep, 1 vs 2 worker threads (pinelab sweep --param seed=1,2,3,4, fastest of ${reps})`,
    rows,
  );
  // Linux's autogroup scheduling shares the cores equally between sessions, not threads: while
  // another session keeps a core busy, the sweep's two threads get about one core between them
  // and the ratio says nothing about the sweep (measured here: 0.8–1.0× at load 3–7).
  if (disturbed)
    process.stdout.write(
      '  note: other processes kept more than 0.1 core busy during a sweep, so the ratio understates the sweep (rerun when the machine is idle)\n',
    );
}
