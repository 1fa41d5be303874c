/**
 * test/architecture.test.ts — module boundaries and determinism rules (ENGINEERING.md §2.2),
 * checked on the source text so CI fails when they are broken:
 * - router/ imports only router/**, base/ (the shared base types), @noble/* and types; node:* only
 *   in router/crypto-node.ts;
 * - no floor imports one above it, type-only included (FLOORS: base/ at the bottom, results/ below
 *   scenarios/, run/ above both, then api/, cli/ and viz/);
 * - sim/ never imports a higher floor (topologies/, scenarios/, results/, cli/, viz/), not even
 *   `import type` (§2.2);
 * - router/ and sim/ (tests excluded) never read a wall clock, never use Math.random, timers,
 *   process.* or crypto.randomBytes;
 * - no .ts or .js source cites an issue number: comments say why instead.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...tsFiles(path));
    else if (entry.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

const isTest = (file: string): boolean => /\.test\.ts$/.test(file);

/** Source without comments (strings kept), so prose about "setTimeout" does not count. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

interface ImportRef {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Static imports/re-exports and dynamic import() specifiers. `import { type X }` is NOT type-only. */
function importsOf(source: string): ImportRef[] {
  const code = stripComments(source);
  const out: ImportRef[] = [];
  const re = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) {
    out.push({ specifier: m[3] as string, typeOnly: m[2] !== undefined });
  }
  const dyn = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = dyn.exec(code); m !== null; m = dyn.exec(code))
    out.push({ specifier: m[1] as string, typeOnly: false });
  return out;
}

/** Repository-relative target of a relative specifier, or null for a package. */
function target(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(ROOT, resolve(ROOT, dirname(file), specifier));
}

function routerViolations(file: string, source: string): string[] {
  const bad: string[] = [];
  for (const { specifier, typeOnly } of importsOf(source)) {
    const t = target(file, specifier);
    if (t !== null) {
      if (!t.startsWith('router/') && !t.startsWith('base/') && !typeOnly)
        bad.push(`${file} imports ${specifier}`);
    } else if (specifier.startsWith('node:')) {
      if (file !== 'router/crypto-node.ts' && !typeOnly) bad.push(`${file} imports ${specifier}`);
    } else if (!specifier.startsWith('@noble/') && !typeOnly)
      bad.push(`${file} imports package ${specifier}`);
  }
  return bad;
}

/** Floors above sim/ (ENGINEERING.md §2.2): no import, type-only included. */
const ABOVE_SIM = [
  'topologies/',
  'scenarios/',
  'results/',
  'run/',
  'api/',
  'cli/',
  'viz/',
  'live/',
];
/**
 * live/ (the real-time driver) sits beside scenarios/: it may import router/ and sim/
 * base types, nothing above them. It alone may read the wall clock (it is not simulated).
 */
const ABOVE_LIVE = ['topologies/', 'scenarios/', 'results/', 'run/', 'api/', 'cli/', 'viz/'];

function liveViolations(file: string, source: string): string[] {
  const bad: string[] = [];
  for (const { specifier } of importsOf(source)) {
    const t = target(file, specifier);
    if (t !== null && ABOVE_LIVE.some((floor) => t.startsWith(floor)))
      bad.push(`${file} imports ${specifier}`);
  }
  return bad;
}

/**
 * Floors, lowest first (ENGINEERING.md §2.2): a file may import its own floor and those below,
 * never one above, `import type` included. base/ holds the shared base types (InputError, Micros,
 * Rng) every floor may use; results/ (the measurement) sits below scenarios/ (the actions), which
 * implement its contract; live/ sits beside scenarios/; run/ drives both; api/ and cli/ use run/.
 */
const FLOORS: Readonly<Record<string, number>> = {
  'base/': 0,
  'router/': 1,
  'sim/': 2,
  'topologies/': 3,
  'results/': 4,
  'scenarios/': 5,
  'live/': 5,
  'run/': 6,
  'api/': 7,
  'cli/': 8,
  'viz/': 8,
};

function floorOf(path: string): number | undefined {
  const top = Object.keys(FLOORS).find((floor) => path.startsWith(floor));
  return top === undefined ? undefined : FLOORS[top];
}

