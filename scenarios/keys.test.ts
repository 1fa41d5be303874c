import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { executeScenario } from '../run/execute.ts';
import { loadRunKeys, runNodeNames } from './keys.ts';
import { loadScenario } from './load.ts';

const seed = (n: number): string => n.toString(16).padStart(64, '0');

function keysFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pinelab-keys-')), 'keys.json');
  writeFileSync(file, text);
  return file;
}

test('keys files: duplicate seeds, names twice and names not in the run are refused', () => {
  const names = ['a', 'b', 'c'];
  const refuses = (text: string, why: RegExp): void =>
    assert.throws(
      () => loadRunKeys(keysFile(text), names),
      (e: unknown) => e instanceof InputError && why.test(e.message),
    );
  refuses(`{"a": "${seed(1)}", "b": "${seed(1)}"}`, /nodes "a" and "b" have the same seed/);
  // Upper and lower case hex are one seed.
  refuses(`{"a": "${seed(10)}", "b": "${seed(10).toUpperCase()}"}`, /same seed/);
  refuses(`{"a": "${seed(1)}",\n "a": "${seed(2)}"}`, /keys\.json:2: node "a" is named twice/);
  refuses(`{"a": "${seed(1)}", "zz": "${seed(2)}"}`, /node "zz" not in the run/);
  assert.equal(loadRunKeys(keysFile(`{"a": "${seed(1)}", "c": "${seed(2)}"}`), names).size, 2);
  // An escaped name is one name, and equal to its plain spelling.
  refuses(`{"\\u0061": "${seed(1)}", "a": "${seed(2)}"}`, /node "a" is named twice/);
});

test('runNodeNames: the topology and the add-node actions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-keys-'));
  const file = join(dir, 's.json');
  writeFileSync(
    file,
    JSON.stringify({
      topology: 'line:2',
      duration: '1s',
      actions: [{ at: '0.5s', type: 'add-node', node: 'x', links: ['n0'] }],
    }),
  );
  assert.deepEqual([...runNodeNames(loadScenario(file), ['n0', 'n1'])].sort(), ['n0', 'n1', 'x']);
});

test("a scenario's keys field fixes identities, resolved against the scenario's folder", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-keys-'));
  writeFileSync(join(dir, 'ids.json'), `{"n0": "${seed(7)}"}`);
  const base = { topology: 'ring:4', duration: '3s', measure: { stretch: [] } };
  writeFileSync(join(dir, 'with.json'), JSON.stringify({ ...base, keys: 'ids.json' }));
  writeFileSync(join(dir, 'without.json'), JSON.stringify(base));
  const withKeys = executeScenario(loadScenario(join(dir, 'with.json')));
  const without = executeScenario(loadScenario(join(dir, 'without.json')));
  const viaOption = executeScenario(loadScenario(join(dir, 'without.json')), {
    keysFile: join(dir, 'ids.json'),
  });
  assert.notEqual(withKeys.summary.traceHash, without.summary.traceHash);
  assert.equal(withKeys.summary.traceHash, viaOption.summary.traceHash);
  assert.match(String(withKeys.data.manifest.options['keysFile']), /ids\.json$/);
  // A name the run does not have is refused before anything runs.
  writeFileSync(join(dir, 'bad.json'), `{"n9": "${seed(7)}"}`);
  writeFileSync(join(dir, 'bad-keys.json'), JSON.stringify({ ...base, keys: 'bad.json' }));
  assert.throws(
    () => executeScenario(loadScenario(join(dir, 'bad-keys.json'))),
    /node "n9" not in the run/,
  );
});
