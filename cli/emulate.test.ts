/**
 * cli/emulate.test.ts — a real `pinelab node` process bridged into an emulated 200-node network
 * (`pinelab emulate`, real child processes on loopback): they agree on the network's root, and
 * the external node pings a simulated node and is pinged by one.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function pinelab(args: string[]): { child: ChildProcess; lines: Record<string, unknown>[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      try {
        lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      } catch {}
      buf = buf.slice(i + 1);
    }
  });
  return { child, lines };
}

function getJson(
  port: number,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> } | null> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Record<string, unknown> }),
      );
    });
    req.on('error', () => resolve(null));
  });
}

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - start > ms) assert.fail(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a pinelab node bridged into an emulated 200-node network agrees on the root and pings both ways (real child processes)', {
  timeout: 60_000,
}, async (t) => {
  const node = pinelab([
    'node',
    '--listen',
    'tcp://127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--key-seed',
    'ee'.repeat(32),
  ]);
  const procs = [node];
  t.after(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  const listening = await until(
    'node listening',
    () => node.lines.find((l) => l.event === 'listening'),
    15_000,
  );
  const bound = listening.bound as { kind: string; port: number }[];
  const tcp = bound.find((b) => b.kind === 'tcp')?.port;
  const nodeAdmin = bound.find((b) => b.kind === 'admin')?.port as number;
  const emu = pinelab([
    'emulate',
    '--topology',
    'ba:200,m=2',
    '--bridge',
    `n5=tcp://127.0.0.1:${tcp}`,
    '--admin',
    '127.0.0.1:0',
    '--duration',
    '55',
  ]);
  procs.push(emu);
  const emuAdmin = (
    await until('emulate admin', () => emu.lines.find((l) => l.event === 'admin'), 15_000)
  ).port as number;
  // One root across the 199 simulated nodes, and the external node's root is the same.
  const state = await until(
    'one root everywhere',
    async () => {
      const s = await getJson(emuAdmin, '/state');
      const n = await getJson(nodeAdmin, '/state');
      if (s === null || n === null) return undefined;
      const roots = s.body.roots as Record<string, number>;
      const keys = Object.keys(roots);
      return keys.length === 1 && roots[keys[0] as string] === 199 && n.body.root === keys[0]
        ? s.body
        : undefined;
    },
    25_000,
  );
  const keys = state.keys as Record<string, string>;
  const all = Object.values(keys).sort();
  assert.equal(Object.keys(state.roots as object)[0], all.at(-1), 'the root is the greatest key');
  const target = 'n150';
  const there = await until(
    'external node pings a simulated node',
    async () => {
      const r = await getJson(nodeAdmin, `/ping?key=${keys[target]}&timeout_ms=1000`);
      return r?.status === 200 ? r.body : undefined;
    },
    20_000,
  );
  assert.equal(typeof there.rttMs, 'number');
  const back = await until(
    'a simulated node pings the external node',
    async () => {
      const r = await getJson(emuAdmin, `/ping?from=${target}&key=${keys.n5}`);
      return r?.status === 200 ? r.body : undefined;
    },
    10_000,
  );
  assert.equal(typeof back.rttMs, 'number');
  // How far the simulation is behind real time is reported (here: it keeps up).
  const pace = (await getJson(emuAdmin, '/state'))?.body as { virtualS: number; behindMs: number };
  assert.ok(pace.virtualS > 1 && pace.behindMs >= 0 && pace.behindMs < 1000, JSON.stringify(pace));
});
