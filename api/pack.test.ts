/**
 * api/pack.test.ts — the library as a user gets it: `npm pack` the repository, install
 * the tarball into a folder outside it (npm install --prefer-offline: the dependencies come from
 * npm's cache, or the npm registry when they are not cached yet), and run
 * `import { simulate, loadTopology } from 'pinelab'` there with `node --import tsx`. The trace hash
 * must be the one the same run gives in the repository. Takes ~5 s with a warm npm cache.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulate } from './index.ts';

const ROOT = join(import.meta.dirname, '..');

const EXAMPLE = `import { loadTopology, simulate } from 'pinelab';
const topology = loadTopology('ring:6');
const result = await simulate({ topology: 'ring:6', until: '5s', latency: { ms: 2 } });
console.log(JSON.stringify({ nodes: topology.nodes.length, traceHash: result.summary.traceHash }));
`;

test('npm pack, install outside the repository, import { simulate } from pinelab', async () => {
  const work = mkdtempSync(join(tmpdir(), 'pinelab-pack-'));
  try {
    const npm = (args: string[], cwd: string): string =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npm(['pack', ROOT, '--pack-destination', work, '--silent'], work);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball !== undefined, 'npm pack wrote a tarball');
    const app = join(work, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), '{"name": "app", "private": true, "type": "module"}');
    npm(
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        join(work, tarball),
      ],
      app,
    );
    writeFileSync(join(app, 'main.js'), EXAMPLE);
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'main.js'], {
      cwd: app,
      encoding: 'utf8',
    });
    const got = JSON.parse(out) as { nodes: number; traceHash: string };
    const here = await simulate({ topology: 'ring:6', until: '5s', latency: { ms: 2 } });
    assert.deepEqual(got, { nodes: 6, traceHash: here.summary.traceHash });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
