/**
 * results/write.ts — atomic output: every file is written to a temporary name beside its target
 * and renamed into place, so an interrupted run never leaves a half-written file (principle 4).
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

let counter = 0;

/** Write `data` to `path` atomically (temp file in the same directory + rename). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${counter++}-${basename(path)}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * Write `chunks` one after another to `path` atomically, as writeFileAtomic does: for files built
 * piece by piece (an event log, a streamed time series) that can be larger than the longest string
 * V8 allows. On an error the temporary file is removed and the target left as it was.
 */
export function writeChunksAtomic(path: string, chunks: Iterable<string>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${counter++}-${basename(path)}`);
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Tidy CSV: a header from `columns`, one row per record, via csv-stringify. */
export function writeCsvAtomic<T extends object>(
  path: string,
  columns: readonly (keyof T & string)[],
  rows: readonly T[],
): void {
  writeFileAtomic(path, stringify(rows as T[], { header: true, columns: [...columns] }));
}

/**
 * Remove the `.tmp-*` files an earlier process left in `dir` (killed while writing): the next run
 * or resume writing there cleans up. This process's own (`.tmp-<pid>-`) are left alone.
 */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const own = `.tmp-${process.pid}-`;
  for (const name of names)
    if (name.startsWith('.tmp-') && !name.startsWith(own)) rmSync(join(dir, name), { force: true });
}
