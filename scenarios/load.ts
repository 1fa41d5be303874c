/**
 * scenarios/load.ts — read and validate a scenario file (JSON) into a Scenario (types.ts).
 *
 * Validation happens before anything runs: every problem is an InputError naming the file, the
 * JSON line, the action index and what was expected (house rule). `validateScenario` takes the
 * already-parsed object so the builder and the pineconesim importer share the same checks.
 */
import { dirname } from 'node:path';
import { DEFAULT_ROUTER_OPTIONS } from '../router/options.ts';
import { TRANSPORTS } from '../sim/link.ts';
import { REPEER_MODES } from '../sim/peering.ts';
import { PROCESSING_PRESETS, type ProcessingPreset } from '../sim/processing.ts';
import { decodeText, readCapped } from '../topologies/load/text.ts';
import { Checker, MAX_SCENARIO_BYTES, type Obj, resolveFile } from './checker.ts';
import { type LocatedJson, parseJsonWithLines } from './json-lines.ts';
import { modes, validateAction } from './load-actions.ts';
import { CRYPTO_NAMES, DEFAULT_MEASURE, type MeasureOptions, type Scenario } from './types.ts';
import { isYamlFile, parseYamlWithLines } from './yaml-lines.ts';

// Split into a module of its own; re-exported for the callers that import it from here.
export { Checker } from './checker.ts';

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
  // Option names are own keys of the defaults: `constructor` or `__proto__` is no option (`in`
  // would find them on the prototype). Values are checked where the run resolves them
  // (router/options.ts).
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
 * What `pinelab run` takes as flags and a scenario file can say too: start spread, wire
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

/** The `measure` block; absent = DEFAULT_MEASURE. */
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
  // Periodic stretch measures the modes of measure.stretch: none is a contradiction.
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
