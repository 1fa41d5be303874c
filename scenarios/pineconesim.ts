/**
 * scenarios/pineconesim.ts — import the EventSequence files of Pinecone's own simulator
 * (cmd/pineconesim/sequences/, see ../shared/pineconesim-sequences/README.md) as a pinelab
 * scenario in virtual time. A Delay is virtual milliseconds. Everything treated differently from
 * the original is said in the scenario's `warnings` (printed by `pinelab scenario check`).
 *
 * The original runs commands one after the other and logs-and-continues on failures (unknown node,
 * already connected); we do the same at import time: a command naming a node that does not exist
 * at that point of the sequence is skipped with a warning instead of failing the whole scenario.
 */
import { readFileSync } from 'node:fs';
import { InputError, locate } from '../base/index.ts';
import { parseJsonWithLines } from './json-lines.ts';
import { Checker, validateScenario } from './load.ts';
import type { Scenario } from './types.ts';

/** DropRates field → our frame class (d0beb18 has no WakeupBroadcast; newer files do). */
const RATE_FIELDS: Readonly<Record<string, string>> = {
  Overall: 'overall',
  Keepalive: 'keepalive',
  TreeAnnouncement: 'announcement',
  VirtualSnakeBootstrap: 'bootstrap',
  WakeupBroadcast: 'wakeup',
  OverlayTraffic: 'traffic',
};

export interface ImportOptions {
  readonly seed?: string;
  /** Virtual time kept after the last command (default 10 s) so its effects can be measured. */
  readonly tailMs?: number;
  /** Interval between ping rounds while pings are on (default 1 s). */
  readonly pingIntervalMs?: number;
}

export function isPineconesimSequence(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'EventSequence' in value;
}

