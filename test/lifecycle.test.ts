/**
 * test/lifecycle.test.ts — the run's lifecycle, run as a user would: bad output paths,
 * bad keys files and bad sweep grid points are exit 2 naming the flag or file before anything is
 * simulated (no results folder appears); signals stop a run as Ctrl-C does; the re-executed
 * child dies with its parent.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'pinelab.js');
const RUN_DIR = join(ROOT, 'test', 'fixtures', 'run-small');

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, PINELAB_REEXEC: '1', ...env },
  });
}

function outcome(child: ChildProcess, limitMs = 60_000): Promise<Outcome> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

const pinelab = (args: readonly string[], cwd: string): Promise<Outcome> =>
  outcome(start(args, cwd));

const fresh = (): string => mkdtempSync(join(tmpdir(), 'pinelab-life-'));

/** Exit 2, one stderr line matching `error`, no stack trace. */
function refused(o: Outcome, error: RegExp): void {
  assert.equal(o.code, 2, `exit code (stderr: ${o.stderr})`);
  const lines = o.stderr.trim().split('\n');
  assert.equal(lines.length, 1, o.stderr);
  assert.match(lines[0] as string, error);
  assert.doesNotMatch(o.stderr, /internal error|\n\s+at /);
}

test('bad output paths are exit 2 naming the flag, before the run', async () => {
  const dir = fresh();
  writeFileSync(join(dir, 'afile'), 'x');
  mkdirSync(join(dir, 'adir'));
  // A run long enough that an after-the-run check would take seconds: it must not start.
  const long = ['run', '--topology', 'ring:30', '--until', '10m', '--no-stretch'];
  const cases: [readonly string[], RegExp][] = [
    [[...long, '--out', 'afile'], /^pinelab: --out afile: is a file/],
    [[...long, '--out', 'afile/sub'], /^pinelab: --out afile\/sub: .*afile is a file/],
    [[...long, '--out', '/proc/self/runs'], /^pinelab: --out \/proc\/self\/runs: .*not writable/],
    [[...long, '--no-out', '--dump-state', 'adir'], /^pinelab: --dump-state adir: is a folder/],
    [
      [...long, '--no-out', '--dump-state', 'afile/x.json'],
      /^pinelab: --dump-state afile\/x\.json/,
    ],
    [
      ['scenario', 'run', join(ROOT, 'scenarios/examples/churn.json'), '--out', 'afile'],
      /^pinelab: --out afile: is a file/,
    ],
    [['report', RUN_DIR, '-o', 'adir'], /^pinelab: -o\/--output adir: is a folder/],
  ];
  for (const [args, error] of cases) {
    const t0 = performance.now();
    const o = await pinelab(args, dir);
    refused(o, error);
    assert.ok(performance.now() - t0 < 5000, `${args.join(' ')}: refused before simulating`);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['adir', 'afile']);
  assert.deepEqual(readdirSync(join(dir, 'adir')), []);
});

test('scenario check refuses what scenario run refuses', async () => {
  const dir = fresh();
  const files: Record<string, [object, RegExp]> = {
    'self-link.json': [
      {
        topology: 'ring:5',
        duration: '5s',
        actions: [{ at: '1s', type: 'add-link', a: 'n0', b: 'n0' }],
      },
      /actions\[0\] add-link: cannot link n0 to itself/,
    ],
    'self-peer.json': [
      {
        topology: 'ring:5',
        duration: '5s',
        actions: [{ at: '1s', type: 'add-node', node: 'x', links: ['n0', 'x'] }],
      },
      /actions\[0\] add-node: cannot link x to itself/,
    ],
    'max-ports.json': [
      { topology: 'ring:5', duration: '5s', router: { maxPorts: 0 } },
      /router option 'maxPorts'/,
    ],
    'bad-duration.json': [
      { topology: 'ring:5', duration: '5s', router: { keepaliveInterval: 'soon' } },
      /router\.keepaliveInterval: expected a duration/,
    ],
    'no-variant.json': [
      { topology: 'ring:5', duration: '5s', variant: 'missing.ts' },
      /variant missing\.ts: no such file/,
    ],
  };
  for (const [name, [json, error]] of Object.entries(files)) {
    writeFileSync(join(dir, name), JSON.stringify(json));
    refused(await pinelab(['scenario', 'check', name], dir), error);
    refused(await pinelab(['scenario', 'run', name, '--no-out'], dir), error);
  }
});

