/**
 * scenarios/execute-entry.ts — validate a scenario's JSON object and execute it (shared by the
 * sweep runner and `pinelab scenario run`).
 */
import { type ExecuteResult, executeScenario } from './execute.ts';
import { Checker, validateScenario } from './load.ts';

export function execute(
  raw: Record<string, unknown>,
  file: string,
  baseDir: string,
  out: string | undefined,
  command: string,
): ExecuteResult {
  const scenario = validateScenario(raw, new Checker(file), baseDir);
  return executeScenario(scenario, { ...(out === undefined ? {} : { out }), command });
}