export function loadPineconesim(file: string, options: ImportOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read sequence (${(error as Error).message})`);
  }
  return importPineconesim(text, file, options);
}

export function importPineconesim(
  text: string,
  file: string,
  options: ImportOptions = {},
): Scenario {
  const json = parseJsonWithLines(text, file);
  const c: Checker = new Checker(file, json.lineOf);
  const root = c.object(json.value, []);
  const seq = root['EventSequence'];
  if (!Array.isArray(seq)) c.fail(['EventSequence'], 'expected an array of { Command, Data }');
  const warnings: string[] = [
    'Delay is virtual milliseconds; commands between delays run at the same virtual instant, in file order.',
    'New nodes get keys derived from the scenario seed (pineconesim draws fresh random keys).',
  ];
  const actions: Record<string, unknown>[] = [];
  const present = new Set<string>();
  const adversaries = new Map<
    string,
    { drop: Record<string, number>; peers: Record<string, Record<string, number>> }
  >();
  let nowMs = 0;
  let pingsOn = false;
  let pingsFrom = 0;
  const pingInterval = options.pingIntervalMs ?? 1000;
  const at = () => `${nowMs}ms`;
  const skip = (i: number, why: string) => {
    warnings.push(
      `${locate(file, json.lineOf(['EventSequence', i]), `command ${i} skipped: ${why}`)}`,
    );
  };
  const pingRounds = (untilMs: number) => {
    for (let t = pingsFrom; t < untilMs || t === pingsFrom; t += pingInterval)
      actions.push({
        at: `${t}ms`,
        type: 'traffic',
        kind: 'all-pairs',
        mode: 'auto',
        stream: `pings-${t}`,
      });
  };
  const rates = (v: unknown, path: (string | number)[]): Record<string, number> => {
    const o = c.object(v, path);
    const out: Record<string, number> = {};
    for (const [k, raw] of Object.entries(o)) {
      const cls = RATE_FIELDS[k];
      if (cls === undefined || !Object.hasOwn(RATE_FIELDS, k))
        c.fail(
          [...path, k],
          `unknown drop rate field (expected ${Object.keys(RATE_FIELDS).join(', ')})`,
        );
      // pineconesim: values are strings "0".."100"; a parse error silently becomes 0.
      const n =
        typeof raw === 'string'
          ? Number.parseInt(raw, 10)
          : typeof raw === 'number'
            ? raw
            : Number.NaN;
      const pct = Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
      if (!Number.isFinite(n))
        warnings.push(
          `${locate(file, json.lineOf([...path, k]), `drop rate ${JSON.stringify(raw)} read as 0 (as pineconesim does)`)}`,
        );
      if (pct > 0) out[cls] = pct / 100;
    }
    return out;
  };
  const handle = (entry: unknown, i: number): void => {
    const path = ['EventSequence', i];
    const e = c.object(entry, path);
    const cmd = c.string(e, 'Command', path);
    const data = e['Data'] === undefined ? {} : c.object(e['Data'], [...path, 'Data']);
    const name = (k: string) => c.string(data, k, [...path, 'Data']);
    switch (cmd) {
      case 'Debug':
        actions.push({ at: at(), type: 'snapshot', label: `Debug (command ${i})` });
        warnings.push(`command ${i} Debug: taken as a snapshot (snapshots.json), not a log dump.`);
        return;
      case 'Play':
      case 'Pause':
        skip(
          i,
          `${cmd} has no meaning in virtual time (pineconesim pauses the command runner, protocol time runs on)`,
        );
        return;
      case 'Delay': {
        const len = c.number(data, 'Length', [...path, 'Data'], 0, Number.MAX_SAFE_INTEGER);
        nowMs += Math.round(len);
        return;
      }
      case 'AddNode': {
        const n = name('Name');
        const type = c.oneOf(data, 'NodeType', [...path, 'Data'], ['Default', 'GeneralAdversary']);
        if (present.has(n)) {
          skip(i, `node ${n} already exists`);
          return;
        }
        present.add(n);
        actions.push({ at: at(), type: 'add-node', node: n });
        if (type === 'GeneralAdversary') {
          adversaries.set(n, { drop: {}, peers: {} });
          warnings.push(
            `${n} is a GeneralAdversary: it drops frames it receives (ingress), counter rule; unlike pineconesim it also drops traffic addressed to itself and still answers pings and sends wakeup broadcasts.`,
          );
        }
        return;
      }
      case 'RemoveNode': {
        const n = name('Name');
        if (!present.has(n)) {
          skip(i, `node ${n} does not exist`);
          return;
        }
        present.delete(n);
        adversaries.delete(n);
        actions.push({ at: at(), type: 'remove-node', node: n });
        return;
      }
      case 'AddPeer':
      case 'RemovePeer': {
        const a = name('Node');
        const b = name('Peer');
        if (!present.has(a) || !present.has(b)) {
          skip(i, `${!present.has(a) ? a : b} does not exist`);
          return;
        }
        actions.push({ at: at(), type: cmd === 'AddPeer' ? 'add-link' : 'remove-link', a, b });
        return;
      }
      case 'ConfigureAdversaryDefaults':
      case 'ConfigureAdversaryPeer': {
        const n = name('Node');
        const adv = adversaries.get(n);
        if (adv === undefined) {
          skip(i, `${n} is not a GeneralAdversary node`);
          return;
        }
        const r = rates(data['DropRates'], [...path, 'Data', 'DropRates']);
        if (cmd === 'ConfigureAdversaryDefaults') adv.drop = r;
        else {
          const p = name('Peer');
          adv.peers[p] = r;
        }
        actions.push({
          at: at(),
          type: 'adversary',
          node: n,
          drop: { ...adv.drop },
          peers: Object.fromEntries(Object.entries(adv.peers).map(([k, v]) => [k, { ...v }])),
          direction: 'in',
          rule: 'counter',
        });
        return;
      }
      case 'StartPings':
        warnings.push(
          `command ${i} StartPings: honoured as written (the pineconesim page maps an uploaded StartPings to StopPings by a missing break); rounds are all-pairs probes every ${pingInterval} ms, adversaries included.`,
        );
        if (!pingsOn) {
          pingsOn = true;
          pingsFrom = nowMs;
        }
        return;
      case 'StopPings':
        if (pingsOn) pingRounds(nowMs);
        pingsOn = false;
        return;
      default:
        skip(i, `unknown command ${JSON.stringify(cmd)}`);
    }
  };
  for (let i = 0; i < seq.length; i++) handle(seq[i], i);
  const tail = options.tailMs ?? 10_000;
  const endMs = nowMs + tail;
  if (pingsOn) pingRounds(endMs);
  warnings.push(`duration: the last command's time plus ${tail} ms (${endMs} ms).`);
  const raw = {
    name: file.replace(/^.*\//, '').replace(/\.json$/, ''),
    description: `imported from pineconesim sequence ${file}`,
    topology: 'none',
    seed: options.seed ?? '1',
    duration: `${endMs}ms`,
    actions,
  };
  const scenario = validateScenario(raw, new Checker(file));
  return { ...scenario, warnings };
}
