/**
 * router/variant.ts — routing changes as code. A variant replaces named decisions of the
 * router (the pure functions of router/decisions/) and timers or constants of PROTOCOL.md §8, through
 * `defineVariant({...})`; everything it leaves out is the reference behaviour (`defaults`).
 *
 * A variant is data plus pure functions: the router holds it per instance (constructor argument),
 * so two simulations in one process share nothing. Each replacement gets the decision's inputs and
 * the default implementation (`base`), so a variant may change one detail and delegate the rest.
 * What a replacement returns is checked before the router uses it: a throw or a value that is not
 * what the decision may return stops the run with an InputError naming the variant file and the
 * decision (never a stack trace from deep inside the router).
 */

import { InputError } from '../base/index.ts';
import { type AnnouncementAction, determineAnnouncementAction } from './decisions/announcement.ts';
import { type LinkInfo, NO_PORT } from './decisions/links.ts';
import { selectParent } from './decisions/parent.ts';
import {
  newSnekResult,
  nextHopSnekFast,
  type SnekInputs,
  type SnekResult,
  SnekRule,
} from './decisions/snek-next-hop.ts';
import { nextHopTree } from './decisions/tree-next-hop.ts';
import { keysEqual } from './keys.ts';
import { DEFAULT_ROUTER_OPTIONS, type RouterOptions, resolveRouterOptions } from './options.ts';
import { type Coordinates, LOCAL_PORT, type Micros, type Port, type PublicKey } from './types.ts';

export type { AnnouncementAction } from './decisions/announcement.ts';
export { AnnouncementAction as AnnouncementActions } from './decisions/announcement.ts';
export type { LinkInfo, StoredAnnouncement } from './decisions/links.ts';
export { NO_PORT } from './decisions/links.ts';
export type { SnekEntryInfo, SnekInputs, SnekResult } from './decisions/snek-next-hop.ts';
export { SnekRule } from './decisions/snek-next-hop.ts';
export { LOCAL_PORT } from './types.ts';

/** §5.4 step 7: what to do with a received root announcement. */
export interface AnnouncementInput {
  /** It arrived on our parent link. */
  readonly fromParent: boolean;
  /** Our key is among its signers. */
  readonly loop: boolean;
  /** Sign of compare(new root key, our root key before storing it). */
  readonly rootDelta: number;
  readonly newSeq: number;
  readonly lastSeq: number;
}

/** §5.6: choose a parent among the links' stored announcements. */
export interface ParentInput {
  /** Links in ascending port order (down ones included: `up` says). */
  readonly links: readonly LinkInfo[];
  readonly now: Micros;
  readonly ourKey: PublicKey;
  readonly currentRootKey: PublicKey;
  readonly currentRootSeq: number;
  readonly announcementTimeout: Micros;
}

/** §5.8: greedy tree next hop towards destination coordinates. */
export interface TreeInput {
  readonly links: readonly LinkInfo[];
  readonly ourCoords: Coordinates;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;
  readonly dest: Coordinates;
  /** Arrival port (LOCAL_PORT for frames we originate). */
  readonly from: Port;
}

/** §6.5 steps 2–5: does this node process a bootstrap (install, descending update, forward)? */
export interface BootstrapInput {
  /** The bootstrapping node's key (frame destination). */
  readonly key: PublicKey;
  /** Payload sequence and root (§6.4). */
  readonly seq: number;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;
  /** Our root (§5.2). */
  readonly ourRootKey: PublicKey;
  readonly ourRootSeq: number;
  /** Our table entry for `key`, expired ones included (§6.5 step 5), or null. */
  readonly existing: {
    readonly seq: number;
    readonly rootKey: PublicKey;
    readonly rootSeq: number;
  } | null;
  /** Port the bootstrap arrived on. */
  readonly fromPort: Port;
}

type Base<I, O> = (input: I) => O;

