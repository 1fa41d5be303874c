import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../scenarios/load.ts';
import { executeScenario } from './execute.ts';

const ring = (actions: string) =>
  parseScenario(
    `{ "topology": "ring:12", "seed": "4", "duration": "60s", "actions": [${actions}] }`,
    'sc.json',
  );

test('--until converged: a stop on a state the final sample reports broken is not taken', () => {
  const first = executeScenario(ring(''), { untilConverged: true });
  assert.ok(first.converged);
  const stop = first.summary.virtualSeconds;
  // The same run, with a link cut at the very instant it stopped: the stop marker must see the
  // cut (the final sample would), keep running and stop after the network holds again.
  const cut = executeScenario(
    ring(`{ "at": "${stop}s", "type": "remove-link", "a": "n0", "b": "n1" }`),
    { untilConverged: true },
  );
  assert.ok(cut.converged, 'converged again after the cut');
  assert.ok(
    cut.summary.virtualSeconds > stop,
    `${cut.summary.virtualSeconds} s, first stop ${stop} s`,
  );
});
