/**
 * viz/src/model/files.ts — the files of a run folder the viewer reads (results/schema.ts), shared
 * by the browser loader, viz/serve.ts and `pinelab report`. Type imports only: Node and the page
 * both use it.
 */
import type { SweepPair } from './compare.ts';

export const RUN_FILES = [
  'manifest.json',
  'summary.json',
  'topology.json',
  'nodes.csv',
  'timeseries.csv',
  'pairs.csv',
  'paths.json',
  'snapshots.json',
  // Only with --events; the viewer replays it. Served when present; `pinelab report`
  // embeds it only for small runs (cli/report.ts EVENTS_INLINE_UP_TO).
  'events.jsonl',
] as const;

export type RunFileName = (typeof RUN_FILES)[number];

/** Files a run may lack (schema: "the last three may be missing"); the viewer notes their absence. */
export const OPTIONAL_FILES: readonly RunFileName[] = [
  'pairs.csv',
  'paths.json',
  'snapshots.json',
  'events.jsonl',
];

/** Raw file texts of one run; null = file absent. */
export type RunFiles = Partial<Record<RunFileName, string | null>>;

/** What `pinelab report` inlines: one run (and another to compare), or a pair of sweeps. */
export interface InlineData {
  readonly run: RunFiles;
  readonly runName: string;
  readonly compare: RunFiles | null;
  readonly compareName: string | null;
  /** Two sweep folders compared; then run/compare are empty. */
  readonly sweeps?: SweepPair | null;
}

/**
 * The JSON in <script id="pinelab-data" type="application/json">: InlineData's JSON, gzipped
 * (node:zlib) and base64-encoded to keep the report small (the page inflates it with
 * DecompressionStream). A report carries its own bundle, so the page never meets another form.
 */
export interface PackedData {
  readonly encoding: 'gzip+base64';
  readonly data: string;
}

/** What viz/serve.ts answers at /files.json: which files exist (so the page never fetches a 404). */
export interface FileListing {
  readonly run: readonly RunFileName[];
  readonly runName: string;
  readonly compare: readonly RunFileName[] | null;
  readonly compareName: string | null;
}
