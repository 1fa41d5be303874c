/**
 * scenarios/load.ts — read and validate a scenario file (JSON) into a Scenario (types.ts).
 *
 * Validation happens before anything runs: every problem is an InputError naming the file, the
 * JSON line, the action index and what was expected (house rule). `validateScenario` takes the
 * already-parsed object so the builder and the pineconesim importer share the same checks.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { InputError, locate } from '../base/index.ts';
import { ROUTING_MODES, type RoutingMode } from '../results/schema.ts';
import { DEFAULT_ROUTER_OPTIONS } from '../router/options.ts';
import type { LinkProps } from '../sim/host-api.ts';
import { TRANSPORTS } from '../sim/link.ts';
import { REPEER_MODES } from '../sim/peering.ts';
import { PROCESSING_PRESETS, type ProcessingPreset } from '../sim/processing.ts';
import { nameProblem } from '../topologies/graph.ts';
import { decodeText, readCapped } from '../topologies/load/text.ts';
import { toMicros } from './duration.ts';
import { type LocatedJson, parseJsonWithLines } from './json-lines.ts';
import {
  type Action,
  type AddNodeAction,
  CRYPTO_NAMES,
  DEFAULT_MEASURE,
  type Distribution,
  DROP_CLASSES,
  type DropRates,
  type MeasureOptions,
  type ProbeMode,
  type Scenario,
} from './types.ts';
import { isYamlFile, parseYamlWithLines } from './yaml-lines.ts';

type Path = readonly (string | number)[];
type Obj = Record<string, unknown>;

const MODES: readonly RoutingMode[] = ROUTING_MODES;
const PROBE_MODES: readonly ProbeMode[] = [...ROUTING_MODES, 'auto'];

/** Reads fields of a JSON object and fails with file:line and the path of the bad field. */
export class Checker {
  readonly file: string;
  readonly lineOf: (path: Path) => number | undefined;
  constructor(file: string, lineOf: (path: Path) => number | undefined = () => undefined) {
    this.file = file;
    this.lineOf = lineOf;
  }
  fail(path: Path, what: string): never {
    throw new InputError(locate(this.file, this.lineOf(path), `${describe(path)}: ${what}`));
  }
  object(v: unknown, path: Path): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(path, 'expected an object');
    return v as Obj;
  }
  keys(o: Obj, path: Path, allowed: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        this.fail([...path, k], `unknown field "${k}" (expected one of: ${allowed.join(', ')})`);
  }
  string(o: Obj, key: string, path: Path, fallback?: string): string {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v.length === 0)
      this.fail([...path, key], 'expected a non-empty string');
    return v;
  }
  number(o: Obj, key: string, path: Path, min: number, max: number, fallback?: number): number {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      this.fail([...path, key], `expected a number in [${min}, ${max}]`);
    return v;
  }
  integer(o: Obj, key: string, path: Path, min: number, fallback?: number): number {
    const v = this.number(o, key, path, min, Number.MAX_SAFE_INTEGER, fallback);
    if (!Number.isInteger(v)) this.fail([...path, key], 'expected a whole number');
    return v;
  }
  duration(o: Obj, key: string, path: Path, fallback?: number): number {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    const us = toMicros(v);
    if (us === null)
      this.fail(
        [...path, key],
        `expected a duration like "30s", "250ms", "1.5s", "5m", "2h" (got ${JSON.stringify(v)})`,
      );
    return us;
  }
  optDuration(o: Obj, key: string, path: Path): number | null {
    return o[key] === undefined || o[key] === null ? null : this.duration(o, key, path);
  }
  bool(o: Obj, key: string, path: Path, fallback: boolean): boolean {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail([...path, key], 'expected true or false');
    return v;
  }
  oneOf<T extends string>(o: Obj, key: string, path: Path, options: readonly T[], fallback?: T): T {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v))
      this.fail([...path, key], `expected one of ${options.map((x) => `"${x}"`).join(', ')}`);
    return v as T;
  }
  names(v: unknown, path: Path): string[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array of node names');
    return v.map((n, i) => {
      if (typeof n !== 'string' || n.length === 0) this.fail([...path, i], 'expected a node name');
      return n;
    });
  }
  pairs(v: unknown, path: Path): [string, string][] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array of [a, b] node name pairs');
    return v.map((p, i) => {
      const ns = this.names(p, [...path, i]);
      if (ns.length !== 2) this.fail([...path, i], 'expected a pair [a, b]');
      return [ns[0] as string, ns[1] as string];
    });
  }
  linkProps(v: unknown, path: Path): Partial<LinkProps> {
    if (v === undefined) return {};
    const o = this.object(v, path);
    this.keys(o, path, ['latency', 'jitter', 'bandwidth', 'loss']);
    const out: { -readonly [K in keyof LinkProps]?: LinkProps[K] } = {};
    if (o['latency'] !== undefined) out.latency = this.duration(o, 'latency', path);
    if (o['jitter'] !== undefined) out.jitter = this.duration(o, 'jitter', path);
    if (o['bandwidth'] !== undefined) out.bandwidth = this.bandwidth(o, path);
    if (o['loss'] !== undefined) out.loss = this.number(o, 'loss', path, 0, 1);
    return out;
  }
  /** Bits per second: a number, or "10Mbit", "512kbit", "1Gbit". */
  bandwidth(o: Obj, path: Path): number {
    const v = o['bandwidth'];
    if (typeof v === 'number' && v >= 0 && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const m = /^(\d+(?:\.\d+)?)\s*([kMG]?)(bit|bps|b\/s)$/.exec(v.trim());
      if (m) {
        const mult = { '': 1, k: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'k' | 'M' | 'G'];
        return Math.round(Number(m[1]) * mult);
      }
    }
    return this.fail([...path, 'bandwidth'], 'expected bits per second: a number or "10Mbit"');
  }
  distribution(v: unknown, path: Path): Distribution {
    if (typeof v === 'string' || typeof v === 'number') {
      const us = toMicros(v);
      if (us === null) this.fail(path, 'expected a duration or a distribution object');
      return { kind: 'fixed', value: us };
    }
    const o = this.object(v, path);
    const kind = this.oneOf(o, 'kind', path, ['fixed', 'exponential', 'uniform', 'pareto']);
    switch (kind) {
      case 'fixed':
        this.keys(o, path, ['kind', 'value']);
        return { kind, value: this.duration(o, 'value', path) };
      case 'exponential': {
        this.keys(o, path, ['kind', 'mean']);
        const mean = this.duration(o, 'mean', path);
        if (mean <= 0) this.fail([...path, 'mean'], 'expected a positive duration');
        return { kind, mean };
      }
      case 'uniform': {
        this.keys(o, path, ['kind', 'min', 'max']);
        const min = this.duration(o, 'min', path);
        const max = this.duration(o, 'max', path);
        if (max < min) this.fail([...path, 'max'], 'expected max ≥ min');
        return { kind, min, max };
      }
      case 'pareto': {
        this.keys(o, path, ['kind', 'scale', 'shape']);
        const scale = this.duration(o, 'scale', path);
        if (scale <= 0) this.fail([...path, 'scale'], 'expected a positive duration');
        return { kind, scale, shape: this.number(o, 'shape', path, 1e-9, 1e9) };
      }
    }
  }
  dropRates(v: unknown, path: Path): DropRates {
    if (v === undefined) return {};
    const o = this.object(v, path);
    this.keys(o, path, DROP_CLASSES);
    const out: Partial<Record<(typeof DROP_CLASSES)[number], number>> = {};
    for (const k of DROP_CLASSES) if (o[k] !== undefined) out[k] = this.number(o, k, path, 0, 1);
    return out;
  }
}

