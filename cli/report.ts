/**
 * cli/report.ts — `pinelab report <results-dir> -o report.html`: one self-contained HTML file
 * (the viewer bundle and the run's files inlined), written atomically. Opens offline, no server.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '../results/write.ts';
import { ensureBundle, presentFiles, VIZ_DIR } from '../viz/serve.ts';
import { type InlineData, RUN_FILES, type RunFiles } from '../viz/src/model/files.ts';
import { checkRunDir } from './view.ts';

/**
 * events.jsonl (--events) is embedded up to this size only: the replay is for small teaching runs
 * (examples/teaching: ~0.5 MB), and a big run's event log would swamp the offline file (issue 20);
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

/** The report's HTML: index.html with the bundle inlined and the data as a JSON script. */
export async function buildReport(runDir: string, compareDir?: string): Promise<string> {
  const bundle = readFileSync(await ensureBundle(), 'utf8').replace(/<\/script/gi, '<\\/script');
  const html = readFileSync(join(VIZ_DIR, 'index.html'), 'utf8');
  const data: InlineData = {
    run: readRun(runDir),
    runName: basename(resolve(runDir)),
    compare: compareDir ? readRun(compareDir) : null,
    compareName: compareDir ? basename(resolve(compareDir)) : null,
  };
  const tag = '<script src="dist/main.js"></script>';
  if (!html.includes(tag)) throw new Error(`viz/index.html lacks ${tag}`);
  const inline =
    `<script id="pinelab-data" type="application/json">${scriptSafeJson(data)}</script>\n` +
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
        describe: 'results folder (results/<run-id>)',
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        default: 'report.html',
        describe: 'HTML file to write',
      })
      .option('compare', {
        type: 'string',
        describe: 'a second results folder to overlay',
      }) as unknown as Argv<ReportArgs>,
  handler: async (args: ArgumentsCamelCase<ReportArgs>) => {
    checkRunDir(args.dir);
    if (args.compare !== undefined) checkRunDir(args.compare, '--compare');
    const html = await buildReport(args.dir, args.compare);
    writeFileAtomic(args.output, html);
    process.stdout.write(`wrote ${args.output} (${Math.round(html.length / 1024)} KiB)\n`);
  },
};
