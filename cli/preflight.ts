/**
 * cli/preflight.ts — output paths checked before a run starts: an `--out` that is a
 * file, a folder nobody can write, a `--dump-state` that is a folder, a `report -o` that is a
 * folder are bad input (exit 2, the flag named), found before minutes of simulation and not as an
 * "internal error" when the results are written.
 *
 * Permission bits do not say whether a write will succeed (root ignores them, a read-only mount
 * does not show in them), so writability is tried: a probe file is created in the folder that
 * will hold the output (or in its nearest existing ancestor, where the folder will be created)
 * and removed at once. Its name starts with `.tmp-`, like every temporary file of a run
 * (results/write.ts), so a killed process leaves nothing a later run does not clean up.
 */
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../base/index.ts';

/** The path's nearest existing ancestor (the path itself when it exists). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  for (;;) {
    try {
      statSync(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/** Create and remove a probe file in `dir`; the error code when that fails, else null. */
function tryWrite(dir: string): string | null {
  const probe = join(dir, `.tmp-${process.pid}-preflight`);
  try {
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

/** Why a folder cannot be created at (or written in at) `dir`, or null when it can. */
function folderProblem(dir: string): string | null {
  const existing = nearestExisting(dir);
  const st = statSync(existing);
  if (!st.isDirectory())
    return existing === resolve(dir)
      ? 'is a file, expected a folder'
      : `${existing} is a file, so no folder can be created under it`;
  const code = tryWrite(existing);
  if (code === null) return null;
  return existing === resolve(dir)
    ? `the folder is not writable (${code})`
    : `cannot create it: ${existing} is not writable (${code})`;
}

/** `--out DIR`: DIR is a folder that can be written, or one that can be created. */
export function checkOutFolder(flag: string, dir: string): void {
  const problem = folderProblem(dir);
  if (problem !== null) throw new InputError(`${flag} ${dir}: ${problem}`);
}

/** `--dump-state FILE`, `report -o FILE`: not a folder, and its folder can be written. */
export function checkOutFile(flag: string, file: string): void {
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(file);
  } catch {
    st = undefined; // missing, or under a file (ENOTDIR): the folder check below says which
  }
  if (st?.isDirectory() === true)
    throw new InputError(`${flag} ${file}: is a folder, expected a file name`);
  const problem = folderProblem(dirname(resolve(file)));
  if (problem !== null) throw new InputError(`${flag} ${file}: ${problem}`);
}