function describe(path: Path): string {
  if (path.length === 0) return 'scenario';
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

const TOP_KEYS = [
  '$schema',
  'name',
  'description',
  'topology',
  'topologyFormat',
  'seed',
  'links',
  'router',
  'processing',
  'transport',
  'repeer',
  'variant',
  'keys',
  'startSpread',
  'wireEncode',
  'crypto',
  'until',
  'snakeQuorum',
  'duration',
  'measure',
  'actions',
];

/** The located document of a scenario file: YAML when the name ends in .yaml/.yml, else JSON. */
export function parseScenarioDocument(text: string, file: string): LocatedJson {
  return isYamlFile(file) ? parseYamlWithLines(text, file) : parseJsonWithLines(text, file);
}

/** Scenario files are a few kB: more is not a scenario (and /dev/zero never ends, issue 19). */
const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;

/** A scenario file's text: a regular file or a pipe, read up to MAX_SCENARIO_BYTES, UTF-8. */
export function readScenarioText(file: string): string {
  return decodeText(file, readCapped(file, MAX_SCENARIO_BYTES, 'a scenario file'));
}

/** Read a scenario file: JSON, or YAML when the name ends in .yaml/.yml (same schema). */
export function loadScenario(file: string): Scenario {
  const parsed = parseScenarioDocument(readScenarioText(file), file);
  return validateScenario(parsed.value, new Checker(file, parsed.lineOf), dirname(file));
}

/** Parse scenario text (tests, stdin); YAML when `file` ends in .yaml/.yml. */
export function parseScenario(text: string, file = '<scenario>', baseDir = '.'): Scenario {
  const parsed = parseScenarioDocument(text, file);
  return validateScenario(parsed.value, new Checker(file, parsed.lineOf), baseDir);
}

/**
 * Validate a plain scenario object (the JSON shape) into a Scenario. `baseDir` resolves relative
 * topology and trace files.
 */
export function validateScenario(raw: unknown, c: Checker, baseDir = '.'): Scenario {
  const o = c.object(raw, []);
  c.keys(o, [], TOP_KEYS);
  const topologyRaw = c.string(o, 'topology', []);
  const seed =
    typeof o['seed'] === 'number' && Number.isSafeInteger(o['seed'])
      ? String(o['seed'])
      : c.string(o, 'seed', [], '1');
  const duration = c.duration(o, 'duration', []);
  if (duration <= 0) c.fail(['duration'], 'expected a positive duration');
  const router = o['router'] === undefined ? {} : c.object(o['router'], ['router']);
  // Option names are own keys of the defaults: `constructor` or `__proto__` is no option (issue
  // 19). Values are checked where the run resolves them (router/options.ts).
  for (const k of Object.keys(router))
    if (!Object.hasOwn(DEFAULT_ROUTER_OPTIONS, k))
      c.fail(
        ['router', k],
        `unknown router option (expected one of: ${Object.keys(DEFAULT_ROUTER_OPTIONS).join(', ')})`,
      );
  const measure = validateMeasure(o['measure'], c);
  const rawActions = o['actions'] ?? [];
  if (!Array.isArray(rawActions)) c.fail(['actions'], 'expected an array of actions');
  const actions = rawActions.map((a, i) => validateAction(a, i, c, baseDir, duration));
  // Stable sort: file order among equal times.
  const order = actions.map((a, i) => [a, i] as const);
  order.sort((x, y) => x[0].at - y[0].at || x[1] - y[1]);
  return {
    name: c.string(o, 'name', [], 'scenario'),
    description:
      o['description'] === undefined || typeof o['description'] === 'string'
        ? ((o['description'] as string | undefined) ?? '')
        : c.fail(['description'], 'expected a string'),
    topology: resolveFile(topologyRaw, baseDir),
    topologyFormat: o['topologyFormat'] === undefined ? null : c.string(o, 'topologyFormat', []),
    seed,
    links: c.linkProps(o['links'], ['links']),
    router: { ...router },
    ...(o['processing'] === undefined ? {} : { processing: processingField(o['processing'], c) }),
    ...(o['transport'] === undefined ? {} : { transport: c.oneOf(o, 'transport', [], TRANSPORTS) }),
    ...(o['repeer'] === undefined ? {} : { repeer: c.oneOf(o, 'repeer', [], REPEER_MODES) }),
    ...(o['variant'] === undefined
      ? {}
      : { variant: resolveFile(c.string(o, 'variant', []), baseDir) }),
    ...(o['keys'] === undefined ? {} : { keys: resolveFile(c.string(o, 'keys', []), baseDir) }),
    ...runFields(o, c),
    duration,
    measure,
    actions: order.map((x) => x[0]),
    source: c.file,
    warnings: [],
  };
}

/**
 * What `pinelab run` takes as flags and a scenario file can say too (issue 17): start spread, wire
 * encoding, the crypto backend, and the converged stop rule with its snake quorum.
 */
function runFields(
  o: Obj,
  c: Checker,
): Pick<Scenario, 'startSpread' | 'wireEncode' | 'crypto' | 'until' | 'snakeQuorum'> {
  const until = o['until'] === undefined ? undefined : c.oneOf(o, 'until', [], ['converged']);
  if (o['snakeQuorum'] !== undefined && until === undefined)
    c.fail(['snakeQuorum'], 'only with "until": "converged"');
  const quorum = o['snakeQuorum'] === undefined ? undefined : c.number(o, 'snakeQuorum', [], 0, 1);
  if (quorum === 0) c.fail(['snakeQuorum'], 'expected a share of the nodes in (0, 1]');
  return {
    ...(o['startSpread'] === undefined ? {} : { startSpread: c.duration(o, 'startSpread', []) }),
    ...(o['wireEncode'] === undefined ? {} : { wireEncode: c.bool(o, 'wireEncode', [], false) }),
    ...(o['crypto'] === undefined ? {} : { crypto: c.oneOf(o, 'crypto', [], CRYPTO_NAMES) }),
    ...(until === undefined ? {} : { until }),
    ...(quorum === undefined ? {} : { snakeQuorum: quorum }),
  };
}

/** The `processing` field: a preset name (sim/processing.ts), else an error at its line. */
function processingField(v: unknown, c: Checker): ProcessingPreset {
  if (typeof v !== 'string' || !(PROCESSING_PRESETS as readonly string[]).includes(v))
    c.fail(
      ['processing'],
      `expected one of ${PROCESSING_PRESETS.map((p) => JSON.stringify(p)).join(', ')}`,
    );
  return v as ProcessingPreset;
}

/** A relative name that exists beside the scenario file is resolved there; otherwise kept (a spec). */
function resolveFile(name: string, baseDir: string): string {
  const candidate = resolve(baseDir, name);
  if (existsSync(candidate)) {
    const rel = relative(process.cwd(), candidate);
    return rel.startsWith('..') && rel.split('/').length > 4 ? candidate : rel || candidate;
  }
  return name;
}

function validateMeasure(v: unknown, c: Checker): MeasureOptions {
  if (v === undefined) return DEFAULT_MEASURE;
  const path = ['measure'];
  const o = c.object(v, path);
  c.keys(o, path, [
    'interval',
    'stretch',
    'exactUpTo',
    'sample',
    'probeTimeout',
    'paths',
    'stretchEvery',
  ]);
  const interval = c.duration(o, 'interval', path, DEFAULT_MEASURE.interval);
  if (interval <= 0) c.fail([...path, 'interval'], 'expected a positive duration');
  const stretchModes =
    o['stretch'] === undefined
      ? DEFAULT_MEASURE.stretchModes
      : modes(o['stretch'], [...path, 'stretch'], c);
  // Periodic stretch (issue 20) measures the modes of measure.stretch: none is a contradiction.
  const every = c.optDuration(o, 'stretchEvery', path);
  if (every !== null && every <= 0)
    c.fail([...path, 'stretchEvery'], 'expected a positive duration');
  if (every !== null && stretchModes.length === 0)
    c.fail([...path, 'stretchEvery'], 'expected measure.stretch to name at least one mode');
  return {
    ...(every === null ? {} : { stretchEvery: every }),
    interval,
    stretchModes,
    exactUpTo: c.integer(o, 'exactUpTo', path, 0, DEFAULT_MEASURE.exactUpTo),
    sample: c.integer(o, 'sample', path, 1, DEFAULT_MEASURE.sample),
    probeTimeout: c.duration(o, 'probeTimeout', path, DEFAULT_MEASURE.probeTimeout),
    paths: c.bool(o, 'paths', path, DEFAULT_MEASURE.paths),
  };
}

function modes(v: unknown, path: Path, c: Checker): RoutingMode[] {
  if (!Array.isArray(v))
    c.fail(path, `expected an array of modes (${MODES.map((m) => JSON.stringify(m)).join(', ')})`);
  return v.map((m, i) => {
    if (typeof m !== 'string' || !(MODES as readonly string[]).includes(m))
      c.fail([...path, i], `expected one of ${MODES.map((m) => JSON.stringify(m)).join(', ')}`);
    return m as RoutingMode;
  });
}

const ACTION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'add-node': ['node', 'links'],
  'remove-node': ['node'],
  'add-link': ['a', 'b', 'props', 'repeer'],
  'remove-link': ['a', 'b'],
  'set-link': ['a', 'b', 'props'],
  flap: ['a', 'b', 'period', 'down', 'count'],
  churn: ['target', 'until', 'session', 'downtime', 'nodes', 'exclude', 'stream'],
  partition: ['groups', 'cut', 'until'],
  heal: [],
  mobility: [
    'model',
    'nodes',
    'area',
    'radius',
    'speed',
    'pause',
    'interval',
    'until',
    'stream',
    'file',
  ],
  adversary: ['node', 'drop', 'peers', 'direction', 'rule', 'delay', 'until', 'stream'],
  traffic: [
    'kind',
    'pairs',
    'mode',
    'interval',
    'count',
    'sample',
    'stream',
    'source',
    'destination',
    'rate',
    'until',
  ],
  snapshot: ['label'],
  stretch: ['modes', 'exactUpTo', 'sample', 'stream'],
};

