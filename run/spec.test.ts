import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../scenarios/load.ts';
import { endOf, manifestOptionsOf, resolveRunSpec, stopRuleOf, untilManifest } from './spec.ts';

const scenario = (fields = '') =>
  parseScenario(`{ "topology": "ring:6", "duration": "30s"${fields} }`, 'sc.json');

test('resolveRunSpec: the flags win over the scenario file, the file over the defaults', () => {
  const plain = resolveRunSpec(scenario(), {});
  assert.equal(plain.crypto, 'node');
  assert.equal(plain.wireEncode, false);
  assert.equal(plain.startSpread, 1_000_000);
  assert.deepEqual(plain.stop, { kind: 'duration' });
  assert.equal(plain.snakeQuorum, 1);
  assert.equal(plain.keysFile, null);
  assert.equal(plain.command, 'pinelab scenario run sc.json');
  const file = resolveRunSpec(
    scenario(
      ', "crypto": "noble", "wireEncode": true, "startSpread": "2s", "until": "converged", "snakeQuorum": 0.9',
    ),
    {},
  );
  assert.equal(file.crypto, 'noble');
  assert.equal(file.wireEncode, true);
  assert.equal(file.startSpread, 2_000_000);
  assert.deepEqual(file.stop, { kind: 'converged' });
  assert.equal(file.snakeQuorum, 0.9);
  const flags = resolveRunSpec(file.scenario, {
    crypto: 'trust',
    wireEncode: false,
    startSpread: 0,
    untilConverged: false,
    snakeQuorum: 1,
  });
  assert.equal(flags.crypto, 'trust');
  assert.equal(flags.wireEncode, false);
  assert.equal(flags.startSpread, 0);
  assert.deepEqual(flags.stop, { kind: 'duration' });
  assert.equal(flags.snakeQuorum, 1);
});

test('a RunSpec is plain data: it survives JSON unchanged', () => {
  const spec = resolveRunSpec(scenario(', "until": "converged"'), {
    snapshotEvery: 1_000_000,
    manifestOptions: { until: 'converged', timeout: 30 },
  });
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
});

test('manifestOptionsOf writes the spec out in the order older manifests have', () => {
  const spec = resolveRunSpec(scenario(), {
    manifestOptions: { until: 'converged', timeout: 600 },
  });
  const options = manifestOptionsOf(spec, { router: {}, links: {}, interrupted: false });
  assert.deepEqual(Object.keys(options), [
    'router',
    'links',
    'measure',
    'duration',
    'wireEncode',
    'processing',
    'transport',
    'repeer',
    'startSpread',
    'keysFile',
    'until',
    'timeout',
    'interrupted',
  ]);
  assert.equal(options['duration'], 30);
  assert.equal(options['startSpread'], 1);
  // A scenario file's stop rule is written when the file names it.
  const file = resolveRunSpec(scenario(', "until": "converged", "snakeQuorum": 0.5'), {});
  const fileOptions = manifestOptionsOf(file, { router: {}, links: {}, interrupted: true });
  assert.equal(fileOptions['until'], 'converged');
  assert.equal(fileOptions['snakeQuorum'], 0.5);
  assert.equal(fileOptions['interrupted'], true);
});

test('--until is one stop rule: its end, and the manifest fields older manifests have', () => {
  const converged = stopRuleOf('converged', 600_000_000);
  assert.deepEqual(converged, { kind: 'converged', timeout: 600_000_000 });
  assert.equal(endOf(converged), 600_000_000);
  assert.deepEqual(untilManifest(converged), { until: 'converged', timeout: 600 });
  const fixed = stopRuleOf(30_000_000, 600_000_000);
  assert.equal(fixed.kind, 'duration');
  assert.equal(endOf(fixed), 30_000_000);
  assert.deepEqual(untilManifest(fixed), { until: 30, timeout: 600 });
});
