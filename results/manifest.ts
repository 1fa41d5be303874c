/**
 * results/manifest.ts — how a run was made (results/schema.ts RunManifest): package version,
 * git commit when available, Node version, peak RSS. Wall-clock fields (createdAt, wallSeconds) are
 * recorded but never part of any hash.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunManifest } from './schema.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

let cachedVersion: string | null = null;
export function packageVersion(): string {
  if (cachedVersion === null) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version?: string;
    };
    cachedVersion = pkg.version ?? '0.0.0';
  }
  return cachedVersion;
}

let cachedGit: string | null | undefined;
/** `git rev-parse HEAD` of the checkout, or null (no git, not a repository). */
export function gitCommit(): string | null {
  if (cachedGit === undefined) {
    try {
      cachedGit = execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (!/^[0-9a-f]{40,64}$/.test(cachedGit)) cachedGit = null;
    } catch {
      cachedGit = null;
    }
  }
  return cachedGit;
}

/** Peak resident set size of this process in bytes (maxRSS is in kilobytes). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export interface ManifestInput {
  readonly command: string;
  readonly seed: string;
  readonly options: Record<string, unknown>;
  readonly topology: RunManifest['topology'];
  readonly scenario?: string;
  readonly crypto: RunManifest['crypto'];
  readonly traceHash: string;
  readonly wallSeconds: number;
}

export function buildManifest(input: ManifestInput): RunManifest {
  return {
    pinelab: packageVersion(),
    command: input.command,
    seed: input.seed,
    options: input.options,
    topology: input.topology,
    ...(input.scenario === undefined ? {} : { scenario: input.scenario }),
    crypto: input.crypto,
    versions: { node: process.version, git: gitCommit() },
    traceHash: input.traceHash,
    wallSeconds: input.wallSeconds,
    peakRssBytes: peakRssBytes(),
    createdAt: new Date().toISOString(),
  };
}