function validateAction(v: unknown, i: number, c: Checker, baseDir: string, end: number): Action {
  const path = ['actions', i];
  const o = c.object(v, path);
  const type = c.oneOf(o, 'type', path, Object.keys(ACTION_FIELDS));
  // Errors from here on name the action type too.
  const cc: Checker = new Checker(c.file, c.lineOf);
  const orig = cc.fail.bind(cc);
  cc.fail = (p: Path, what: string): never => orig(p, `(${type}) ${what}`);
  cc.keys(o, path, ['at', 'type', ...(ACTION_FIELDS[type] ?? [])]);
  const at = cc.duration(o, 'at', path, 0);
  if (at > end) cc.fail([...path, 'at'], 'expected a time within the scenario duration');
  const until = (): number | null => {
    const u = cc.optDuration(o, 'until', path);
    if (u !== null && u < at) cc.fail([...path, 'until'], 'expected a time after "at"');
    return u;
  };
  const stream = cc.string(o, 'stream', path, `${type}-${i}`);
  switch (type) {
    case 'add-node': {
      const links: AddNodeAction['links'][number][] = [];
      const raw = o['links'] ?? [];
      if (!Array.isArray(raw)) cc.fail([...path, 'links'], 'expected an array of peers');
      raw.forEach((l, k) => {
        if (typeof l === 'string') links.push({ peer: l, props: {} });
        else {
          const lo = cc.object(l, [...path, 'links', k]);
          cc.keys(
            lo,
            [...path, 'links', k],
            ['peer', 'latency', 'jitter', 'bandwidth', 'loss', 'repeer'],
          );
          const { peer: _p, repeer: _r, ...props } = lo;
          links.push({
            peer: cc.string(lo, 'peer', [...path, 'links', k]),
            props: cc.linkProps(props, [...path, 'links', k]),
            ...(lo['repeer'] === undefined
              ? {}
              : { repeer: cc.oneOf(lo, 'repeer', [...path, 'links', k], REPEER_MODES) }),
          });
        }
      });
      const node = cc.string(o, 'node', path);
      const problem = nameProblem(node);
      if (problem !== null) cc.fail([...path, 'node'], problem);
      return { type, at, node, links };
    }
    case 'remove-node':
      return { type, at, node: cc.string(o, 'node', path) };
    case 'add-link':
      return {
        type,
        at,
        a: cc.string(o, 'a', path),
        b: cc.string(o, 'b', path),
        props: cc.linkProps(o['props'], [...path, 'props']),
        ...(o['repeer'] === undefined ? {} : { repeer: cc.oneOf(o, 'repeer', path, REPEER_MODES) }),
      };
    case 'set-link':
      return {
        type,
        at,
        a: cc.string(o, 'a', path),
        b: cc.string(o, 'b', path),
        props: cc.linkProps(o['props'], [...path, 'props']),
      };
    case 'remove-link':
      return { type, at, a: cc.string(o, 'a', path), b: cc.string(o, 'b', path) };
    case 'flap': {
      const period = cc.duration(o, 'period', path);
      if (period <= 0) cc.fail([...path, 'period'], 'expected a positive duration');
      const down = cc.duration(o, 'down', path, Math.floor(period / 2));
      if (down <= 0 || down >= period) cc.fail([...path, 'down'], 'expected 0 < down < period');
      return {
        type,
        at,
        a: cc.string(o, 'a', path),
        b: cc.string(o, 'b', path),
        period,
        down,
        count: cc.integer(o, 'count', path, 1),
      };
    }
    case 'churn':
      return {
        type,
        at,
        target: cc.oneOf(o, 'target', path, ['node', 'link'], 'node'),
        until: until(),
        session: cc.distribution(o['session'], [...path, 'session']),
        downtime: cc.distribution(o['downtime'], [...path, 'downtime']),
        nodes: o['nodes'] === undefined ? null : cc.names(o['nodes'], [...path, 'nodes']),
        exclude: o['exclude'] === undefined ? [] : cc.names(o['exclude'], [...path, 'exclude']),
        stream,
      };
    case 'partition': {
      let groups: string[][] | null = null;
      let cut: [string, string][] | null = null;
      if (o['groups'] !== undefined) {
        const g = o['groups'];
        if (!Array.isArray(g) || g.length === 0)
          cc.fail([...path, 'groups'], 'expected an array of node name arrays');
        groups = g.map((x, k) => cc.names(x, [...path, 'groups', k]));
        const seen = new Set<string>();
        groups.forEach((grp, k) => {
          for (const n of grp) {
            if (seen.has(n)) cc.fail([...path, 'groups', k], `node "${n}" is in two groups`);
            seen.add(n);
          }
        });
      }
      if (o['cut'] !== undefined) cut = cc.pairs(o['cut'], [...path, 'cut']);
      if ((groups === null) === (cut === null))
        cc.fail(path, 'expected exactly one of "groups" or "cut"');
      return { type, at, groups, cut, until: until() };
    }
    case 'heal':
      return { type, at };
    case 'mobility': {
      const model = cc.oneOf(o, 'model', path, ['random-waypoint', 'trace']);
      const radius = cc.number(o, 'radius', path, 0, Number.MAX_VALUE);
      if (model === 'trace') {
        const given = cc.string(o, 'file', path);
        const file = resolve(baseDir, given);
        return { type, at, model, file: given, radius, points: readTrace(file, given) };
      }
      const area = o['area'];
      if (
        !Array.isArray(area) ||
        area.length !== 2 ||
        !area.every((x) => typeof x === 'number' && x > 0 && Number.isFinite(x))
      )
        cc.fail([...path, 'area'], 'expected [width, height] with positive numbers');
      const speedRaw = o['speed'];
      let speed: [number, number];
      if (typeof speedRaw === 'number' && speedRaw > 0) speed = [speedRaw, speedRaw];
      else if (
        Array.isArray(speedRaw) &&
        speedRaw.length === 2 &&
        speedRaw.every((x) => typeof x === 'number' && x > 0) &&
        (speedRaw[0] as number) <= (speedRaw[1] as number)
      )
        speed = [speedRaw[0] as number, speedRaw[1] as number];
      else
        cc.fail([...path, 'speed'], 'expected a positive speed or [min, max] (units per second)');
      const interval = cc.duration(o, 'interval', path, 1_000_000);
      if (interval <= 0) cc.fail([...path, 'interval'], 'expected a positive duration');
      return {
        type,
        at,
        model,
        nodes: o['nodes'] === undefined ? null : cc.names(o['nodes'], [...path, 'nodes']),
        area: [area[0] as number, area[1] as number],
        radius,
        speed,
        pause: cc.duration(o, 'pause', path, 0),
        interval,
        until: until(),
        stream,
      };
    }
    case 'adversary': {
      const peers: Record<string, DropRates> = {};
      if (o['peers'] !== undefined) {
        const po = cc.object(o['peers'], [...path, 'peers']);
        for (const k of Object.keys(po)) peers[k] = cc.dropRates(po[k], [...path, 'peers', k]);
      }
      return {
        type,
        at,
        node: cc.string(o, 'node', path),
        drop: cc.dropRates(o['drop'], [...path, 'drop']),
        peers,
        direction: cc.oneOf(o, 'direction', path, ['in', 'out', 'both'], 'in'),
        rule: cc.oneOf(o, 'rule', path, ['counter', 'random'], 'counter'),
        delay: cc.duration(o, 'delay', path, 0),
        until: until(),
        stream,
      };
    }
    case 'traffic': {
      const kind = cc.oneOf(o, 'kind', path, ['ping', 'all-pairs', 'sample', 'flow']);
      const mode = cc.oneOf(o, 'mode', path, PROBE_MODES, 'auto');
      if (kind === 'ping')
        return {
          type,
          at,
          kind,
          pairs: cc.pairs(o['pairs'], [...path, 'pairs']),
          mode,
          interval: cc.duration(o, 'interval', path, 1_000_000),
          count: cc.integer(o, 'count', path, 1, 1),
        };
      if (kind === 'flow') {
        const rate = cc.number(o, 'rate', path, 1e-9, 1e9);
        return {
          type,
          at,
          kind,
          source: cc.string(o, 'source', path),
          destination: cc.string(o, 'destination', path),
          rate,
          until: until(),
          mode,
        };
      }
      return {
        type,
        at,
        kind,
        sample: kind === 'sample' ? cc.integer(o, 'sample', path, 1) : 0,
        mode,
        stream,
      };
    }
    case 'snapshot':
      return { type, at, label: o['label'] === undefined ? null : cc.string(o, 'label', path) };
    case 'stretch':
      return {
        type,
        at,
        modes: o['modes'] === undefined ? ROUTING_MODES : modes(o['modes'], [...path, 'modes'], cc),
        exactUpTo: cc.integer(o, 'exactUpTo', path, 0, DEFAULT_MEASURE.exactUpTo),
        sample: cc.integer(o, 'sample', path, 1, DEFAULT_MEASURE.sample),
        stream,
      };
    default:
      return cc.fail([...path, 'type'], 'unknown action type');
  }
}

