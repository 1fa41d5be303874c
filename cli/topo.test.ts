import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function pinelab(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function cleanError(r: ReturnType<typeof pinelab>, pattern: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, pattern);
  assert.doesNotMatch(r.err, /\n\s+at |Error:|internal error/, 'no stack trace');
}

describe('pinelab topo', () => {
  it('stats prints counts, and --json parses', () => {
    const text = pinelab('topo', 'stats', 'examples/tiny.txt');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /nodes {8}5\nlinks {8}7\n/);
    const json = pinelab('topo', 'stats', 'grid:4x4', '--json');
    assert.equal(json.code, 0, json.err);
    const s = JSON.parse(json.out);
    assert.equal(s.nodes, 16);
    assert.equal(s.links, 24);
    assert.equal(s.diameter, 6);
    assert.equal(s.source, 'grid:4x4');
  });
  it('exits 2 with a clean message for a missing file', () => {
    cleanError(pinelab('topo', 'stats', 'no/such/file.txt'), /no\/such\/file\.txt: no such file/);
  });
  it('exits 2 with a clean message for garbage', () => {
    cleanError(
      pinelab('topo', 'stats', 'test/fixtures/topologies/nul.txt'),
      /nul\.txt:2: binary data/,
    );
    cleanError(
      pinelab('topo', 'stats', 'test/fixtures/topologies/broken.graphml'),
      /broken\.graphml:5: not well-formed XML/,
    );
    cleanError(pinelab('topo', 'stats', 'ring:zero'), /ring:zero/);
  });
  it('export writes a file that loads back to the same digest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinelab-topo-'));
    const out = join(dir, 'g.graphml');
    const r = pinelab('topo', 'export', 'geo:30,r=0.3', '--seed', '5', '-o', out);
    assert.equal(r.code, 0, r.err);
    assert.match(readFileSync(out, 'utf8'), /^<\?xml/);
    const a = JSON.parse(pinelab('topo', 'stats', out, '--json').out);
    const b = JSON.parse(pinelab('topo', 'stats', 'geo:30,r=0.3', '--seed', '5', '--json').out);
    assert.equal(a.digest, b.digest);
  });
  it('--help documents the generator grammar', () => {
    const r = pinelab('topo', 'stats', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /geo:200,r=0\.12/);
    assert.match(r.out, /5ms/);
  });
});
