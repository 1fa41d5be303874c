import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SweepPool, type WorkRequest } from './sweep-pool.ts';

// A fake runner (plain JS, so it needs nothing from the tree): notes each thread that imported it
// beside itself, and does what the request's raw JSON says.
const FAKE = `
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
appendFileSync(new URL('./loaded.txt', import.meta.url), threadId + '\\n');
export async function runOne(req) {
  if (req.raw.exit !== undefined) process.exit(req.raw.exit);
  if (req.raw.fail !== undefined) throw new Error(req.raw.fail);
  appendFileSync(new URL('./ran.txt', import.meta.url), req.out + '\\n');
}
`;

function fakeRunner(source = FAKE): { dir: string; url: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-pool-'));
  const file = join(dir, 'runner.mjs');
  writeFileSync(file, source);
  return { dir, url: pathToFileURL(file).href };
}

const request = (runner: string, out: string, raw: Record<string, unknown> = {}): WorkRequest => ({
  file: 'f.json',
  baseDir: '.',
  raw,
  out,
  command: 'test',
  runner,
});

async function until(what: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('pool: every thread imports the runner at start, before any request', {
  timeout: 60_000,
}, async () => {
  const { dir, url } = fakeRunner();
  const pool = new SweepPool(2, url);
  try {
    const loaded = join(dir, 'loaded.txt');
    await until(() => existsSync(loaded) && readFileSync(loaded, 'utf8').split('\n').length === 3);
    assert.equal(existsSync(join(dir, 'ran.txt')), false);
    // Then requests run on the modules already loaded (not imported again).
    assert.deepEqual(
      await Promise.all([pool.run(0, request(url, 'a')), pool.run(1, request(url, 'b'))]),
      [{ ok: true }, { ok: true }],
    );
    assert.deepEqual(await pool.run(0, request(url, 'c')), { ok: true });
    assert.deepEqual(readFileSync(join(dir, 'ran.txt'), 'utf8').split('\n').sort(), [
      '',
      'a',
      'b',
      'c',
    ]);
    assert.equal(readFileSync(loaded, 'utf8').split('\n').length, 3);
  } finally {
    await pool.close();
  }
});

test('pool: a run that throws is a reply; a thread that exits fails its request, not hangs', {
  timeout: 60_000,
}, async () => {
  const { url } = fakeRunner();
  const pool = new SweepPool(1, url);
  try {
    assert.deepEqual(await pool.run(0, request(url, 'x', { fail: 'no such node' })), {
      ok: false,
      error: 'no such node',
      input: false,
    });
    await assert.rejects(pool.run(0, request(url, 'y', { exit: 3 })), /exited with code 3/);
    // The thread is gone: later requests fail at once.
    await assert.rejects(pool.run(0, request(url, 'z')), /exited with code 3/);
  } finally {
    await pool.close();
  }
});

test('pool: a runner that cannot be imported fails the first request with why', {
  timeout: 60_000,
}, async () => {
  const { url } = fakeRunner('export const runOne = ;');
  const pool = new SweepPool(1, url);
  try {
    const reply = await pool.run(0, request(url, 'x'));
    assert.equal(reply.ok, false);
    assert.match(reply.ok ? '' : reply.error, /runner\.mjs|Unexpected token|Transform failed/);
  } finally {
    await pool.close();
  }
});

test('pool: a retired thread takes no more requests; close ends the rest', {
  timeout: 60_000,
}, async () => {
  const { url } = fakeRunner();
  const pool = new SweepPool(2, url);
  try {
    assert.deepEqual(await pool.run(1, request(url, 'a')), { ok: true });
    await pool.retire(1);
    assert.throws(() => pool.run(1, request(url, 'b')), /retired/);
    assert.deepEqual(await pool.run(0, request(url, 'c')), { ok: true });
  } finally {
    await pool.close();
  }
  await pool.close();
  assert.throws(() => new SweepPool(0, url), /whole number/);
});
