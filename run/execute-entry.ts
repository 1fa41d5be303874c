/**
 * run/execute-entry.ts — validate a scenario's JSON object and execute it (the sweep runner,
 * run/sweep-run.ts; `pinelab scenario run` drives an Execution itself, in chunks, for signals).
 */

import { Checker, validateScenario } from '../scenarios/load.ts';
import { loadVariant } from '../scenarios/variant-load.ts';
import { type ExecuteResult, executeScenario } from './execute.ts';

export async function execute(
  raw: Record<string, unknown>,
  file: string,
  baseDir: string,
  out: string | undefined,
  command: string,
): Promise<ExecuteResult> {
  const scenario = validateScenario(raw, new Checker(file), baseDir);
  const variant =
    scenario.variant === undefined ? undefined : await loadVariant(scenario.variant, 'variant');
  return executeScenario(scenario, {
    ...(out === undefined ? {} : { out }),
    command,
    ...(variant === undefined ? {} : { variant }),
  });
}