test('sweep: every grid point is validated before the first runs', async () => {
  const dir = fresh();
  writeFileSync(join(dir, 'base.json'), JSON.stringify({ topology: 'ring:6', duration: '2s' }));
  const o = await pinelab(
    [
      'sweep',
      'base.json',
      '--param',
      'topology=ring:6,line:4,/nonexistent.txt',
      '--out',
      'sw',
      '--workers',
      '1',
    ],
    dir,
  );
  refused(o, /nonexistent\.txt/);
  assert.equal(existsSync(join(dir, 'sw')), false, 'no run started');
  refused(
    await pinelab(['sweep', 'base.json', '--param', 'maxPorts=4,0', '--out', 'sw'], dir),
    /maxPorts/,
  );
  writeFileSync(join(dir, 'afile'), '');
  refused(
    await pinelab(['sweep', 'base.json', '--out', 'afile'], dir),
    /^pinelab: --out afile: is a file/,
  );
  assert.equal(existsSync(join(dir, 'sw')), false, 'no run started');
});

test('bad keys files are exit 2 naming the file, before the run (run and scenario check)', async () => {
  const dir = fresh();
  const seed = (n: number): string => n.toString(16).padStart(64, '0');
  writeFileSync(join(dir, 'same.json'), `{"n0": "${seed(1)}", "n1": "${seed(1)}"}`);
  writeFileSync(join(dir, 'twice.json'), `{"n0": "${seed(1)}",\n"n0": "${seed(2)}"}`);
  writeFileSync(join(dir, 'typo.json'), `{"n0": "${seed(1)}", "m1": "${seed(2)}"}`);
  writeFileSync(
    join(dir, 'sc.json'),
    JSON.stringify({ topology: 'ring:5', duration: '10m', keys: 'typo.json' }),
  );
  // Three equal seeds ran 10 virtual minutes, then exit 3 unexplained.
  const long = ['run', '--topology', 'ring:30', '--until', 'converged', '--no-out'];
  refused(
    await pinelab([...long, '--keys', 'same.json'], dir),
    /same\.json: nodes "n0" and "n1" have the same seed/,
  );
  refused(
    await pinelab([...long, '--keys', 'twice.json'], dir),
    /twice\.json:2: node "n0" is named twice/,
  );
  refused(
    await pinelab([...long, '--keys', 'typo.json'], dir),
    /typo\.json: node "m1" not in the run/,
  );
  refused(
    await pinelab(['scenario', 'check', 'sc.json'], dir),
    /typo\.json: node "m1" not in the run/,
  );
});

