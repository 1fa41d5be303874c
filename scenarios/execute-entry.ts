/**
 * scenarios/execute-entry.ts — validate a scenario's JSON object and execute it (shared by the
 * sweep runner and `pinelab scenario run`).
 */
import { type ExecuteResult, executeScenario } from './execute.ts';
import { Checker, validateScenario } from './load.ts';
import { loadVariant } from './variant-load.ts';

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