/**
 * A mobility trace: lines `time node x y` (spaces, tabs or commas; time in seconds or a
 * duration); blank lines and lines starting with # are skipped; an optional header line
 * starting with "time" is allowed.
 */
export function readTrace(
  file: string,
  shown: string,
): { time: number; node: string; x: number; y: number }[] {
  // Capped, devices refused (issue 19); errors name the file as the scenario wrote it.
  let text: string;
  try {
    text = decodeText(shown, readCapped(file, MAX_SCENARIO_BYTES, 'a mobility trace'));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.message.replace(file, shown));
  }
  return parseTrace(text, shown);
}

export function parseTrace(
  text: string,
  file: string,
): { time: number; node: string; x: number; y: number }[] {
  const out: { time: number; node: string; x: number; y: number; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, k) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || (k === 0 && /^time\b/i.test(line))) return;
    const f = line.split(/[\s,]+/);
    if (f.length !== 4)
      throw new InputError(locate(file, k + 1, 'expected 4 fields: time node x y'));
    const [t, node, xs, ys] = f as [string, string, string, string];
    const time = /^\d+(\.\d+)?$/.test(t) ? toMicros(`${t}s`) : toMicros(t);
    const x = Number(xs);
    const y = Number(ys);
    if (time === null)
      throw new InputError(
        locate(file, k + 1, `expected a time in seconds or a duration, got "${t}"`),
      );
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new InputError(locate(file, k + 1, 'expected numeric x and y'));
    out.push({ time, node, x, y, line: k });
  });
  out.sort((a, b) => a.time - b.time || a.line - b.line);
  return out.map(({ time, node, x, y }) => ({ time, node, x, y }));
}

