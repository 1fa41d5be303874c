/**
 * router/options.ts — every behaviour switch and timer of the router, defaults faithful to d0beb18.
 *
 * Timers are integer microseconds (Micros) named after PROTOCOL.md §8. Variants marked [HEAD] are
 * off by default; quirk switches default to reproducing the reference (PROTOCOL.md §9.3).
 */
import { InputError } from '../base/index.ts';
import { MICROS_PER_MS, MICROS_PER_SECOND, type Micros } from './types.ts';

export interface RouterOptions {
  /** Attach cached destination coordinates to originated traffic (§1.3, §7.2). Off = pre-#67. */
  readonly hybrid: boolean;
  /** true: a tree-routed frame whose coords match ours but key does not falls back to SNEK (§7.1). */
  readonly treeExactKeyCheck: boolean;
  /** true: SNEK traffic for an absent key is dropped instead of delivered to its successor (§6.9). */
  readonly snekExactDelivery: boolean;
  /** false = PINECONE_DISABLE_SIGNATURES: zero signature bytes, no checks (§2). */
  readonly signatures: boolean;
  /** Send keepalives after 3 s idle and drop links silent for 5 s (§4.3). */
  readonly keepalives: boolean;
  /** Port slots for peerings, 1..maxPorts (§4.1: 253; more is a simulator-only extension). */
  readonly maxPorts: number;
  /** [HEAD] #65 hop limit on traffic (§7.6). */
  readonly headHopLimit: boolean;
  /** [HEAD] #65 wakeup broadcasts (§7.7). */
  readonly headWakeupBroadcasts: boolean;
  /** [HEAD] #72: do not answer the first announcement on a link with our stronger root (§5.4). */
  readonly headSkipFirstInform: boolean;
  /** [HEAD] #73: SNEK parallel-link refinement compares the whole root (§6.6 step 6). */
  readonly headParallelLinkWholeRoot: boolean;
  /** Call fx.explain for every forwarding decision of traffic and bootstraps. */
  readonly recordReasons: boolean;
  /**
   * The reference's "blackhole" mode (§7.3): no local traffic queue, so frames that would reach
   * this node's application are dropped (reason 'blackhole'). Off by default.
   */
  readonly blackhole: boolean;
  readonly keepaliveInterval: Micros;
  readonly keepaliveTimeout: Micros;
  readonly announcementInterval: Micros;
  readonly announcementTimeout: Micros;
  readonly holdDown: Micros;
  readonly snakeMaintainInterval: Micros;
  readonly bootstrapInterval: Micros;
  readonly neighExpiry: Micros;
  readonly coordsCacheLifetime: Micros;
  readonly coordsCacheMaintainInterval: Micros;
  readonly wakeupBroadcastInterval: Micros;
  readonly broadcastFilterTime: Micros;
  readonly broadcastExpiry: Micros;
  /** [HEAD] hop limit given to originated traffic (MaxHopLimit). */
  readonly maxHopLimit: number;
  /** [HEAD] hop limit of wakeup broadcasts (NetworkHorizonDistance). */
  readonly broadcastHopLimit: number;
  /** Traffic fair-queue buckets (254; the reference uses 16 on Bluetooth links) and bucket size. */
  readonly trafficBuckets: number;
  readonly bluetoothTrafficBuckets: number;
  readonly bucketSize: number;
  /** Bootstrap sequence = clockEpochMs + floor(now / 1 ms): Unix-ms-looking, never 0 (§3.8). */
  readonly clockEpochMs: number;
}

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = Object.freeze({
  hybrid: true,
  treeExactKeyCheck: false,
  snekExactDelivery: false,
  signatures: true,
  keepalives: true,
  maxPorts: 253,
  headHopLimit: false,
  headWakeupBroadcasts: false,
  headSkipFirstInform: false,
  headParallelLinkWholeRoot: false,
  recordReasons: false,
  blackhole: false,
  keepaliveInterval: 3 * MICROS_PER_SECOND,
  keepaliveTimeout: 5 * MICROS_PER_SECOND,
  announcementInterval: 30 * 60 * MICROS_PER_SECOND,
  announcementTimeout: 45 * 60 * MICROS_PER_SECOND,
  holdDown: 1 * MICROS_PER_SECOND,
  snakeMaintainInterval: 1 * MICROS_PER_SECOND,
  bootstrapInterval: 5 * MICROS_PER_SECOND,
  neighExpiry: 10 * MICROS_PER_SECOND,
  coordsCacheLifetime: 60 * MICROS_PER_SECOND,
  coordsCacheMaintainInterval: 60 * MICROS_PER_SECOND,
  wakeupBroadcastInterval: 60 * MICROS_PER_SECOND,
  broadcastFilterTime: 30 * MICROS_PER_SECOND,
  broadcastExpiry: 180 * MICROS_PER_SECOND,
  maxHopLimit: 10,
  broadcastHopLimit: 5,
  trafficBuckets: 254,
  bluetoothTrafficBuckets: 16,
  bucketSize: 16,
  clockEpochMs: 1_664_280_000_000,
});

