/**
 * router/snake.ts — the virtual snake: routing table, descending pointer, bootstraps
 * (PROTOCOL.md §6) [router/state_snek.go].
 */
import { NO_PORT } from './decisions/links.ts';
import {
  newSnekResult,
  nextHopSnek,
  type SnekEntryInfo,
  type SnekInputs,
} from './decisions/snek-next-hop.ts';
import { explainSnek } from './forward.ts';
import { compareKeys, INITIAL_WATERMARK, keyPrefix, keysEqual, ordered, worse } from './keys.ts';
import type { Link, RouterCore } from './peers.ts';
import {
  type BootstrapFrame,
  FrameType,
  type Micros,
  type Port,
  type PublicKey,
  type Watermark,
} from './types.ts';
import {
  buildBootstrapPayload,
  readBootstrapPayload,
  verifyBootstrapPayload,
} from './wire/bootstrap.ts';
import { isCodecError } from './wire/errors.ts';

/** Timer id of the 1 s snake maintenance tick (§6.3). */
export const TIMER_SNAKE = 1;

/**
 * One routing-table entry (§6.2). Immutable: a refresh installs a new object (§6.1 snapshot).
 * The entry's watermark is (key, seq), so the entry is its own Watermark (issue 7: a separate
 * {key, seq} object per entry was ~40 bytes of every idle router's heap per table entry).
 */
export class SnakeEntry implements SnekEntryInfo, Watermark {
  readonly key: PublicKey;
  /** Bootstrap sequence of the entry's watermark (§6.2). */
  readonly seq: number;
  readonly sourcePort: Port;
  /** Next hop chosen for the bootstrap here, NO_PORT at the dead end. */
  readonly destinationPort: number;
  readonly lastSeen: Micros;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;

  constructor(
    key: PublicKey,
    sourcePort: Port,
    destinationPort: number,
    seq: number,
    lastSeen: Micros,
    rootKey: PublicKey,
    rootSeq: number,
  ) {
    this.key = key;
    this.seq = seq;
    this.sourcePort = sourcePort;
    this.destinationPort = destinationPort;
    this.lastSeen = lastSeen;
    this.rootKey = rootKey;
    this.rootSeq = rootSeq;
  }

  /** The entry's watermark (key, seq): the entry itself. */
  get watermark(): Watermark {
    return this;
  }
}

export class SnakeState {
  /** Table entries sorted by key ([DET] §6.6: iterate in ascending key order). Read-only outside. */
  entries: SnakeEntry[] = [];
  /**
   * keyPrefix of entries[i].key at [i] (issue 7): lookups binary-search this contiguous array and
   * touch an entry only on a prefix tie, instead of loading an entry and its key per probe (cache
   * misses made the table search ~30% of bootstrap handling at 20,000 nodes). Kept in step with
   * `entries` by every method below; capacity grows by doubling.
   */
  prefixes: Float64Array = new Float64Array(4);
  /** The descending entry snapshot (§6.1), or null. */
  descending: SnakeEntry | null = null;
  /** Zero time in the reference: the first tick with a parent bootstraps (§6.3). */
  lastBootstrap: Micros = Number.NEGATIVE_INFINITY;
  private readonly bootstrapInterval: Micros;

  constructor(bootstrapInterval: Micros) {
    this.bootstrapInterval = bootstrapInterval;
  }

