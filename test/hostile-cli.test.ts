/**
 * test/hostile-cli.test.ts — hostile command lines and input files, run as a user would: each case
 * spawns `pinelab …` in a fresh folder and checks exit code 2, exactly one line on stderr naming
 * the file, line or flag, no stack trace or "internal error", and no file left behind (the folder
 * holds only what the case put there). Cases run three at a time (each spawn costs ~0.6 s).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'pinelab.js');
const SIM = join(ROOT, 'examples', 'sim.txt');
const RUN_DIR = join(ROOT, 'test', 'fixtures', 'run-small');
const CHURN = join(ROOT, 'scenarios', 'examples', 'churn.json');

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run pinelab in `cwd`; `closeStdout` closes the read end at once (a `| head` that quit). */
function pinelab(args: readonly string[], cwd: string, closeStdout = false): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      // No re-exec for a larger heap: one process per case is enough here.
      env: { ...process.env, PINELAB_REEXEC: '1' },
    });
    let stdout = '';
    let stderr = '';
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

interface Case {
  /** What the case is, named in a failure. */
  readonly name: string;
  /** Files to create in the case's folder first (name → content). */
  readonly files?: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  /** The one stderr line must match this (it names the file/line/flag). */
  readonly error: RegExp;
}

const GRAPHML = (body: string): string =>
  `<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n<key id="d0" for="edge" attr.name="loss" attr.type="double"/>\n<graph edgedefault="undirected">\n${body}</graph>\n</graphml>\n`;

const SCENARIO = (extra: string): string =>
  `{"name":"x","topology":"ring:4","duration":"1s"${extra}}`;

