import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { presentFiles, safeJoin, startViewerServer } from './serve.ts';

const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'run-small');

/** Raw GET (no URL normalisation, unlike fetch) so traversal attempts reach the server as typed. */
function get(
  url: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        ok({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

test('safeJoin refuses traversal and accepts plain names', () => {
  const base = resolve('/srv/run');
  assert.equal(safeJoin(base, 'nodes.csv'), join(base, 'nodes.csv'));
  assert.equal(safeJoin(base, '/sub/x.json'), join(base, 'sub', 'x.json'));
  for (const bad of [
    '../etc/passwd',
    '..%2fetc%2fpasswd',
    '%2e%2e/x',
    'a/../../x',
    '..\\x',
    '%E0%A4%A',
    'a%00b',
  ]) {
    assert.equal(safeJoin(base, bad), null, bad);
  }
});

test('server: index, bundle, listing, run files, compare, 404s and traversal', async () => {
  const partial = mkdtempSync(join(tmpdir(), 'pinelab-serve-'));
  for (const f of [
    'manifest.json',
    'summary.json',
    'topology.json',
    'nodes.csv',
    'timeseries.csv',
  ]) {
    writeFileSync(join(partial, f), readFileSync(join(FIXTURE, f)));
  }
  assert.deepEqual(presentFiles(partial), [
    'manifest.json',
    'summary.json',
    'topology.json',
    'nodes.csv',
    'timeseries.csv',
  ]);
  const server = await startViewerServer(FIXTURE, { compareDir: partial });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url, '/');
    assert.equal(index.status, 200);
    assert.match(index.type, /text\/html/);
    assert.match(index.body, /<script src="dist\/main\.js"><\/script>/);
    const js = await get(server.url, '/dist/main.js');
    assert.equal(js.status, 200);
    assert.ok(js.body.length > 10_000);
    const listing = JSON.parse((await get(server.url, '/files.json')).body) as {
      run: string[];
      compare: string[];
    };
    assert.equal(listing.run.length, 8);
    assert.deepEqual(listing.compare, presentFiles(partial));
    const nodes = await get(server.url, '/data/nodes.csv');
    assert.equal(nodes.body, readFileSync(join(FIXTURE, 'nodes.csv'), 'utf8'));
    assert.equal((await get(server.url, '/compare/topology.json')).status, 200);
    assert.equal((await get(server.url, '/compare/paths.json')).status, 404);
    for (const bad of [
      '/data/../package.json',
      '/data/%2e%2e/%2e%2e/package.json',
      '/data/..%2f..%2fpackage.json',
      '/dist/../serve.ts',
      '/serve.ts',
      '/x',
    ]) {
      const r = await get(server.url, bad);
      assert.equal(r.status, 404, bad);
    }
    assert.equal((await get(server.url, '/data/nodes.csv', 'POST')).status, 405);
  } finally {
    await server.close();
  }
});
