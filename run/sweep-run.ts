/**
 * run/sweep-run.ts — run one sweep point on the real simulator and write its results folder
 * (summary.json last: its presence marks the run complete).
 */

import type { WorkRequest } from '../scenarios/sweep.ts';
import { execute } from './execute-entry.ts';

export async function runOne(req: WorkRequest): Promise<void> {
  await execute(req.raw, req.file, req.baseDir, req.out, req.command);
}