/**
 * Names the actions use must exist in the topology or be added by an add-node action. Checked
 * after the topology is resolved and before the run starts.
 */
export function checkNames(scenario: Scenario, topologyNodes: readonly string[]): void {
  const known = new Set(topologyNodes);
  for (const a of scenario.actions) if (a.type === 'add-node') known.add(a.node);
  const bad = (i: number, name: string, field: string): never => {
    throw new InputError(
      `${scenario.source}: actions[${i}] (${scenario.actions[i]?.type}): ${field} "${name}" is not a node of the topology nor added by an add-node action`,
    );
  };
  scenario.actions.forEach((a, i) => {
    const need = (n: string, f: string): void => {
      if (!known.has(n)) bad(i, n, f);
    };
    switch (a.type) {
      case 'add-node':
        for (const l of a.links) need(l.peer, 'links.peer');
        break;
      case 'remove-node':
        need(a.node, 'node');
        break;
      case 'add-link':
      case 'remove-link':
      case 'set-link':
      case 'flap':
        need(a.a, 'a');
        need(a.b, 'b');
        break;
      case 'churn':
        for (const n of a.nodes ?? []) need(n, 'nodes');
        break;
      case 'partition':
        for (const g of a.groups ?? []) for (const n of g) need(n, 'groups');
        for (const [x, y] of a.cut ?? []) {
          need(x, 'cut');
          need(y, 'cut');
        }
        break;
      case 'mobility':
        if (a.model === 'random-waypoint') for (const n of a.nodes ?? []) need(n, 'nodes');
        else for (const p of a.points) need(p.node, `trace ${a.file} node`);
        break;
      case 'adversary':
        need(a.node, 'node');
        for (const p of Object.keys(a.peers)) need(p, 'peers');
        break;
      case 'traffic':
        if (a.kind === 'ping')
          for (const [x, y] of a.pairs) {
            need(x, 'pairs');
            need(y, 'pairs');
          }
        if (a.kind === 'flow') {
          need(a.source, 'source');
          need(a.destination, 'destination');
        }
        break;
      default:
        break;
    }
  });
}

