/**
 * scripts/bench.ts — `npm run bench`: prints figures, asserts nothing.
 *
 * Sections: scheduler throughput in the classic hold model (pop one event, push one at now + a
 * random delay) with 10^3 and 10^6 pending events; topology loading (topologies/bench.ts, when
 * present); a full run of fc00 to convergence.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runSimulation } from '../cli/run.ts';
import { RandomStreams } from '../sim/rng.ts';
import { Scheduler } from '../sim/scheduler.ts';
import { benchTopologies } from '../topologies/bench.ts';

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
