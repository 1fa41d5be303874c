/**
 * scripts/processing-report.ts — the figures behind the processing model (sim/processing.ts):
 * prints tables, asserts nothing.
 *
 *   node --import tsx scripts/processing-report.ts [--crypto] [--seeds 1,2,3]
 *        [--presets off,server,phone] [--no-stretch] [--start-spread 1s] [topology …]
 *
 * --crypto: node:crypto ed25519 sign and verify on this machine (router/crypto-bench.ts, five rounds
 * of 5,000 messages), the source of the `server` preset. Otherwise, for each topology (default
 * ../shared/topologies/graph-250.txt, fc00.txt, yggdrasil.txt), preset and seed, one run
 * `--until converged` and a row: mean tree depth against mean BFS depth, tree and snake
 * convergence, stretch per mode (mean), wall time.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runSimulation } from '../cli/run.ts';
import { ROUTING_MODES } from '../results/schema.ts';
import { measureCrypto } from '../router/crypto-bench.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { parseDuration } from '../scenarios/duration.ts';
import { PRESET_COSTS, parseProcessing } from '../sim/processing.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = join(ROOT, '..', 'shared', 'topologies');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function cryptoSection(): void {
  process.stdout.write(
    'node:crypto ed25519 on this machine (5 rounds × 5,000 100-byte messages)\n',
  );
  for (let round = 0; round < 5; round++) {
    const r = measureCrypto(createNodeEd25519(), () => performance.now(), 5000);
    process.stdout.write(
      `  sign ${(1e6 / r.signPerSecond).toFixed(1)} µs  verify ${(1e6 / r.verifyPerSecond).toFixed(1)} µs\n`,
    );
  }
  process.stdout.write(`presets (µs): ${JSON.stringify(PRESET_COSTS)}\n`);
}

const fmt = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? '–' : v.toFixed(digits);

function runsSection(): void {
  const positional = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--s'));
  const topologies =
    positional.length > 0
      ? positional
      : ['graph-250.txt', 'fc00.txt', 'yggdrasil.txt'].map((f) => join(SHARED, f));
  const presets = (flag('--presets') ?? 'off,server,phone')
    .split(',')
    .map((p) => parseProcessing(p, '--presets'));
  const seeds = (flag('--seeds') ?? '1').split(',');
  const stretch = !process.argv.includes('--no-stretch');
  const spreadFlag = flag('--start-spread');
  const startSpread = spreadFlag === undefined ? undefined : parseDuration(spreadFlag);
  const header = [
    'topology',
    'processing',
    'seed',
    'depth',
    'bfs',
    'ratio',
    'tree s',
    'snake s',
    ...(stretch ? ROUTING_MODES.map((m) => `${m}`) : []),
    'wall s',
  ];
  process.stdout.write(`${header.join('\t')}\n`);
  for (const topology of topologies) {
    if (!existsSync(topology)) {
      process.stdout.write(`${topology}: missing, skipped\n`);
      continue;
    }
    for (const processing of presets) {
      for (const seed of seeds) {
        const t0 = performance.now();
        const r = runSimulation({
          topology,
          seed,
          until: 'converged',
          processing,
          stretch,
          paths: false,
          ...(startSpread === undefined || startSpread === null ? {} : { startSpread }),
        });
        const wall = (performance.now() - t0) / 1000;
        const s = r.summary;
        const row = [
          topology.split('/').pop() ?? topology,
          processing,
          seed,
          fmt(s.depth.depth.mean),
          fmt(s.depth.bfsDepth.mean),
          fmt(s.depth.ratioMean, 3),
          fmt(s.treeConvergedAt),
          fmt(s.snakeConvergedAt),
          ...(stretch ? ROUTING_MODES.map((m) => fmt(s.stretch?.[m]?.mean, 3)) : []),
          wall.toFixed(1),
        ];
        process.stdout.write(`${row.join('\t')}\n`);
      }
    }
  }
}

if (process.argv.includes('--crypto')) cryptoSection();
else runsSection();