const BOOLEAN_KEYS = [
  'hybrid',
  'treeExactKeyCheck',
  'snekExactDelivery',
  'signatures',
  'keepalives',
  'headHopLimit',
  'headWakeupBroadcasts',
  'headSkipFirstInform',
  'headParallelLinkWholeRoot',
  'recordReasons',
  'blackhole',
] as const;

/** Timers must be positive integers (a zero period would spin the scheduler at one instant). */
const TIMER_KEYS = [
  'keepaliveInterval',
  'keepaliveTimeout',
  'announcementInterval',
  'announcementTimeout',
  'holdDown',
  'snakeMaintainInterval',
  'bootstrapInterval',
  'neighExpiry',
  'coordsCacheLifetime',
  'coordsCacheMaintainInterval',
  'wakeupBroadcastInterval',
  'broadcastFilterTime',
  'broadcastExpiry',
] as const;

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  // 253 is the protocol's limit (§4.1); more is a simulator-only extension, so that hub-heavy maps
  // (sim-skitter: hubs of 2,000 peers) keep every link. Timer ids support ports up to 65535
  // (router.ts).
  maxPorts: [1, 65535],
  maxHopLimit: [1, 255],
  broadcastHopLimit: [1, 255],
  trafficBuckets: [1, 65535],
  bluetoothTrafficBuckets: [1, 65535],
  bucketSize: [1, 1 << 20],
  clockEpochMs: [1, Number.MAX_SAFE_INTEGER],
};

/** Marks the objects resolveRouterOptions returned (frozen, so they stay valid). */
const RESOLVED: unique symbol = Symbol('resolved router options');

/**
 * Merge `partial` over the defaults and validate every field. Unknown keys and wrong types are user
 * errors (InputError naming `source`, e.g. the flag or file they came from).
 */
export function resolveRouterOptions(
  partial: Readonly<Record<string, unknown>> = {},
  source = 'router options',
): RouterOptions {
  // An object this function returned is complete, valid and frozen: hand it back as it is (every
  // Router of a run resolves the run's one options object; re-validating it was 1% of building a
  // 10,000-node run).
  if ((partial as { readonly [RESOLVED]?: true })[RESOLVED] === true)
    return partial as unknown as RouterOptions;
  const out: Record<string, unknown> = { ...DEFAULT_ROUTER_OPTIONS };
  for (const [name, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_ROUTER_OPTIONS, name)) {
      throw new InputError(
        `${source}: unknown router option '${name}' (expected one of: ${Object.keys(DEFAULT_ROUTER_OPTIONS).join(', ')})`,
      );
    }
    if ((BOOLEAN_KEYS as readonly string[]).includes(name)) {
      if (typeof value !== 'boolean') {
        throw new InputError(`${source}: router option '${name}' must be true or false`);
      }
    } else if ((TIMER_KEYS as readonly string[]).includes(name)) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
        throw new InputError(
          `${source}: router option '${name}' must be a positive integer number of microseconds`,
        );
      }
    } else {
      const range = INT_RANGES[name];
      if (
        range !== undefined &&
        (typeof value !== 'number' ||
          !Number.isSafeInteger(value) ||
          value < range[0] ||
          value > range[1])
      ) {
        throw new InputError(
          `${source}: router option '${name}' must be an integer in ${range[0]}..${range[1]}`,
        );
      }
    }
    out[name] = value;
  }
  // Marked before freezing, by a hidden (non-enumerable symbol) property: spreads, JSON and
  // Object.keys do not see it, and a copy is not marked (so it is validated again).
  Object.defineProperty(out, RESOLVED, { value: true });
  return Object.freeze(out) as unknown as RouterOptions;
}

/** ms → Micros, for options given in milliseconds by callers. */
export function msToMicros(ms: number): Micros {
  return Math.round(ms * MICROS_PER_MS);
}
