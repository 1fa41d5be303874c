/**
 * live/node-process.test.ts — real `pinelab node` processes on loopback: three nodes peer over TCP
 * and WebSocket, agree on the root and the snake, `pinelab ping` works both ways; the hub is
 * killed and started again and its static peers re-dial it (§4.6); SIGTERM stops a node cleanly.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { compareKeys, toHex } from '../router/keys.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Proc {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

function pinelab(args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
    }
  });
  child.stderr?.on('data', () => {});
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, exited };
}

async function until<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() - start > ms) assert.fail(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

interface Bound {
  kind: string;
  port: number;
}

function listening(p: Proc): Promise<{ key: string; bound: Bound[] }> {
  return until(
    'listening line',
    () =>
      p.lines.find((l) => l.event === 'listening') as { key: string; bound: Bound[] } | undefined,
    15_000,
  );
}

function state(adminPort: number): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port: adminPort, path: '/state' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
    });
    req.on('error', () => resolve(undefined));
  });
}

function seedHex(name: string): string {
  return toHex(sha256(new TextEncoder().encode(`pinecone-key:live-process-${name}`)));
}

function portOf(b: { bound: Bound[] }, kind: string): number {
  return b.bound.find((x) => x.kind === kind)?.port as number;
}

test('pinelab node processes peer over TCP and WebSocket, ping both ways, re-peer after a restart (real child processes)', {
  timeout: 45_000,
}, async (t) => {
  const procs: Proc[] = [];
  t.after(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  const hubArgs = (tcp: number, ws: number): string[] => [
    'node',
    '--listen',
    `tcp://127.0.0.1:${tcp}`,
    '--listen-ws',
    `ws://127.0.0.1:${ws}`,
    '--admin',
    '127.0.0.1:0',
    '--key-seed',
    seedHex('hub'),
  ];
  const hub = pinelab(hubArgs(0, 0));
  procs.push(hub);
  const h = await listening(hub);
  const tcp = portOf(h, 'tcp');
  const ws = portOf(h, 'ws');
  const a = pinelab([
    'node',
    '--peer',
    `tcp://127.0.0.1:${tcp}`,
    '--admin',
    '127.0.0.1:0',
    '--key-seed',
    seedHex('a'),
  ]);
  const b = pinelab([
    'node',
    '--peer',
    `ws://127.0.0.1:${ws}`,
    '--admin',
    '127.0.0.1:0',
    '--key-seed',
    seedHex('b'),
  ]);
  procs.push(a, b);
  const la = await listening(a);
  const lb = await listening(b);
  const all = [
    { key: h.key, admin: portOf(h, 'admin') },
    { key: la.key, admin: portOf(la, 'admin') },
    { key: lb.key, admin: portOf(lb, 'admin') },
  ].sort((x, y) => compareKeys(Buffer.from(x.key, 'hex'), Buffer.from(y.key, 'hex')));
  const rootKey = all[2]?.key;
  await until(
    'root and snake on all three',
    async () => {
      const states = await Promise.all(all.map((n) => state(n.admin)));
      const ok = states.every(
        (s, i) =>
          s !== undefined &&
          s.root === rootKey &&
          s.descending === (i === 0 ? null : all[i - 1]?.key),
      );
      return ok ? true : undefined;
    },
    20_000,
  );
  // pinelab ping, both ways between the two spokes (through the hub).
  for (const [from, to] of [
    [la, lb],
    [lb, la],
  ] as const) {
    const ping = pinelab([
      'ping',
      to.key,
      '--admin',
      `127.0.0.1:${portOf(from, 'admin')}`,
      '--json',
    ]);
    procs.push(ping);
    assert.equal(await ping.exited, 0, 'ping exits 0 on an echo');
    assert.equal(typeof ping.lines[0]?.rttMs, 'number', JSON.stringify(ping.lines));
  }
  // Kill the hub outright and start it again on the same ports: both spokes re-dial it (§4.6).
  hub.child.kill('SIGKILL');
  await hub.exited;
  const upsBefore = (p: Proc) => p.lines.filter((l) => l.event === 'peer-up').length;
  const aUps = upsBefore(a);
  const bUps = upsBefore(b);
  await until(
    'spokes see the hub gone',
    () =>
      a.lines.some((l) => l.event === 'peer-down') && b.lines.some((l) => l.event === 'peer-down')
        ? true
        : undefined,
    10_000,
  );
  const hub2 = pinelab(hubArgs(tcp, ws));
  procs.push(hub2);
  await listening(hub2);
  await until(
    'both spokes re-peered',
    () => (upsBefore(a) > aUps && upsBefore(b) > bUps ? true : undefined),
    15_000,
  );
  // SIGTERM: a clean stop, exit code 0.
  for (const p of [a, b, hub2]) p.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all([a.exited, b.exited, hub2.exited]), [0, 0, 0]);
  assert.ok(a.lines.some((l) => l.event === 'stopped'));
});
