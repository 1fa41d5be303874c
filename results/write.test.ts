import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeChunksAtomic } from './write.ts';

test('writeChunksAtomic: the chunks in order; a failing source leaves the old file and no temporary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-write-'));
  try {
    const path = join(dir, 'out.csv');
    writeChunksAtomic(path, ['a,b\n', '', '1,2\n', '3,4\n']);
    assert.equal(readFileSync(path, 'utf8'), 'a,b\n1,2\n3,4\n');
    function* failing(): Generator<string> {
      yield 'half';
      throw new Error('source failed');
    }
    assert.throws(() => writeChunksAtomic(path, failing()), /source failed/);
    assert.equal(readFileSync(path, 'utf8'), 'a,b\n1,2\n3,4\n');
    assert.deepEqual(readdirSync(dir), ['out.csv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
