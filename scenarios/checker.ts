/**
 * scenarios/checker.ts — reads the fields of a scenario's JSON object and fails with file:line and
 * the path of the bad field (the one InputError shape every scenario check uses, load.ts).
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { InputError, locate } from '../base/index.ts';
import type { LinkProps } from '../sim/host-api.ts';
import { toMicros } from './duration.ts';
import { type Distribution, DROP_CLASSES, type DropRates } from './types.ts';

/** Scenario files are a few kB: more is not a scenario (and /dev/zero never ends). */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;

export type Path = readonly (string | number)[];
export type Obj = Record<string, unknown>;

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

/** A relative name that exists beside the scenario file is resolved there; otherwise kept (a spec). */
export function resolveFile(name: string, baseDir: string): string {
  const candidate = resolve(baseDir, name);
  if (existsSync(candidate)) {
    const rel = relative(process.cwd(), candidate);
    return rel.startsWith('..') && rel.split('/').length > 4 ? candidate : rel || candidate;
  }
  return name;
}
