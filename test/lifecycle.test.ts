/**
 * test/lifecycle.test.ts — the run's lifecycle (issue 17), run as a user would: bad output paths,
 * bad keys files and bad sweep grid points are exit 2 naming the flag or file before anything is
 * simulated (no results folder appears); signals stop a run as Ctrl-C does; the re-executed
 * child dies with its parent.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