  /** Index of `key`, or −(insertion point) − 1. */
  find(key: PublicKey): number {
    const pre = this.prefixes;
    const p = keyPrefix(key);
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const q = pre[mid] as number;
      const c = q !== p ? q - p : compareKeys((this.entries[mid] as SnakeEntry).key, key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  get(key: PublicKey): SnakeEntry | null {
    const i = this.find(key);
    return i >= 0 ? (this.entries[i] as SnakeEntry) : null;
  }

  put(entry: SnakeEntry): void {
    this.putAt(this.find(entry.key), entry);
  }

  /** put() with `at` = find(entry.key), made by the caller with no table change since. */
  putAt(at: number, entry: SnakeEntry): void {
    if (at >= 0) {
      this.entries[at] = entry;
      return;
    }
    const i = -at - 1;
    const n = this.entries.length;
    if (n === this.prefixes.length) {
      const grown = new Float64Array(2 * n);
      grown.set(this.prefixes);
      this.prefixes = grown;
    }
    this.prefixes.copyWithin(i + 1, i, n);
    this.prefixes[i] = keyPrefix(entry.key);
    this.entries.splice(i, 0, entry);
  }

  /** Empty the table (§4.5 full reset). */
  clear(): void {
    this.entries = [];
    this.prefixes = new Float64Array(4);
  }

  /** §4.5 step 3b: drop entries whose source or destination is `port`. */
  removePort(port: Port): void {
    let k = 0;
    const es = this.entries;
    const pre = this.prefixes;
    for (let i = 0; i < es.length; i++) {
      const e = es[i] as SnakeEntry;
      if (e.sourcePort === port || e.destinationPort === port) continue;
      pre[k] = pre[i] as number;
      es[k++] = e;
    }
    es.length = k;
  }

  /** §6.3 step 2, every second: compact entries and prefixes in place, keeping order. */
  removeExpired(now: Micros, expiry: Micros): void {
    let k = 0;
    const es = this.entries;
    const pre = this.prefixes;
    for (let i = 0; i < es.length; i++) {
      const e = es[i] as SnakeEntry;
      if (now - e.lastSeen >= expiry) continue;
      pre[k] = pre[i] as number;
      es[k++] = e;
    }
    es.length = k;
  }

  /** "Bootstrap soon": the next maintenance tick sends one (§6.3). */
  bootstrapSoon(now: Micros): void {
    this.lastBootstrap = now - this.bootstrapInterval;
  }

  /**
   * §6.3 [router/state.go: _setDescendingNode]: any change (set from none, cleared — even when
   * already none — or a different key) means bootstrap soon; a same-key refresh does not.
   */
  setDescending(entry: SnakeEntry | null, now: Micros): void {
    const old = this.descending;
    const changed = entry === null || old === null || !keysEqual(old.key, entry.key);
    this.descending = entry;
    if (changed) this.bootstrapSoon(now);
  }
}

const result = newSnekResult();

// One mutable inputs object reused for every search (synchronous, non-reentrant).
const inputs = {
  boot: false,
  dest: INITIAL_WATERMARK.key,
  self: INITIAL_WATERMARK.key,
  watermark: INITIAL_WATERMARK,
  parent: null as SnekInputs['parent'],
  rootKey: INITIAL_WATERMARK.key,
  links: [] as SnekInputs['links'],
  linkByPort: [] as SnekInputs['linkByPort'],
  entries: [] as SnekInputs['entries'],
  entryPrefixes: new Float64Array(0) as Float64Array,
  now: 0,
  neighExpiry: 0,
  wholeRoot: false,
  linksVersion: 0,
};

/** §6.6 for the router's current state; the result object is shared (read it at once). */
export function snekNextHop(r: RouterCore, boot: boolean, dest: PublicKey, watermark: Watermark) {
  inputs.boot = boot;
  inputs.dest = dest;
  inputs.self = r.identity.publicKey;
  inputs.watermark = watermark;
  inputs.parent = r.tree.parent;
  inputs.rootKey = r.tree.rootAnnouncement().rootKey;
  inputs.links = r.peers.links;
  inputs.linkByPort = r.peers.byPort;
  inputs.entries = r.snake.entries;
  inputs.entryPrefixes = r.snake.prefixes;
  inputs.now = r.now;
  inputs.neighExpiry = r.options.neighExpiry;
  inputs.wholeRoot = r.options.headParallelLinkWholeRoot;
  inputs.linksVersion = r.peers.version;
  return nextHopSnek(inputs, result);
}

/** Maintenance tick (§6.3), re-armed every second. */
export function maintainSnake(r: RouterCore): void {
  const snake = r.snake;
  const now = r.now;
  const expiry = r.options.neighExpiry;
  const d = snake.descending;
  if (d !== null) {
    const root = r.tree.rootAnnouncement();
    if (
      now - d.lastSeen >= expiry ||
      d.rootSeq !== root.rootSeq ||
      !keysEqual(d.rootKey, root.rootKey)
    ) {
      snake.setDescending(null, now);
    }
  }
  snake.removeExpired(now, expiry);
  if (now - snake.lastBootstrap >= r.options.bootstrapInterval) bootstrapNow(r);
  r.fx.setTimer(TIMER_SNAKE, now + r.options.snakeMaintainInterval);
}

/** §6.4: a root sends nothing and does not update lastBootstrap. */
export function bootstrapNow(r: RouterCore): void {
  if (r.tree.parent === null) return;
  const now = r.now;
  const root = r.tree.rootAnnouncement();
  const seq = r.options.clockEpochMs + Math.floor(now / 1000);
  const signer = r.signer;
  const payload = buildBootstrapPayload(
    seq,
    root.rootKey,
    root.rootSeq,
    signer === null ? null : r.identity,
    signer,
  );
  const own = r.identity.publicKey;
  const res = snekNextHop(r, true, own, INITIAL_WATERMARK);
  if (res.port > 0) {
    const link = r.peers.get(res.port) as Link;
    const frame: BootstrapFrame = {
      type: FrameType.Bootstrap,
      extra: 0,
      hopLimit: 0,
      destinationKey: own,
      watermark: { key: res.key, seq: res.seq },
      payload,
    };
    if (r.options.recordReasons) r.fx.explain?.(frame, res.port, explainSnek(res, true));
    r.sendProtocol(link, frame);
  }
  r.snake.lastBootstrap = now;
}

/** §6.5 at every node a bootstrap reaches. Problems are silent drops, never link drops (§4.4). */
export function handleBootstrap(r: RouterCore, link: Link, frame: BootstrapFrame): void {
  const now = r.now;
  const key = frame.destinationKey;
  const payload = readBootstrapPayload(frame.payload);
  if (isCodecError(payload)) return;
  if (r.signer !== null && !verifyBootstrapPayload(frame.payload, key, r.signer)) return;
  const root = r.tree.rootAnnouncement();
  if (payload.rootSeq !== root.rootSeq || !keysEqual(payload.rootKey, root.rootKey)) return;
  const snake = r.snake;
  const at = snake.find(key);
  const existing = at >= 0 ? (snake.entries[at] as SnakeEntry) : null;
  if (
    existing !== null &&
    existing.rootSeq === payload.rootSeq &&
    keysEqual(existing.rootKey, payload.rootKey) &&
    payload.seq <= existing.seq
  ) {
    return; // duplicate or loop (§6.5 step 5; expired entries still count)
  }
  // §6.5 step 1's next-hop search, made here (issue 7): it is a pure function of the state, and
  // nothing above changes the state, so searching after the drop checks (still before the table
  // and descending updates it must not see) chooses the same hop while dropped bootstraps (wrong
  // root, duplicates: most of them while a root change spreads) skip the search.
  const res = snekNextHop(r, true, key, frame.watermark);
  const next = res.port;
  const wmKey = res.key;
  const wmSeq = res.seq;
  const rule = res.rule;
  const entry = new SnakeEntry(key, link.port, next, payload.seq, now, root.rootKey, root.rootSeq);
  snake.putAt(at, entry); // the search above does not change the table
  // §6.5 step 7: descending update at every node on the path.
  const own = r.identity.publicKey;
  if (compareKeys(key, own) < 0) {
    const d = snake.descending;
    if (d !== null && now - d.lastSeen < r.options.neighExpiry) {
      if (keysEqual(d.key, key) || ordered(d.key, key, own)) snake.setDescending(entry, now);
    } else {
      snake.setDescending(entry, now);
    }
  }
  if (next === NO_PORT) return; // arrived: we are the closest greater key we know of
  const wm = { key: wmKey, seq: wmSeq };
  if (next === link.port || worse(wm, frame.watermark)) return;
  const out = r.peers.get(next);
  if (out === undefined) return;
  // A literal of the frame's fields, not a spread (issue 7: the spread was 8% of this function).
  const fwd: BootstrapFrame = {
    type: FrameType.Bootstrap,
    extra: frame.extra,
    hopLimit: frame.hopLimit,
    destinationKey: frame.destinationKey,
    watermark: wm,
    payload: frame.payload,
  };
  if (r.options.recordReasons) {
    r.fx.explain?.(fwd, next, explainSnek({ port: next, key: wmKey, seq: wmSeq, rule }, true));
  }
  r.sendProtocol(out, fwd);
}

/** §4.5: full reset of the snake state (descending cleared counts as a change). */
export function resetSnake(r: RouterCore): void {
  r.snake.clear();
  r.snake.setDescending(null, r.now);
}
