/**
 * scenarios/load-actions.ts — validate a scenario's actions (load.ts validates the rest) and read
 * mobility traces: every problem an InputError naming the file, line, action index and field.
 */
import { resolve } from 'node:path';
import { InputError, locate } from '../base/index.ts';
import { ROUTING_MODES, type RoutingMode } from '../results/schema.ts';
import { REPEER_MODES } from '../sim/peering.ts';
import { nameProblem } from '../topologies/graph.ts';
import { decodeText, readCapped } from '../topologies/load/text.ts';
import { Checker, MAX_SCENARIO_BYTES, type Path } from './checker.ts';
import { toMicros } from './duration.ts';
import {
  type Action,
  type AddNodeAction,
  DEFAULT_MEASURE,
  type DropRates,
  type ProbeMode,
} from './types.ts';

const MODES: readonly RoutingMode[] = ROUTING_MODES;
const PROBE_MODES: readonly ProbeMode[] = [...ROUTING_MODES, 'auto'];

export function modes(v: unknown, path: Path, c: Checker): RoutingMode[] {
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

export function validateAction(
  v: unknown,
  i: number,
  c: Checker,
  baseDir: string,
  end: number,
): Action {
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
  // Capped, devices refused (/dev/zero never ends); errors name the file as the scenario wrote it.
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
