/**
 * cli/report.ts — `pinelab report <results-dir> -o report.html`: one self-contained HTML file
 * (the viewer bundle minified and the run's files gzipped, inlined), written atomically. Opens
 * offline, no server. `--compare` takes a second run, or, when both are sweep folders, a sweep.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { compareRunSets, NOT_GRID } from '../results/compare-groups.ts';
import { checkProblems, loadRunSet } from '../results/run-set.ts';
import { writeFileAtomic } from '../results/write.ts';
import { ensureBundle, presentFiles, VIZ_DIR } from '../viz/serve.ts';
import { pointLabel, type SweepPair, type SweepSide } from '../viz/src/model/compare.ts';
import {
  type InlineData,
  type PackedData,
  RUN_FILES,
  type RunFiles,
} from '../viz/src/model/files.ts';
import { checkOutFile } from './preflight.ts';
import { checkRunDir } from './view.ts';

/**
 * events.jsonl (--events) is embedded up to this size only: the replay is for small teaching runs
 * (examples/teaching: ~0.5 MB), and a big run's event log would swamp the offline file;
 * `pinelab view` serves it at any size.
 */
export const EVENTS_INLINE_UP_TO = 1_000_000;

function readRun(dir: string): RunFiles {
  const files: RunFiles = {};
  const present = presentFiles(dir);
  for (const f of RUN_FILES) {
    const big = f === 'events.jsonl' && statSync(join(dir, f), { throwIfNoEntry: false });
    if (big && big.size > EVENTS_INLINE_UP_TO) {
      files[f] = null;
      continue;
    }
    files[f] = present.includes(f) ? readFileSync(join(dir, f), 'utf8') : null;
  }
  return files;
}

/** JSON safe inside <script>: no "</script", no "<!--", and U+2028/2029 escaped. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A sweep folder (`pinelab sweep` writes sweep.json beside the run folders). */
export function isSweepDir(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && existsSync(join(dir, 'sweep.json'));
}

/**
 * What `view`/`report` show: a run (and one to compare), or two sweeps. Refuses a
 * run against a sweep, a lone sweep, and folders that are neither (InputError naming the flag).
 */
export function checkSources(dir: string, compare: string | undefined): 'runs' | 'sweeps' {
  const sweepA = isSweepDir(dir);
  const sweepB = compare !== undefined && isSweepDir(compare);
  if (sweepA && sweepB) return 'sweeps';
  if (sweepA)
    throw new InputError(
      compare === undefined
        ? `${dir}: a sweep folder: give --compare with another sweep folder to compare their distributions (pinelab summarize ${dir} for one sweep)`
        : `--compare ${compare}: ${dir} is a sweep folder, so --compare must be one too (sweep.json), not a run folder`,
    );
  if (sweepB)
    throw new InputError(
      `--compare ${compare}: a sweep folder, but ${dir} is a run folder: compare two runs or two sweeps`,
    );
  checkRunDir(dir);
  if (compare !== undefined) checkRunDir(compare, '--compare');
  return 'runs';
}

/**
 * Two sweep folders as the page gets them: each run's parameters and numeric summary figures, and
 * per grid point and metric the comparison `pinelab compare A B` makes (results/compare-groups.ts).
 * Interrupted or incomplete runs are refused, as by compare.
 */
export function sweepPair(dirA: string, dirB: string): SweepPair {
  const a = loadRunSet(dirA);
  const b = loadRunSet(dirB);
  checkProblems(a, false, 'pinelab compare --allow-interrupted (the viewer shows complete sweeps)');
  checkProblems(b, false, 'pinelab compare --allow-interrupted (the viewer shows complete sweeps)');
  const gridParams = [...new Set([...a.paramNames, ...b.paramNames])].filter(
    (p) => !NOT_GRID.includes(p),
  );
  const side = (set: typeof a, dir: string): SweepSide => ({
    name: basename(resolve(dir)),
    runs: set.runs.map((r) => ({
      id: r.id,
      params: r.params,
      metrics: Object.fromEntries(r.metrics),
    })),
  });
  return {
    a: side(a, dirA),
    b: side(b, dirB),
    gridParams,
    rows: compareRunSets(a, b).map((r) => ({
      point: pointLabel(r.point, gridParams),
      metric: r.metric,
      unit: r.unit,
      meanA: r.a.mean,
      meanB: r.b.mean,
      diff: r.diff,
      diffCiLow: r.diffCiLow,
      diffCiHigh: r.diffCiHigh,
      p: r.p,
    })),
  };
}

/**
 * The inlined data, gzipped and base64-encoded: paths.json of a 48-node run is 6 MB of repeated
 * keys and reasons, and gzip takes it to 4%. Base64 has no '<', so it is script-safe.
 */
export function packData(data: InlineData): PackedData {
  const gz = gzipSync(Buffer.from(JSON.stringify(data), 'utf8'), { level: 9 });
  return { encoding: 'gzip+base64', data: gz.toString('base64') };
}

/**
 * The report's HTML: index.html with the bundle (minified) inlined and the data as a JSON script.
 * Two sweep folders give the sweep compare view.
 */
export async function buildReport(runDir: string, compareDir?: string): Promise<string> {
  const minified = await transform(readFileSync(await ensureBundle(), 'utf8'), {
    minify: true,
    target: 'es2022',
    legalComments: 'none',
  });
  const bundle = minified.code.replace(/<\/script/gi, '<\\/script');
  const html = readFileSync(join(VIZ_DIR, 'index.html'), 'utf8');
  const sweeps =
    compareDir !== undefined && isSweepDir(runDir) && isSweepDir(compareDir)
      ? sweepPair(runDir, compareDir)
      : null;
  const data: InlineData = {
    run: sweeps ? {} : readRun(runDir),
    runName: basename(resolve(runDir)),
    compare: compareDir && !sweeps ? readRun(compareDir) : null,
    compareName: compareDir ? basename(resolve(compareDir)) : null,
    ...(sweeps ? { sweeps } : {}),
  };
  const tag = '<script src="dist/main.js"></script>';
  if (!html.includes(tag)) throw new Error(`viz/index.html lacks ${tag}`);
  const inline =
    `<script id="pinelab-data" type="application/json">${scriptSafeJson(packData(data))}</script>\n` +
    `<script>${bundle}</script>`;
  // A function replacement: the bundle contains `$&`-like sequences a string replacement would expand.
  return html.replace(tag, () => inline);
}

interface ReportArgs {
  dir: string;
  output: string;
  compare?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir>',
  describe: 'write a self-contained HTML report (viewer + data inlined) for a results folder',
  builder: (y: Argv) =>
    y
      .positional('dir', {
        type: 'string',
        demandOption: true,
        describe: 'results folder (runs/<run-id>)',
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        default: 'report.html',
        describe: 'HTML file to write',
      })
      .option('compare', {
        type: 'string',
        describe:
          'a second results folder to compare (every plot shows both, and a table of differences); with two sweep folders, per-metric distributions',
      }) as unknown as Argv<ReportArgs>,
  handler: async (args: ArgumentsCamelCase<ReportArgs>) => {
    checkSources(args.dir, args.compare);
    checkOutFile('-o/--output', args.output);
    const html = await buildReport(args.dir, args.compare);
    writeFileAtomic(args.output, html);
    process.stdout.write(`wrote ${args.output} (${Math.round(html.length / 1024)} KiB)\n`);
  },
};