/** Resolve once `child`'s stderr has matched `re` (or reject after `ms`). */
function waitFor(child: ChildProcess, re: RegExp, ms = 30_000): Promise<void> {
  return new Promise((done, fail) => {
    let seen = '';
    const timer = setTimeout(
      () => fail(new Error(`no ${re} on stderr after ${ms} ms: ${seen}`)),
      ms,
    );
    child.stderr?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (re.test(seen)) {
        clearTimeout(timer);
        done();
      }
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Signal numbers (Linux) of the signals the tests send. */
const SIGNO = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Resolve once process `pid` catches `signal` (its handler is installed: /proc/<pid>/status
 * SigCgt), so a signal sent now meets the run's handler and not Node's default, however slowly a
 * loaded machine starts the process. Rejects after `ms`. SIGINT and SIGTERM are caught from the
 * start (tsx relays them), so readiness is asked of SIGHUP, which the run catches with the others.
 */
async function catches(pid: number, signal: keyof typeof SIGNO, ms = 30_000): Promise<void> {
  const bit = 1n << BigInt(SIGNO[signal] - 1);
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (mask !== undefined && (BigInt(`0x${mask}`) & bit) !== 0n) return;
    await sleep(50);
  }
  throw new Error(`process ${pid} did not catch ${signal} within ${ms} ms`);
}

/** The one run folder under `out`, its summary and manifest, and its file names. */
function runFolder(out: string): {
  files: string[];
  summary: Record<string, unknown>;
  manifest: { options: Record<string, unknown> };
} {
  const runs = readdirSync(out);
  assert.equal(runs.length, 1, `one run folder in ${out}: ${runs.join(', ')}`);
  const dir = join(out, runs[0] as string);
  const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  return {
    files: readdirSync(dir),
    summary: read('summary.json'),
    manifest: read('manifest.json'),
  };
}

for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const)
  test(`${signal} stops a run as Ctrl-C does: exit 130, what is complete written, marked interrupted`, async () => {
    const dir = fresh();
    // 10 virtual minutes of 1,000 nodes: far longer than the signal takes to come.
    const child = start(
      ['run', '--topology', 'ba:1000,m=2', '--until', '10m', '--no-stretch', '--out', 'out'],
      dir,
    );
    const done = outcome(child);
    await catches(child.pid as number, 'SIGHUP');
    child.kill(signal);
    const o = await done;
    assert.equal(o.code, 130, o.stderr);
    assert.match(o.stderr, /interrupted/);
    const run = runFolder(join(dir, 'out'));
    assert.equal(run.summary['interrupted'], true);
    assert.equal(run.manifest.options['interrupted'], true);
    assert.ok(run.files.includes('timeseries.csv'));
    assert.deepEqual(
      run.files.filter((f) => f.startsWith('.tmp-')),
      [],
    );
  });

test('scenario run: SIGTERM writes what is complete, marked interrupted, exit 130', async () => {
  const dir = fresh();
  writeFileSync(
    join(dir, 'long.json'),
    JSON.stringify({ topology: 'ba:1000,m=2', duration: '10m' }),
  );
  const child = start(['scenario', 'run', 'long.json', '--out', 'out'], dir);
  const done = outcome(child);
  await catches(child.pid as number, 'SIGHUP');
  child.kill('SIGTERM');
  const o = await done;
  assert.equal(o.code, 130, o.stderr);
  const run = runFolder(join(dir, 'out'));
  assert.equal(run.summary['interrupted'], true);
  assert.equal(run.manifest.options['interrupted'], true);
});

test('Ctrl-C during the final measurement is honoured: exit 130, complete figures marked interrupted', async () => {
  const dir = fresh();
  // ring:60: every ordered pair in 4 modes (14,160 probes) and their paths, about a second of work.
  const child = start(
    ['run', '--topology', 'ring:60', '--until', '5s', '--paths', '--progress', '--out', 'out'],
    dir,
  );
  const done = outcome(child);
  await waitFor(child, /measuring stretch and delivery/);
  child.kill('SIGINT');
  const o = await done;
  assert.equal(o.code, 130, o.stderr);
  assert.match(o.stderr, /interrupted after the run's end/);
  const run = runFolder(join(dir, 'out'));
  assert.equal(run.summary['interrupted'], true);
  assert.equal(run.manifest.options['interrupted'], true);
  // The measurement was complete when the signal was seen: its figures are kept.
  assert.ok((run.summary['stretch'] as Record<string, unknown>)['snek'] !== undefined);
});

test('the re-executed child dies with its parent (SIGKILL) and writes what is complete', async (t) => {
  const dir = fresh();
  const args = [
    'run',
    '--topology',
    'ba:1000,m=2',
    '--until',
    '10m',
    '--no-stretch',
    '--out',
    'out',
  ];
  // Without PINELAB_REEXEC the bin re-runs itself for a larger heap (when this machine has one).
  const env = { ...process.env };
  delete env['PINELAB_REEXEC'];
  const parent = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'ignore' });
  const childrenOf = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter((p) => p !== '')
        .map(Number);
    } catch {
      return [];
    }
  };
  // The parent re-executes at once or never: once it catches SIGHUP (it forwards signals, or runs
  // the command itself) its child, if any, has been spawned.
  await catches(parent.pid as number, 'SIGHUP');
  const children = childrenOf(parent.pid as number);
  if (children.length === 0) {
    parent.kill('SIGKILL');
    t.skip('no re-exec on this machine (heap limit already at 3/4 of its memory)');
    return;
  }
  // The child's run is under way once it catches SIGHUP (its IPC watch is set up before).
  await catches(children[0] as number, 'SIGHUP');
  const child = children[0] as number;
  // The child runs with a larger heap and with 64 MB semi-spaces for the young generation.
  const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
  assert.ok(
    argv.some((a) => a.startsWith('--max-old-space-size=')),
    argv.join(' '),
  );
  assert.ok(argv.includes('--max-semi-space-size=64'), argv.join(' '));
  // And glibc's malloc asks for transparent huge pages.
  const environ = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
  assert.ok(
    environ.some((e) => e.startsWith('GLIBC_TUNABLES=') && e.includes('glibc.malloc.hugetlb=1')),
    environ.join(' '),
  );
  parent.kill('SIGKILL');
  const alive = (): boolean => {
    try {
      // A zombie (exited, not yet reaped by whoever adopted it) is not running.
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const until = performance.now() + 20_000;
  while (alive() && performance.now() < until) await sleep(100);
  assert.equal(alive(), false, 'the child is gone within 20 s of its parent');
  const run = runFolder(join(dir, 'out'));
  assert.equal(run.summary['interrupted'], true);
});