/** The decisions a variant may replace; each gets its inputs and the default (`base`). */
export interface VariantDecisions {
  announcementAction?: (
    input: AnnouncementInput,
    base: Base<AnnouncementInput, AnnouncementAction>,
  ) => AnnouncementAction;
  /** A port of an up link with an announcement, or NO_PORT (we become root, §5.6 step 4). */
  parent?: (input: ParentInput, base: Base<ParentInput, number>) => number;
  /** LOCAL_PORT, a port of an up link, or NO_PORT (tree dead end: SNEK takes over, §7.1). */
  treeNextHop?: (input: TreeInput, base: Base<TreeInput, number>) => number;
  /**
   * `boot` tells bootstraps (§6.5) from traffic (§7.1). Returns the port (LOCAL_PORT, an up link,
   * NO_PORT) and the watermark the frame leaves with (key, seq).
   */
  snekNextHop?: (input: SnekInputs, base: Base<SnekInputs, SnekResult>) => SnekResult;
  acceptBootstrap?: (input: BootstrapInput, base: Base<BootstrapInput, boolean>) => boolean;
}

export type DecisionName = keyof VariantDecisions;
export const DECISION_NAMES: readonly DecisionName[] = [
  'announcementAction',
  'parent',
  'treeNextHop',
  'snekNextHop',
  'acceptBootstrap',
];

export interface VariantSpec extends VariantDecisions {
  /** Short label for outputs (defaults to the file name). */
  readonly name?: string;
  readonly description?: string;
  /**
   * Timers and constants of PROTOCOL.md §8 (router/options.ts names, microseconds). They replace
   * the defaults; a run's own router options (scenario `router`, flags) still win over them.
   */
  readonly options?: Partial<RouterOptions>;
}

export interface Variant extends VariantSpec {
  readonly options: Partial<RouterOptions>;
}

/** The reference decisions (d0beb18), in the variant calling convention. */
export const defaults = Object.freeze({
  announcementAction: (i: AnnouncementInput): AnnouncementAction =>
    determineAnnouncementAction(i.fromParent, i.loop, i.rootDelta, i.newSeq, i.lastSeq),
  parent: (i: ParentInput): number =>
    selectParent(
      i.links,
      i.now,
      i.ourKey,
      i.currentRootKey,
      i.currentRootSeq,
      i.announcementTimeout,
    ),
  treeNextHop: (i: TreeInput): number =>
    nextHopTree(i.links, i.ourCoords, i.rootKey, i.rootSeq, i.dest, i.from),
  /**
   * A fresh result object (the router's own search reuses one). The fast search, with the
   * router's indexes when the inputs carry them: the same answers as decisions/snek-next-hop.ts
   * nextHopSnek, the plain §6.6 a variant's own search would start from.
   */
  snekNextHop: (i: SnekInputs): SnekResult => ({ ...nextHopSnekFast(i, newSnekResult()) }),
  /** §6.5: same root as ours, and not a duplicate or older sequence of an entry of that root. */
  acceptBootstrap: (i: BootstrapInput): boolean => {
    if (i.rootSeq !== i.ourRootSeq || !keysEqual(i.rootKey, i.ourRootKey)) return false;
    const e = i.existing;
    return !(
      e !== null &&
      e.rootSeq === i.rootSeq &&
      keysEqual(e.rootKey, i.rootKey) &&
      i.seq <= e.seq
    );
  },
  options: DEFAULT_ROUTER_OPTIONS,
});

const SPEC_KEYS = new Set<string>(['name', 'description', 'options', ...DECISION_NAMES]);

/**
 * Check a variant's shape (unknown keys, non-functions, invalid options) and freeze it. Errors are
 * InputErrors naming `source` (the loader passes the file).
 */
export function defineVariant(spec: VariantSpec, source = 'variant'): Variant {
  if (typeof spec !== 'object' || spec === null)
    throw new InputError(`${source}: a variant is an object (defineVariant({...}))`);
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key))
      throw new InputError(
        `${source}: unknown variant field "${key}" (expected one of: ${[...SPEC_KEYS].join(', ')})`,
      );
  }
  for (const name of DECISION_NAMES) {
    const f = spec[name];
    if (f !== undefined && typeof f !== 'function')
      throw new InputError(`${source}: ${name} must be a function (input, base) => result`);
  }
  if (spec.name !== undefined && typeof spec.name !== 'string')
    throw new InputError(`${source}: name must be a string`);
  const options = spec.options ?? {};
  // Validates names and values now (an unknown option or a zero timer is a variant bug).
  resolveRouterOptions(options as Readonly<Record<string, unknown>>, `${source}: options`);
  return Object.freeze({ ...spec, options: Object.freeze({ ...options }) });
}

/**
 * What the router calls: only the replaced decisions (null = the router's own fast path), each
 * wrapped so a throw or an impossible result becomes an InputError naming the file and decision.
 */