function floorViolations(file: string, source: string): string[] {
  const own = floorOf(file);
  if (own === undefined) return [];
  const bad: string[] = [];
  for (const { specifier } of importsOf(source)) {
    const t = target(file, specifier);
    const floor = t === null ? undefined : floorOf(t);
    if (floor !== undefined && floor > own) bad.push(`${file} imports ${specifier}`);
  }
  return bad;
}

function simViolations(file: string, source: string): string[] {
  const bad: string[] = [];
  for (const { specifier } of importsOf(source)) {
    const t = target(file, specifier);
    if (t !== null && ABOVE_SIM.some((floor) => t.startsWith(floor)))
      bad.push(`${file} imports ${specifier}`);
  }
  return bad;
}

const FORBIDDEN: readonly [string, RegExp][] = [
  ['Math.random', /\bMath\.random\b/],
  ['Date.now', /\bDate\.now\b/],
  ['new Date', /\bnew\s+Date\b/],
  ['performance.now', /\bperformance\.now\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['crypto.randomBytes', /\brandomBytes\b/],
  ['process.', /\bprocess\./],
];

function wallclockViolations(file: string, source: string): string[] {
  const code = stripComments(source);
  return FORBIDDEN.filter(([, re]) => re.test(code)).map(([name]) => `${file} uses ${name}`);
}

test('the checkers catch what they are meant to catch', () => {
  assert.deepEqual(routerViolations('router/x.ts', "import { a } from '../sim/host.ts';"), [
    'router/x.ts imports ../sim/host.ts',
  ]);
  assert.deepEqual(routerViolations('router/x.ts', "import { readFileSync } from 'node:fs';"), [
    'router/x.ts imports node:fs',
  ]);
  assert.deepEqual(
    routerViolations('router/crypto-node.ts', "import { sign } from 'node:crypto';"),
    [],
  );
  assert.deepEqual(
    routerViolations('router/x.ts', "import type { HostApi } from '../sim/host-api.ts';"),
    [],
  );
  assert.deepEqual(
    routerViolations('router/x.ts', "import { type HostApi } from '../sim/host-api.ts';").length,
    1,
  );
  assert.deepEqual(
    routerViolations('router/x.ts', "import seedrandom from 'seedrandom';").length,
    1,
  );
  assert.deepEqual(
    routerViolations(
      'router/wire/y.ts',
      "import { sha256 } from '@noble/hashes/sha2.js';\nimport { k } from '../keys.ts';",
    ),
    [],
  );
  assert.deepEqual(
    simViolations('sim/x.ts', "import { writeJsonAtomic } from '../results/write.ts';").length,
    1,
  );
  assert.deepEqual(
    simViolations('sim/x.ts', "import type { RunSummary } from '../results/schema.ts';").length,
    1,
  );
  assert.deepEqual(
    simViolations('sim/x.ts', "import type { Scenario } from '../scenarios/types.ts';").length,
    1,
  );
  assert.deepEqual(
    simViolations('sim/x.ts', "import type { Frame } from '../router/types.ts';"),
    [],
  );
  assert.deepEqual(
    simViolations('sim/x.ts', "const m = await import('../viz/src/main.ts');").length,
    1,
  );
  assert.deepEqual(
    liveViolations('live/x.ts', "import type { Scenario } from '../scenarios/types.ts';").length,
    1,
  );
  assert.deepEqual(
    liveViolations('live/x.ts', "import { Router } from '../router/router.ts';"),
    [],
  );
  assert.deepEqual(
    simViolations('sim/x.ts', "import { LiveHost } from '../live/host.ts';").length,
    1,
  );
  assert.deepEqual(wallclockViolations('sim/x.ts', 'const t = Date.now();'), [
    'sim/x.ts uses Date.now',
  ]);
  assert.deepEqual(wallclockViolations('sim/x.ts', 'if (process.env.X) f();'), [
    'sim/x.ts uses process.',
  ]);
  assert.deepEqual(
    wallclockViolations('sim/x.ts', '// never use setTimeout here\nconst a = 1;'),
    [],
  );
});

test('no floor imports one above it, type-only included (base/ at the bottom)', () => {
  assert.deepEqual(
    floorViolations('results/x.ts', "import type { Scenario } from '../scenarios/types.ts';"),
    ['results/x.ts imports ../scenarios/types.ts'],
  );
  assert.deepEqual(
    floorViolations('topologies/x.ts', "import type { Rng } from '../run/spec.ts';").length,
    1,
  );
  assert.deepEqual(
    floorViolations('scenarios/x.ts', "import type { X } from '../results/schema.ts';"),
    [],
  );
  assert.deepEqual(
    floorViolations('router/x.ts', "import { InputError } from '../base/index.ts';"),
    [],
  );
  assert.deepEqual(
    floorViolations('base/x.ts', "import type { Micros } from '../router/types.ts';").length,
    1,
  );
  const files = Object.keys(FLOORS)
    .filter((floor) => existsSync(join(ROOT, floor)))
    .flatMap((floor) => tsFiles(floor.slice(0, -1)))
    .filter((f) => !isTest(f));
  assert.ok(files.includes('base/index.ts') && files.includes('results/collector.ts'));
  const bad = files.flatMap((f) => floorViolations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

test('router/ imports only router/**, @noble/* and types (node:* only in crypto-node.ts)', () => {
  const bad = tsFiles('router')
    .filter((f) => !isTest(f))
    .flatMap((f) => routerViolations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

test('sim/ imports nothing from the floors above it, types included', () => {
  const bad = tsFiles('sim')
    .filter((f) => !isTest(f))
    .flatMap((f) => simViolations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

test('live/ imports only router/, sim/ and packages, types included', () => {
  const files = tsFiles('live');
  assert.ok(files.includes('live/host.ts'));
  const bad = files.flatMap((f) => liveViolations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

test('router/ and sim/ never use wall clocks, Math.random, timers or process.*', () => {
  const files = [...tsFiles('router'), ...tsFiles('sim')].filter((f) => !isTest(f));
  assert.ok(files.includes('sim/scheduler.ts') && files.includes('router/router.ts'));
  const bad = files.flatMap((f) => wallclockViolations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

/**
 * Cycles in an import graph (file → files it imports), each as a path that returns to its start;
 * one per strongly connected component of more than one file (or a file importing itself).
 */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

/** router/'s import graph (tests excluded), type-only imports and re-exports included. */
function routerImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of tsFiles('router').filter((f) => !isTest(f))) {
    const source = readFileSync(join(ROOT, f), 'utf8');
    const targets = importsOf(source)
      .map((i) => target(f, i.specifier))
      .filter((t): t is string => typeof t === 'string' && t.startsWith('router/'));
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

test('router/ has no import cycles, type-only imports included (RouterCore in router/core.ts)', () => {
  // The checker finds a cycle through a type-only import, and none in a chain.
  assert.deepEqual(
    importCycles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
      ]),
    ),
    [['a.ts', 'b.ts', 'c.ts', 'a.ts']],
  );
  assert.deepEqual(
    importCycles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', []],
      ]),
    ),
    [],
  );
  const graph = routerImportGraph();
  assert.ok(graph.has('router/core.ts') && graph.has('router/router.ts'));
  assert.deepEqual(importCycles(graph), []);
});

/**
 * Module-level state (ENGINEERING.md §2.2): a top-level `let`/`var`, or a top-level collection
 * (Map, Set, WeakMap, WeakSet, array literal, typed array) that the module can fill. Constants of
 * immutable values pass; so do the exceptions named in MODULE_STATE_ALLOWED, each with its reason.
 */
function moduleStateViolations(file: string, source: string): string[] {
  const code = stripComments(source);
  const out: string[] = [];
  const re =
    /^(?:export\s+)?(?:(let|var)\s+([A-Za-z_$][\w$]*)|const\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]*)?=\s*(?:new\s+(?:Map|Set|WeakMap|WeakSet|Array|(?:Uint8|Int8|Uint16|Int16|Uint32|Int32|Float32|Float64|BigInt64|BigUint64|Uint8Clamped)Array)\b|\[\s*\]))/gm;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) {
    const name = (m[2] ?? m[3]) as string;
    if (!MODULE_STATE_ALLOWED.has(`${file}:${name}`)) out.push(`${file}: module-level ${name}`);
  }
  return out;
}

const MODULE_STATE_ALLOWED = new Set([
  // Read-only after construction (lookup tables), or constant bytes never written (a typed array
  // cannot be frozen).
  'router/variant.ts:SPEC_KEYS',
  'router/keys.ts:FULL_MASK',
  'router/keys.ts:HEX_CODES',
  'router/wire/announcement.ts:ZERO_SIGNATURE',
  'sim/convergence.ts:EMPTY_KEY',
  // Zero-length: nothing can be written to it (an empty table run's data, no signers indexed).
  'router/table-run.ts:NO_DATA',
  'router/decisions/snek-next-hop.ts:NO_SIGNERS',
  // Payloads whose deferred signature is not made yet: encodeFrame must settle a payload knowing
  // only the payload. Weak in its keys, which belong to the run that built them.
  'router/wire/bootstrap.ts:unsettled',
]);

test('router/ and sim/ keep no mutable module-level state (two simulations share nothing)', () => {
  assert.deepEqual(moduleStateViolations('router/x.ts', 'let best = 0;\nconst a = 1;'), [
    'router/x.ts: module-level best',
  ]);
  assert.deepEqual(
    moduleStateViolations('router/x.ts', 'const seen = new WeakMap<object, number>();'),
    ['router/x.ts: module-level seen'],
  );
  assert.deepEqual(moduleStateViolations('router/x.ts', 'const scratch: number[] = [];'), [
    'router/x.ts: module-level scratch',
  ]);
  assert.deepEqual(
    moduleStateViolations('router/x.ts', 'function f() {\n  let i = 0;\n  return i;\n}'),
    [],
  );
  const files = [...tsFiles('router'), ...tsFiles('sim')].filter((f) => !isTest(f));
  const bad = files.flatMap((f) => moduleStateViolations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

/**
 * A citation of this project's issue tracker: the word and a number, in any case, also split
 * across comment lines. Comments and test names say why the code is shaped as it is or what a
 * test guards, which outlives the tracker. Upstream Pinecone issues and pull requests are cited as
 * "#20" / "[HEAD] #72" (PROTOCOL.md §9.2) and do not match.
 */
const ISSUE_CITATION = /\bissues?[\s*/]+\d+/gi;

function issueCitations(file: string, source: string): string[] {
  const bad: string[] = [];
  for (const m of source.matchAll(ISSUE_CITATION)) {
    const line = source.slice(0, m.index).split('\n').length;
    bad.push(`${file}:${line}: ${m[0].replace(/[\s*/]+/g, ' ')}`);
  }
  return bad;
}

/** Source files outside node_modules, dot folders and build output (viz/dist). */
function sourceFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = dir === '' ? entry : join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('.') || path === join('viz', 'dist')) continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js)$/.test(entry)) out.push(path);
  }
  return out.sort();
}

test('no comment or string cites an issue number: it says why instead', () => {
  // Built from parts, so that this file does not cite what it plants.
  const I = 'issue';
  assert.deepEqual(issueCitations('x.ts', `// a /proc file reports size 0 (${I} 19)\n`), [
    `x.ts:1: ${I} 19`,
  ]);
  assert.deepEqual(issueCitations('x.ts', `/**\n * (${I}s 20 and 18)\n * ok (${I}\n * 17).\n */`), [
    `x.ts:2: ${I}s 20`,
    `x.ts:3: ${I} 17`,
  ]);
  assert.deepEqual(issueCitations('x.ts', `test('refused (I${I.slice(1)} 7)');\n// (${I}\n// 4)`), [
    `x.ts:1: I${I.slice(1)} 7`,
    `x.ts:2: ${I} 4`,
  ]);
  assert.deepEqual(
    issueCitations('x.ts', `it('qualifies (pinecone #20, §9.2)');\n// ${I}s: none`),
    [],
  );
  const files = sourceFiles();
  assert.ok(files.includes('test/architecture.test.ts') && files.includes('bin/pinelab.js'));
  const bad = files.flatMap((f) => issueCitations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});