test('stale .tmp-* files in a run folder are removed by the next run there', async () => {
  const dir = fresh();
  const args = ['run', '--topology', 'ring:5', '--until', '2s', '--no-stretch', '--out', 'out'];
  assert.equal((await pinelab(args, dir)).code, 0);
  const runs = readdirSync(join(dir, 'out'));
  const stale = join(dir, 'out', runs[0] as string, '.tmp-999999-0-summary.json');
  writeFileSync(stale, '{"trunc');
  assert.equal((await pinelab(args, dir)).code, 0);
  assert.equal(existsSync(stale), false);
});

test('compare refuses an interrupted run unless --allow-interrupted, then warns', async () => {
  const dir = fresh();
  const run = ['run', '--topology', 'ring:5', '--until', '2s', '--no-stretch', '--out'];
  assert.equal((await pinelab([...run, 'a'], dir)).code, 0);
  assert.equal((await pinelab([...run, 'b'], dir)).code, 0);
  const a = join(dir, 'a', readdirSync(join(dir, 'a'))[0] as string);
  const b = join(dir, 'b', readdirSync(join(dir, 'b'))[0] as string);
  const summary = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8'));
  writeFileSync(join(b, 'summary.json'), JSON.stringify({ ...summary, interrupted: true }));
  refused(await pinelab(['compare', a, b], dir), /the run was interrupted.*--allow-interrupted/);
  const o = await pinelab(['compare', a, b, '--allow-interrupted'], dir);
  assert.equal(o.code, 0, o.stderr);
  assert.match(o.stderr, /warning: .* the run was interrupted/);
});

test('run output goes to runs/ by default, outside the source tree', async () => {
  const dir = fresh();
  const o = await pinelab(['run', '--topology', 'ring:5', '--until', '1s', '--no-stretch'], dir);
  assert.equal(o.code, 0, o.stderr);
  assert.deepEqual(readdirSync(dir), ['runs']);
  assert.match(o.stdout, /results {8}runs\//);
  const scenario = join(dir, 's.json');
  writeFileSync(scenario, JSON.stringify({ name: 's', topology: 'ring:4', duration: '1s' }));
  assert.equal((await pinelab(['scenario', 'run', 's.json'], dir)).code, 0);
  assert.equal(readdirSync(join(dir, 'runs')).length, 2);
});