/**
 * Link actions must name a link that can exist: a topology link, or one an add-link or add-node
 * action makes (issue 16: no silent no-ops). Whether it is there at that moment is checked when
 * the action runs (scenarios/runner.ts). Not checked when the scenario has mobility (its links
 * come from radio range).
 */
export function checkLinks(
  scenario: Scenario,
  topologyLinks: readonly (readonly [string, string])[],
): void {
  // A link from a node to itself: the host refuses it when the action runs, so check does now.
  scenario.actions.forEach((a, i) => {
    const self =
      a.type === 'add-link' && a.a === a.b
        ? a.a
        : a.type === 'add-node' && a.links.some((l) => l.peer === a.node)
          ? a.node
          : null;
    if (self !== null)
      throw new InputError(
        `${scenario.source}: actions[${i}] ${a.type}: cannot link ${self} to itself`,
      );
  });
  if (scenario.actions.some((a) => a.type === 'mobility')) return;
  const key = (x: string, y: string): string => (x < y ? `${x}\0${y}` : `${y}\0${x}`);
  const known = new Set(topologyLinks.map(([x, y]) => key(x, y)));
  for (const a of scenario.actions) {
    if (a.type === 'add-link') known.add(key(a.a, a.b));
    if (a.type === 'add-node') for (const l of a.links) known.add(key(a.node, l.peer));
  }
  scenario.actions.forEach((a, i) => {
    const need = (x: string, y: string): void => {
      if (!known.has(key(x, y)))
        throw new InputError(
          `${scenario.source}: actions[${i}] ${a.type} ${x}–${y}: there is no link ${x}–${y}`,
        );
    };
    if (a.type === 'remove-link' || a.type === 'set-link' || a.type === 'flap') need(a.a, a.b);
    else if (a.type === 'partition') for (const [x, y] of a.cut ?? []) need(x, y);
  });
}