export interface RouterVariant {
  readonly source: string;
  readonly announcementAction: ((i: AnnouncementInput) => AnnouncementAction) | null;
  readonly parent: ((i: ParentInput) => number) | null;
  readonly treeNextHop: ((i: TreeInput) => number) | null;
  /** Writes into `out` (the router's shared result) after checking. */
  readonly snekNextHop: ((i: SnekInputs, out: SnekResult) => SnekResult) | null;
  readonly acceptBootstrap: ((i: BootstrapInput) => boolean) | null;
}

function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined)
    return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `a ${v.length}-byte array`;
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function call<I, O>(
  source: string,
  name: DecisionName,
  f: (input: I, base: Base<I, O>) => O,
  input: I,
  base: Base<I, O>,
): O {
  try {
    return f(input, base);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new InputError(`variant ${source}: ${name} threw: ${why}`);
  }
}

function bad(source: string, name: DecisionName, got: unknown, expected: string): never {
  throw new InputError(
    `variant ${source}: ${name} returned ${describe(got)}, expected ${expected}`,
  );
}

/** An up link's port among `links`, or null. */
function upLink(links: readonly LinkInfo[], port: number): LinkInfo | null {
  for (let i = 0; i < links.length; i++) {
    const l = links[i] as LinkInfo;
    if (l.port === port) return l.up ? l : null;
  }
  return null;
}

function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Bind a variant for the router; `source` names it in errors (its file). */
export function routerVariant(variant: Variant, source: string): RouterVariant {
  const v = variant;
  const ann = v.announcementAction;
  const par = v.parent;
  const tree = v.treeNextHop;
  const snek = v.snekNextHop;
  const boot = v.acceptBootstrap;
  return Object.freeze({
    source,
    announcementAction:
      ann === undefined
        ? null
        : (i: AnnouncementInput) => {
            const a = call(source, 'announcementAction', ann, i, defaults.announcementAction);
            if (!isPortNumber(a) || a < 0 || a > 5)
              bad(source, 'announcementAction', a, 'an AnnouncementAction (0..5)');
            return a;
          },
    parent:
      par === undefined
        ? null
        : (i: ParentInput) => {
            const p = call(source, 'parent', par, i, defaults.parent);
            if (p === NO_PORT) return p;
            const link = isPortNumber(p) ? upLink(i.links, p) : null;
            if (link === null || link.stored === null)
              bad(source, 'parent', p, 'NO_PORT or the port of an up link with an announcement');
            return p;
          },
    treeNextHop:
      tree === undefined
        ? null
        : (i: TreeInput) => {
            const p = call(source, 'treeNextHop', tree, i, defaults.treeNextHop);
            if (p === NO_PORT || p === LOCAL_PORT) return p;
            if (!isPortNumber(p) || upLink(i.links, p) === null)
              bad(source, 'treeNextHop', p, 'NO_PORT, LOCAL_PORT or the port of an up link');
            return p;
          },
    snekNextHop:
      snek === undefined
        ? null
        : (i: SnekInputs, out: SnekResult) => {
            const r = call(source, 'snekNextHop', snek, i, defaults.snekNextHop);
            if (typeof r !== 'object' || r === null)
              bad(source, 'snekNextHop', r, 'an object {port, key, seq}');
            const p = r.port;
            if (
              p !== NO_PORT &&
              p !== LOCAL_PORT &&
              (!isPortNumber(p) || upLink(i.links, p) === null)
            )
              bad(
                source,
                'snekNextHop',
                p,
                'a port: NO_PORT, LOCAL_PORT or the port of an up link',
              );
            if (!(r.key instanceof Uint8Array) || r.key.length !== 32)
              bad(source, 'snekNextHop', r.key, 'a watermark key of 32 bytes');
            if (!isPortNumber(r.seq) || r.seq < 0)
              bad(source, 'snekNextHop', r.seq, 'a watermark sequence ≥ 0');
            out.port = p;
            out.key = r.key;
            out.seq = r.seq;
            out.rule = r.rule ?? SnekRule.None;
            return out;
          },
    acceptBootstrap:
      boot === undefined
        ? null
        : (i: BootstrapInput) => {
            const a = call(source, 'acceptBootstrap', boot, i, defaults.acceptBootstrap);
            if (typeof a !== 'boolean') bad(source, 'acceptBootstrap', a, 'true or false');
            return a;
          },
  });
}
