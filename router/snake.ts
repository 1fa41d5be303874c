/**
 * router/snake.ts — the virtual snake's handlers: bootstraps sent and received, maintenance, the
 * next-hop search for the router's state (PROTOCOL.md §6) [router/state_snek.go]. The state they
 * change is router/snake-state.ts.
 */

import type { RouterCore } from './core.ts';
import { NO_PORT } from './decisions/links.ts';
import { nextHopSnekFast } from './decisions/snek-next-hop.ts';
import { compareKeys, INITIAL_WATERMARK, keysEqual, keyTag, worse } from './keys.ts';
import type { Link } from './peers.ts';
import { NO_SLOT, SnakeEntry } from './snake-state.ts';
import { explainSnek } from './snek-explain.ts';
import { type BootstrapFrame, FrameType, type PublicKey, type Watermark } from './types.ts';
import {
  buildBootstrapPayload,
  readBootstrapPayload,
  verifyBootstrapPayload,
} from './wire/bootstrap.ts';
import { isCodecError } from './wire/errors.ts';

export { SnakeEntry, SnakeState } from './snake-state.ts';

/** Timer id of the 1 s snake maintenance tick (§6.3). */
export const TIMER_SNAKE = 1;

/** §6.6 for the router's current state; the result object is the router's (read it at once). */
export function snekNextHop(r: RouterCore, boot: boolean, dest: PublicKey, watermark: Watermark) {
  const inputs = r.snake.searchInputs;
  inputs.boot = boot;
  inputs.dest = dest;
  inputs.self = r.identity.publicKey;
  inputs.watermark = watermark;
  inputs.parent = r.tree.parent;
  inputs.rootKey = r.tree.rootAnnouncement().rootKey;
  inputs.links = r.peers.links;
  inputs.linkByPort = r.peers.byPort;
  inputs.table = r.snake;
  inputs.now = r.now;
  inputs.neighExpiry = r.options.neighExpiry;
  inputs.wholeRoot = r.options.headParallelLinkWholeRoot;
  inputs.linksVersion = r.peers.version;
  inputs.indexSlot = r.peers.snekIndex;
  const variant = r.variant?.snekNextHop ?? null;
  const out = r.snake.searchResult;
  if (variant === null) return nextHopSnekFast(inputs, out);
  // The inputs are refilled for every search and read by nothing else; a variant gets a copy with
  // the table as entries, the form variants read and rewrite: a view whose objects are made only
  // if the variant reads them (SnakeState.view).
  return variant({ ...inputs, table: undefined, entries: r.snake.view }, out);
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
      setDescending(r, null);
    }
  }
  snake.removeExpired(now, expiry);
  if (snake.lastBootstrap < 0 || now - snake.lastBootstrap >= r.options.bootstrapInterval)
    bootstrapNow(r);
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
  const payload = readBootstrapPayload(frame.payload, r.memo);
  if (isCodecError(payload)) return;
  if (r.signer !== null && !verifyBootstrapPayload(frame.payload, key, r.signer)) return;
  const root = r.tree.rootAnnouncement();
  const snake = r.snake;
  const accept = r.variant?.acceptBootstrap ?? null;
  let slot: number;
  if (accept === null) {
    if (payload.rootSeq !== root.rootSeq || !keysEqual(payload.rootKey, root.rootKey)) return;
    slot = snake.find(key);
    if (
      slot !== NO_SLOT &&
      snake.rootSeqAt(slot) === payload.rootSeq &&
      keysEqual(snake.rootKeyAt(slot), payload.rootKey) &&
      payload.seq <= snake.seqAt(slot)
    ) {
      return; // duplicate or loop (§6.5 step 5; expired entries still count)
    }
  } else {
    slot = snake.find(key);
    const ok = accept({
      key,
      seq: payload.seq,
      rootKey: payload.rootKey,
      rootSeq: payload.rootSeq,
      ourRootKey: root.rootKey,
      ourRootSeq: root.rootSeq,
      existing: slot === NO_SLOT ? null : snake.entryAt(slot),
      fromPort: link.port,
    });
    if (!ok) return;
  }
  // §6.5 step 1's next-hop search, made here rather than first: it is a pure function of the
  // state, and nothing above changes the state, so searching after the drop checks (still before
  // the table and descending updates it must not see) chooses the same hop while dropped
  // bootstraps (wrong root, duplicates: most of them while a root change spreads) skip the search.
  const res = snekNextHop(r, true, key, frame.watermark);
  const next = res.port;
  const wmKey = res.key;
  const wmSeq = res.seq;
  const rule = res.rule;
  // §6.5 step 6 (the search does not change the table, so the slot still names the entry).
  if (slot !== NO_SLOT)
    snake.write(slot, link.port, next, payload.seq, now, root.rootKey, root.rootSeq);
  else {
    snake.install(key, link.port, next, payload.seq, now, root.rootKey, root.rootSeq);
    r.fx.tableInstall?.();
  }
  // §6.5 step 7: descending update at every node on the path, to a snapshot of the entry (§6.1).
  const own = r.identity.publicKey;
  if (compareKeys(key, own) < 0) {
    const d = snake.descending;
    // The reference's test is d.key = key or ordered(d.key, key, own); key < own holds here, so
    // it is d.key ≤ key: by the keys' tags (their top bits), and by the keys where the tags are
    // equal.
    const dt = snake.descendingTag;
    const kt = keyTag(key);
    if (
      d === null ||
      now - d.lastSeen >= r.options.neighExpiry ||
      dt < kt ||
      (dt === kt && compareKeys(d.key, key) <= 0)
    ) {
      setDescending(
        r,
        new SnakeEntry(key, link.port, next, payload.seq, now, root.rootKey, root.rootSeq),
      );
    }
  }
  if (next === NO_PORT || next === link.port) return; // arrived, or it would go back
  const out = r.peers.get(next);
  if (out === undefined) return;
  // §6.5 steps 9 and 10: the frame goes on with the watermark the search gave. Where that is the
  // frame's own (three hops in four while the snake forms, ba:5000), the frame itself goes on, as
  // the reference forwards its one frame with the watermark set in place: frames are immutable
  // (router/types.ts), so a copy would differ in nothing but its identity, and cost an allocation
  // per hop. A watermark that is the frame's own is never worse than it.
  const from = frame.watermark;
  let fwd: BootstrapFrame = frame;
  if (wmKey !== from.key || wmSeq !== from.seq) {
    const wm = { key: wmKey, seq: wmSeq };
    if (worse(wm, from)) return;
    // A literal of the frame's fields, not a spread: the spread was 8% of this function.
    fwd = {
      type: FrameType.Bootstrap,
      extra: frame.extra,
      hopLimit: frame.hopLimit,
      destinationKey: frame.destinationKey,
      watermark: wm,
      payload: frame.payload,
    };
  }
  if (r.options.recordReasons) {
    r.fx.explain?.(fwd, next, explainSnek({ port: next, key: wmKey, seq: wmSeq, rule }, true));
  }
  r.sendProtocol(out, fwd);
}

/** §4.5: full reset of the snake state (descending cleared counts as a change). */
export function resetSnake(r: RouterCore): void {
  r.snake.clear();
  setDescending(r, null);
}

/**
 * SnakeState.setDescending (§6.3), telling the host's observers (Effects.viewChanged) when the
 * descending key changes; a same-key refresh (every bootstrap from the predecessor) does not.
 */
export function setDescending(r: RouterCore, entry: SnakeEntry | null): void {
  const old = r.snake.descending;
  r.snake.setDescending(entry, r.now);
  if (old === null ? entry !== null : entry === null || !keysEqual(old.key, entry.key))
    r.fx.viewChanged?.();
}