/** An alias bomb: each anchor a list of ten aliases of the previous one (10^9 values). */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\nname: x\ntopology: ring:4\nduration: 1s\n`;
}

const CASES: readonly Case[] = [
  {
    name: 'sweep folders collide (a/b, a:b)',
    args: ['sweep', CHURN, '--param', 'seed=a/b,a:b', '--out', 'sweep'],
    error: /^pinelab: --param seed: "a\/b" and "a:b" give the same run folder name seed-a~b_rep-0/,
  },
  {
    name: 'sweep folders collide (α, β)',
    args: ['sweep', CHURN, '--param', 'seed=α,β', '--out', 'sweep'],
    error: /^pinelab: --param seed: "α" and "β" give the same run folder name/,
  },
  // toString, valueOf, hasOwnProperty… are checked in-process (topologies/load/loaders.test.ts).
  ...['constructor', '__proto__'].map(
    (n): Case => ({
      name: `node named ${n}`,
      files: { 'p.txt': `a ${n}\n` },
      args: ['topo', 'stats', 'p.txt'],
      error: new RegExp(`^pinelab: p\\.txt:1: node name "${n}" is reserved`),
    }),
  ),
  {
    name: 'node named constructor in an edge list',
    files: { 'p.csv': 'a,constructor\n' },
    args: ['run', '--topology', 'p.csv', '--until', '1s', '--no-out'],
    error: /^pinelab: p\.csv:1: node name "constructor" is reserved/,
  },
  {
    name: 'router option named constructor: check',
    files: { 's.json': SCENARIO(',"router":{"constructor":1}') },
    args: ['scenario', 'check', 's.json'],
    error: /^pinelab: s\.json:1: router\.constructor: unknown router option/,
  },
  {
    name: 'router option named constructor: run',
    files: { 's.json': SCENARIO(',"router":{"constructor":1}') },
    args: ['scenario', 'run', 's.json', '--no-out'],
    error: /^pinelab: s\.json:1: router\.constructor: unknown router option/,
  },
  {
    name: 'add-node named __proto__',
    files: {
      's.json': SCENARIO(',"actions":[{"type":"add-node","node":"__proto__","links":["n0"]}]'),
    },
    args: ['scenario', 'check', 's.json'],
    error:
      /^pinelab: s\.json:1: actions\[0\]\.node: \(add-node\) node name "__proto__" is reserved/,
  },
  {
    name: '--param __proto__.x',
    args: ['sweep', CHURN, '--param', '__proto__.x=1', '--out', 'sweep'],
    error: /^pinelab: --param __proto__\.x: "__proto__" is not a field/,
  },
  {
    name: 'unbounded read: /dev/zero as a topology',
    args: ['run', '--topology', '/dev/zero', '--format', 'pinecone', '--no-out'],
    error: /^pinelab: \/dev\/zero: is a device or socket, not a regular file/,
  },
  {
    name: 'unbounded read: /dev/zero as a scenario',
    args: ['scenario', 'check', '/dev/zero'],
    error: /^pinelab: \/dev\/zero: is a device or socket, not a regular file/,
  },
  {
    name: 'unbounded read: /dev/zero as a keys file',
    args: ['run', '--topology', 'ring:4', '--keys', '/dev/zero', '--no-out'],
    error: /^pinelab: \/dev\/zero: is a device or socket, not a regular file: expected a keys file/,
  },
  {
    name: 'scenario JSON nested 8,000 levels',
    files: { 'deep.json': SCENARIO(`,"router":${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}`) },
    args: ['scenario', 'check', 'deep.json'],
    error: /^pinelab: deep\.json:1: nested more than 64 levels deep/,
  },
  {
    name: 'YAML alias bomb',
    files: { 'bomb.yaml': aliasBomb() },
    args: ['scenario', 'check', 'bomb.yaml'],
    error: /^pinelab: bomb\.yaml: not valid YAML: its aliases \(\*name\) expand to too many values/,
  },
  {
    name: '--topology given twice',
    args: ['run', '--topology', 'ring:4', '--topology', 'ring:5', '--no-out'],
    error: /^pinelab: --topology given 2 times, expected one value/,
  },
  {
    name: '--dump-state given twice',
    args: ['run', '--topology', 'ring:4', '--dump-state', 'a', '--dump-state', 'b', '--no-out'],
    error: /^pinelab: --dump-state given 2 times/,
  },
  {
    name: '--seed given twice',
    args: ['run', '--topology', 'ring:4', '--seed', '1', '--seed', '2', '--no-out'],
    error: /^pinelab: --seed given 2 times/,
  },
  ...['latency', 'until', 'start-spread'].map(
    (flag): Case => ({
      name: `--${flag} -5ms`,
      args: ['run', '--topology', 'ring:4', `--${flag}`, '-5ms', '--no-out'],
      error: new RegExp(`^pinelab: --${flag}: expected .*got '-5ms'`),
    }),
  ),
  {
    name: '--bandwidth -5M',
    args: ['run', '--topology', 'ring:4', '--bandwidth', '-5M', '--no-out'],
    error: /^pinelab: --bandwidth: .*-5M/,
  },
  {
    name: '--loss 0x1',
    args: ['run', '--topology', 'ring:4', '--loss', '0x1', '--no-out'],
    error: /^pinelab: --loss: expected a probability in \[0, 1\].*'0x1'/,
  },
  {
    name: 'NaN loss in GraphML',
    files: {
      'g.graphml': GRAPHML(
        '<node id="a"/>\n<node id="b"/>\n<edge source="a" target="b"><data key="d0">NaN</data></edge>\n',
      ),
    },
    args: ['topo', 'stats', 'g.graphml'],
    error: /^pinelab: g\.graphml: link a–b: bad loss NaN, expected a probability/,
  },
  {
    name: 'Infinity loss in JSON',
    files: {
      'g.json':
        '{"nodes":[{"key":"a"},{"key":"b"}],"edges":[{"source":"a","target":"b","attributes":{"loss":1e999}}]}',
    },
    args: ['topo', 'stats', 'g.json'],
    error: /^pinelab: g\.json: link a–b: bad loss Infinity/,
  },
  {
    name: 'duplicate GraphML node id',
    files: { 'g.graphml': GRAPHML('<node id="a"/>\n<node id="b"/>\n<node id="a"/>\n') },
    args: ['topo', 'stats', 'g.graphml'],
    error: /^pinelab: g\.graphml:7: <node> id "a" declared twice \(first at line 5\)/,
  },
  {
    name: 'duplicate key in scenario JSON',
    files: { 's.json': '{"name":"x",\n"topology":"ring:4",\n"duration":"1s",\n"duration":"2s"}' },
    args: ['scenario', 'check', 's.json'],
    error: /^pinelab: s\.json:4: duplicate key "duration" \(first at line 3\)/,
  },
  {
    name: 'non-string description',
    files: { 's.json': SCENARIO(',"description":5') },
    args: ['scenario', 'check', 's.json'],
    error: /^pinelab: s\.json:1: description: expected a string/,
  },
  {
    name: 'stretch pairs above the pair count',
    args: ['run', '--topology', SIM, '--stretch-pairs', '-3', '--no-out'],
    error: /^pinelab: --stretch-pairs/,
  },
];

/** Runs `f` over `items`, at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await f(items[next++] as T);
  };
  await Promise.all(Array.from({ length: n }, lane));
}

test('hostile input: exit 2, one line naming the input, no stack, nothing written', async () => {
  const failures: string[] = [];
  await pool(CASES, 3, async (c) => {
    const dir = mkdtempSync(join(tmpdir(), 'pinelab-hostile-'));
    for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), text);
    const r = await pinelab(c.args, dir);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const left = readdirSync(dir).filter((f) => !Object.hasOwn(c.files ?? {}, f));
    const problems = [
      r.code === 2 ? null : `exit ${r.code}`,
      lines.length === 1 ? null : `${lines.length} stderr lines`,
      c.error.test(lines[0] ?? '') ? null : `stderr ${JSON.stringify(lines[0])} !~ ${c.error}`,
      /internal error|\n\s+at /.test(r.stderr) ? 'stack trace' : null,
      left.length === 0 ? null : `left behind: ${left.join(', ')}`,
    ].filter((p) => p !== null);
    if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')}\n${r.stderr}`);
  });
  assert.deepEqual(failures, []);
});

test('view --port on a busy port: exit 2, one line naming the flag', async () => {
  const busy = createServer();
  await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
  const port = (busy.address() as { port: number }).port;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'pinelab-hostile-'));
    const r = await pinelab(['view', RUN_DIR, '--port', String(port)], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `pinelab: --port ${port}: address 127.0.0.1:${port} is in use (pick another port, or 0 for any free one)\n`,
    );
  } finally {
    busy.close();
  }
});

test('emulate --admin on a busy port: exit 2, one line naming the flag', async () => {
  const busy = createServer();
  await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
  const port = (busy.address() as { port: number }).port;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'pinelab-hostile-'));
    const r = await pinelab(
      ['emulate', '--topology', 'ring:3', '--admin', `127.0.0.1:${port}`, '--duration', '1'],
      dir,
    );
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `pinelab: --admin ${port}: address 127.0.0.1:${port} is in use (pick another port, or 0 for any free one)\n`,
    );
  } finally {
    busy.close();
  }
});

test('a closed stdout (| head) ends quietly: no EPIPE stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-hostile-'));
  const scenario = join(dir, 's.json');
  writeFileSync(scenario, SCENARIO(''));
  for (const args of [
    ['topo', 'stats', SIM],
    ['scenario', 'run', scenario, '--no-out'],
  ]) {
    const r = await pinelab(args, dir, true);
    assert.equal(r.stderr, '', args.join(' '));
    assert.equal(r.code, 0, args.join(' '));
  }
});
