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

const ringWith = (fields: string) =>
  parseScenario(`{ "topology": "ring:12", "seed": "4", "duration": "60s"${fields} }`, 'sc.json');

test('a scenario file names what pinelab run takes as flags: until converged, snakeQuorum, startSpread, wireEncode, crypto', () => {
  const flags = executeScenario(ringWith(''), { untilConverged: true });
  const file = executeScenario(ringWith(', "until": "converged"'));
  assert.ok(file.converged);
  assert.equal(file.summary.traceHash, flags.summary.traceHash);
  assert.ok(file.summary.virtualSeconds < 60, `stopped at ${file.summary.virtualSeconds} s`);
  assert.equal(file.data.manifest.options['until'], 'converged');
  assert.equal(file.data.manifest.options['snakeQuorum'], 1);
  // Without the stop rule the run lasts its duration; its manifest says no `until`.
  const plain = executeScenario(ringWith(''));
  assert.equal(plain.summary.virtualSeconds, 60);
  assert.equal(plain.data.manifest.options['until'], undefined);

  const quorum = executeScenario(ringWith(', "until": "converged", "snakeQuorum": 0.5'));
  assert.equal(quorum.data.manifest.options['snakeQuorum'], 0.5);

  const spread = executeScenario(ringWith(', "startSpread": "0s"'));
  const spreadFlag = executeScenario(ringWith(''), { startSpread: 0 });
  assert.equal(spread.summary.traceHash, spreadFlag.summary.traceHash);
  assert.notEqual(spread.summary.traceHash, plain.summary.traceHash);
  assert.equal(spread.data.manifest.options['startSpread'], 0);

  const wire = executeScenario(ringWith(', "wireEncode": true, "crypto": "noble"'));
  assert.equal(wire.data.manifest.options['wireEncode'], true);
  assert.equal(wire.data.manifest.crypto, 'noble');
  // The run's flags win over the file.
  const flagWins = executeScenario(ringWith(', "crypto": "noble"'), { crypto: 'trust' });
  assert.equal(flagWins.data.manifest.crypto, 'trust');
});

test("a scenario file's run fields are checked: names the field and what was expected", () => {
  assert.throws(() => ringWith(', "until": "forever"'), /sc\.json.*until.*"converged"/);
  assert.throws(
    () => ringWith(', "snakeQuorum": 0.9'),
    /snakeQuorum.*only with "until": "converged"/,
  );
  assert.throws(
    () => ringWith(', "until": "converged", "snakeQuorum": 0'),
    /snakeQuorum.*\(0, 1\]/,
  );
  assert.throws(() => ringWith(', "until": "converged", "snakeQuorum": 2'), /snakeQuorum/);
  assert.throws(() => ringWith(', "crypto": "openssl"'), /crypto.*"node", "noble", "trust"/);
  assert.throws(() => ringWith(', "wireEncode": "yes"'), /wireEncode/);
  assert.throws(() => ringWith(', "startSpread": "soon"'), /startSpread/);
});
