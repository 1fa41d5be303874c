import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { checkScenario } from '../cli/scenario.ts';
import { build } from './builder.ts';
import { checkNames } from './check-names.ts';
import { parseScenario } from './load.ts';
import { parseTrace } from './load-actions.ts';

const base = (actions: string) => `{
  "topology": "ring:5",
  "duration": "10s",
  "actions": [
${actions}
  ]
}`;

function fails(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseScenario(text, 'sc.json'),
    (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test('validation errors name the file, JSON line, action index and what was expected', () => {
  fails(
    base('    { "at": "1s", "type": "remove-link", "a": "n1" }'),
    /^sc\.json:5: actions\[0\]\.b: \(remove-link\) expected a non-empty string/,
  );
  fails(
    base(
      '    {"at":"1s","type":"flap","a":"n1","b":"n2","period":"1s","count":2},\n    { "at": "3 s", "type": "heal" }',
    ),
    /^sc\.json:6: actions\[1\]\.at: \(heal\) expected a duration/,
  );
  fails(base('    { "at": "1s", "type": "teleport" }'), /actions\[0\]\.type: expected one of/);
  fails(base('    { "at": "20s", "type": "heal" }'), /within the scenario duration/);
  fails(base('    { "at": "1s", "type": "partition" }'), /exactly one of "groups" or "cut"/);
  fails(
    base('    { "at": "1s", "type": "adversary", "node": "n1", "drop": { "bootstrap": 2 } }'),
    /drop\.bootstrap: \(adversary\) expected a number in \[0, 1\]/,
  );
  fails(
    '{ "topology": "ring:5", "duration": "10s", "bogus": 1 }',
    /^sc\.json:1: bogus: unknown field/,
  );
  fails('{ "topology": "ring:5",\n "duration": 10s }', /^sc\.json:2: not valid JSON/);
});

test('actions are sorted by time, stable among equal times', () => {
  const sc = parseScenario(
    base(
      '    { "at": "5s", "type": "snapshot", "label": "x" },\n    { "at": "1s", "type": "heal" },\n    { "at": "5s", "type": "snapshot", "label": "y" }',
    ),
    'sc.json',
  );
  assert.deepEqual(
    sc.actions.map((a) => (a.type === 'snapshot' ? a.label : a.type)),
    ['heal', 'x', 'y'],
  );
});

test('checkNames: unknown nodes fail, nodes added by add-node are known', () => {
  const sc = parseScenario(
    base(
      '    { "at": "1s", "type": "add-node", "node": "new", "links": ["n1"] },\n    { "at": "2s", "type": "remove-link", "a": "new", "b": "zz" }',
    ),
    'sc.json',
  );
  assert.throws(
    () => checkNames(sc, ['n0', 'n1']),
    /actions\[1\] \(remove-link\): b "zz" is not a node/,
  );
  assert.doesNotThrow(() => checkNames({ ...sc, actions: sc.actions.slice(0, 1) }, ['n1']));
});

test('builder produces the same object as the JSON file', () => {
  const fromJson = parseScenario(
    '{"name":"b","topology":"ring:5","seed":"7","duration":"30s","links":{"latency":"5ms"},"actions":[{"at":"10s","type":"remove-node","node":"n1"},{"at":"12s","type":"flap","a":"n2","b":"n3","period":"2s","count":3}]}',
    'builder',
  );
  const built = build({ name: 'b', topology: 'ring:5', seed: '7', duration: '30s' })
    .links({ latency: '5ms' })
    .at('10s', { type: 'remove-node', node: 'n1' })
    .at('12s', { type: 'flap', a: 'n2', b: 'n3', period: '2s', count: 3 })
    .scenario();
  assert.deepEqual(built, fromJson);
});

test('mobility trace parsing: spaces or commas, seconds or durations, sorted stably', () => {
  const rows = parseTrace('time node x y\n2 a 1 1\n0.5,b,0,0\n500ms a 3 4\n', 't.csv');
  assert.deepEqual(rows, [
    { time: 500_000, node: 'b', x: 0, y: 0 },
    { time: 500_000, node: 'a', x: 3, y: 4 },
    { time: 2_000_000, node: 'a', x: 1, y: 1 },
  ]);
  assert.throws(() => parseTrace('1 a 2\n', 't.csv'), /t\.csv:1: expected 4 fields/);
});

test('every example scenario validates against its (bundled) topology', () => {
  const dir = join(import.meta.dirname, 'examples');
  const files = readdirSync(dir).filter((f) => /\.(json|yaml)$/.test(f));
  assert.ok(files.length >= 5);
  for (const f of files) assert.doesNotThrow(() => checkScenario(join(dir, f)), f);
});

test('YAML scenarios: same schema as JSON, errors name the YAML line', () => {
  const json = parseScenario(
    base('    { "at": "2s", "type": "remove-link", "a": "n0", "b": "n1" }'),
    'sc.json',
  );
  const yaml = parseScenario(
    [
      'topology: ring:5',
      'duration: 10s',
      'actions:',
      '  - { at: 2s, type: remove-link, a: n0, b: n1 }',
    ].join('\n'),
    'sc.yaml',
  );
  assert.deepEqual({ ...yaml, source: '' }, { ...json, source: '' });
  const bad = [
    'topology: ring:5',
    'duration: 10s',
    'actions:',
    '  - at: 2s',
    '    type: heal',
    '  - at: soon',
    '    type: heal',
  ];
  assert.throws(
    () => parseScenario(bad.join('\n'), 'sc.yaml'),
    (e: unknown) =>
      e instanceof InputError &&
      /^sc\.yaml:6: actions\[1\]\.at: .*expected a duration/.test(e.message),
  );
  assert.throws(
    () => parseScenario('topology: [ring:5\nduration: 10s', 'sc.yml'),
    (e: unknown) => e instanceof InputError && /^sc\.yml:\d+: not valid YAML/.test(e.message),
  );
});
