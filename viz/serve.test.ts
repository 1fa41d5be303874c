import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRunDir, servePage } from '../cli/view.ts';
import { hostAllowed, presentFiles, routeOf, startViewerServer } from './serve.ts';
import { RUN_FILES } from './src/model/files.ts';

const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'run-small');

/** Raw GET (no URL normalisation, unlike fetch) so traversal attempts reach the server as typed. */
function get(
  url: string,
  path: string,
  method = 'GET',
  hostHeader?: string,
): Promise<{ status: number; body: string; type: string }> {
  const u = new URL(url);
  const headers = hostHeader === undefined ? {} : { host: hostHeader };
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
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

test('routeOf: only the page, the listing, the bundle and schema run files by exact name', () => {
  assert.deepEqual(routeOf('/'), { kind: 'index' });
  assert.deepEqual(routeOf('/files.json'), { kind: 'listing' });
  assert.deepEqual(routeOf('/dist/main.js'), { kind: 'bundle', name: 'main.js' });
  assert.deepEqual(routeOf('/data/nodes.csv'), { kind: 'run', name: 'nodes.csv' });
  assert.deepEqual(routeOf('/data/nodes%2Ecsv'), { kind: 'run', name: 'nodes.csv' });
  assert.deepEqual(routeOf('/compare/summary.json'), { kind: 'compare', name: 'summary.json' });
  // events.jsonl (--events) is served for the viewer's replay.
  assert.deepEqual(routeOf('/data/events.jsonl'), { kind: 'run', name: 'events.jsonl' });
  for (const bad of [
    '/data/../package.json',
    '/data/..%2fetc%2fpasswd',
    '/data/%2e%2e/x',
    '/data/a/../../x',
    '/data/..\\x',
    '/data/%E0%A4%A',
    '/data/a%00b',
    '/data/.env',
    '/data/.git/config',
    '/data/events.jsonl.gz',
    '/data/rootlink/etc/shadow',
    '/data/',
    '/dist/../serve.ts',
    '/dist/.hidden',
    '/serve.ts',
  ]) {
    assert.equal(routeOf(bad), null, bad);
  }
});

test('hostAllowed: loopback names with the right port only', () => {
  for (const ok of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080']) {
    assert.equal(hostAllowed(ok, 8080), true, ok);
  }
  for (const bad of [
    undefined,
    '',
    'evil.example:8080',
    '127.0.0.1.evil.example:8080',
    'localhost.:8080',
    '127.0.0.1:8081',
    '127.0.0.1',
    'localhost:8080:1',
    '127.0.0.2:8080',
    '0.0.0.0:8080',
    '[::1]',
  ]) {
    assert.equal(hostAllowed(bad, 8080), false, String(bad));
  }
  assert.equal(hostAllowed('localhost', 80), true);
});

/** A copy of the fixture run plus what a hostile or careless folder may hold. */
function hostileRun(): { dir: string; outside: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-serve-hostile-'));
  for (const f of RUN_FILES) writeFileSync(join(dir, f), readFileSync(join(FIXTURE, f)));
  const outside = mkdtempSync(join(tmpdir(), 'pinelab-serve-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'secret\n');
  writeFileSync(join(dir, '.env'), 'TOKEN=1\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a run file\n');
  symlinkSync('/', join(dir, 'rootlink'));
  symlinkSync(outside, join(dir, 'outlink'));
  return { dir, outside };
}

test('server: symlinks out of the folder, dotfiles and non-run files are not served', async () => {
  const { dir, outside } = hostileRun();
  // A run file that is a symlink leading out of the folder: neither listed nor served.
  rmSync(join(dir, 'paths.json'));
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'paths.json'));
  // A run file that is a symlink to another file inside the folder is fine.
  rmSync(join(dir, 'pairs.csv'));
  writeFileSync(join(dir, 'pairs-real.csv'), readFileSync(join(FIXTURE, 'pairs.csv')));
  symlinkSync('pairs-real.csv', join(dir, 'pairs.csv'));
  // A run file name that is a directory.
  rmSync(join(dir, 'snapshots.json'));
  mkdirSync(join(dir, 'snapshots.json'));
  const server = await startViewerServer(dir, {});
  try {
    const listing = JSON.parse((await get(server.url, '/files.json')).body) as { run: string[] };
    assert.ok(!listing.run.includes('paths.json'), 'symlink out of the folder is not listed');
    assert.ok(!listing.run.includes('snapshots.json'), 'a directory is not listed');
    assert.ok(listing.run.includes('pairs.csv'), 'symlink inside the folder is listed');
    assert.equal((await get(server.url, '/data/pairs.csv')).status, 200);
    for (const bad of [
      '/data/paths.json',
      '/data/snapshots.json',
      '/data/rootlink/etc/passwd',
      '/data/rootlink%2fetc%2fpasswd',
      '/data/outlink/secret.txt',
      '/data/.env',
      '/data/notes.txt',
      '/data/pairs-real.csv',
    ]) {
      const r = await get(server.url, bad);
      assert.equal(r.status, 404, bad);
      assert.doesNotMatch(r.body, /secret|TOKEN|root:/, bad);
    }
  } finally {
    await server.close();
  }
});

test('server: a foreign Host header gets 421 (DNS rebinding), loopback names are served', async () => {
  const server = await startViewerServer(FIXTURE, {});
  try {
    const port = new URL(server.url).port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
      const r = await get(server.url, '/data/summary.json', 'GET', host);
      assert.equal(r.status, 421, host);
      assert.doesNotMatch(r.body, /traceHash/, host);
    }
    assert.equal((await get(server.url, '/', 'GET', `evil.example:${port}`)).status, 421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      assert.equal((await get(server.url, '/data/summary.json', 'GET', host)).status, 200, host);
    }
  } finally {
    await server.close();
  }
});

test('server: a busy port is an error with code EADDRINUSE (view turns it into one line)', async () => {
  const first = await startViewerServer(FIXTURE, {});
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(startViewerServer(FIXTURE, { port }), { code: 'EADDRINUSE' });
  } finally {
    await first.close();
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
    assert.equal(listing.run.length, 9); // the fixture has events.jsonl too
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

test('view refuses a folder whose required file is a symlink out of it', () => {
  const { dir, outside } = hostileRun();
  rmSync(join(dir, 'summary.json'));
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'summary.json'));
  assert.throws(() => checkRunDir(dir), /missing summary\.json \(regular files inside it/);
  assert.doesNotThrow(() => checkRunDir(FIXTURE));
});

test("servePage (the sweep page): the page at / only, with the viewer server's Host and method rules", async () => {
  const server = await servePage('<p>sweeps</p>', 0);
  const port = Number(new URL(server.url).port);
  try {
    const page = await get(server.url, '/');
    assert.equal(page.status, 200);
    assert.equal(page.body, '<p>sweeps</p>');
    assert.equal((await get(server.url, '/index.html?x=1', 'HEAD')).body, '');
    assert.equal((await get(server.url, '/x')).status, 404);
    assert.equal((await get(server.url, '/', 'POST')).status, 405);
    assert.equal((await get(server.url, '/', 'GET', `evil.example:${port}`)).status, 421);
    assert.equal((await get(server.url, '/', 'GET', `localhost:${port}`)).status, 200);
  } finally {
    await server.close();
  }
});
