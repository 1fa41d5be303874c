import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { executeScenario } from '../run/execute.ts';
import { importPineconesim, loadPineconesim } from './pineconesim.ts';

const DIR = join(import.meta.dirname, '..', '..', 'shared', 'pineconesim-sequences');
// The sequences are pineconesim's own files, in the shared folder beside the repository.
const skip = existsSync(DIR) ? false : `[needs ../shared] no ${DIR}`;

test('every pineconesim sequence imports and runs (needs ../shared)', { skip }, () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const sc = loadPineconesim(join(DIR, f));
    assert.ok(sc.warnings.length > 0, f);
    const a = executeScenario(sc).summary;
    const b = executeScenario(sc).summary;
    assert.equal(a.traceHash, b.traceHash, f);
  }
});

test('alice and friends: delays become virtual ms, islands join then everything is removed (needs ../shared)', {
  skip,
}, () => {
  const sc = loadPineconesim(join(DIR, 'example_alice_and_friends.json'));
  assert.deepEqual(
    sc.actions.map((a) => `${a.at / 1000} ${a.type}`),
    [
      '0 add-node',
      '0 add-node',
      '0 add-link',
      '5000 add-node',
      '5000 add-node',
      '5000 add-link',
      '10000 add-link',
      '15000 remove-node',
      '15000 remove-node',
      '15000 remove-node',
      '15000 remove-node',
    ],
  );
  assert.equal(sc.duration, 25_000_000);
});

test('drop_snek_proto: Mallory drops SNEK bootstraps and traffic except from Dan (needs ../shared)', {
  skip,
}, () => {
  const sc = loadPineconesim(join(DIR, 'example_drop_snek_proto.json'));
  const adv = sc.actions.filter((a) => a.type === 'adversary');
  assert.equal(adv.length, 2);
  const last = adv[1];
  assert.ok(last?.type === 'adversary');
  assert.deepEqual(last.drop, { bootstrap: 1, wakeup: 1, traffic: 1 });
  assert.deepEqual(last.peers, { Dan: {} });
  assert.ok(sc.warnings.some((w) => w.includes('command 0 skipped')));
});

test('bad sequences: InputError with the line', () => {
  assert.throws(
    () =>
      importPineconesim(
        '{"EventSequence": [\n{"Command":"AddNode","Data":{"Name":"A","NodeType":"Evil"}}]}',
        's.json',
      ),
    /s\.json:2: EventSequence\[0\]\.Data\.NodeType: expected one of/,
  );
  assert.throws(() => importPineconesim('{"Events": []}', 's.json'), /EventSequence/);
});
