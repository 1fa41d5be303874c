/**
 * router/forward.ts — traffic forwarding (PROTOCOL.md §7.1, §7.2) and the per-link writer (§7.3).
 */
import type { RouterCore } from './core.ts';
import { NO_PORT } from './decisions/links.ts';
import { nextHopTree } from './decisions/tree-next-hop.ts';
import { INITIAL_WATERMARK, keysEqual, worse } from './keys.ts';
import type { Link } from './peers.ts';
import { snekNextHop } from './snake.ts';
import { explainSnek } from './snek-explain.ts';
import {
  type Coordinates,
  type Frame,
  FrameType,
  LOCAL_PORT,
  type Port,
  type PublicKey,
  type TrafficDropReason,
  type TrafficFrame,
} from './types.ts';

const EMPTY: Coordinates = Object.freeze([]) as Coordinates;

function coordsText(c: Coordinates): string {
  return `[${c.join(' ')}]`;
}

function drop(r: RouterCore, frame: TrafficFrame, reason: TrafficDropReason): void {
  r.fx.dropTraffic(frame, reason);
}

/**
 * Hand a frame to the local application (§7.1 step 6). The reference feeds it through the local
 * port's fair FIFO (§7.3); our application reads at once, so that queue never holds a frame and is
 * not modelled. The blackhole option removes it: the frame is dropped instead.
 */
function deliver(r: RouterCore, frame: TrafficFrame, reason: string): void {
  if (r.options.blackhole) {
    drop(r, frame, 'blackhole');
    return;
  }
  if (r.options.recordReasons) r.fx.explain?.(frame, LOCAL_PORT, reason);
  r.fx.deliver(frame);
}

/**
 * §7.1 for a traffic frame that arrived on `from` (LOCAL_PORT when we originate it, §7.2).
 */
export function forwardTraffic(r: RouterCore, frame: TrafficFrame, from: Port): void {
  const own = r.identity.publicKey;
  const options = r.options;
  // Step 1: for us. Cache the sender's coordinates for hybrid routing (§1.3).
  if (keysEqual(frame.destinationKey, own)) {
    if (options.hybrid && frame.sourceCoords.length > 0) {
      r.cache.set(frame.sourceKey, frame.sourceCoords, r.now);
    }
    deliver(r, frame, 'delivered: destination key is ours');
    return;
  }
  // [HEAD] §7.6: after the loopback check, a frame with hop limit ≤ 1 goes no further.
  if (options.headHopLimit && frame.hopLimit <= 1) {
    drop(r, frame, 'hop-limit');
    return;
  }
  let f = frame;
  if (f.destinationCoords.length > 0) {
    const tree = r.tree;
    const root = tree.rootAnnouncement();
    const ours = tree.coords();
    const variantTree = r.variant?.treeNextHop ?? null;
    // The distances are only wanted for the reason text.
    if (options.recordReasons && tree.hopInfo === null)
      tree.hopInfo = { ourDistance: 0, bestDistance: 0 };
    const info = options.recordReasons ? (tree.hopInfo ?? undefined) : undefined;
    let port =
      variantTree === null
        ? nextHopTree(
            r.peers.links,
            ours,
            root.rootKey,
            root.rootSeq,
            f.destinationCoords,
            from,
            info,
          )
        : variantTree({
            links: r.peers.links,
            ourCoords: ours,
            rootKey: root.rootKey,
            rootSeq: root.rootSeq,
            dest: f.destinationCoords,
            from,
          });
    // [QUIRK] §7.1 tree misdelivery: coords match ours but the key is not ours. With
    // treeExactKeyCheck the frame falls back to SNEK instead.
    if (port === LOCAL_PORT && options.treeExactKeyCheck) port = NO_PORT;
    if (port !== NO_PORT) {
      if (port === from) {
        // Only possible at the origin: our coordinates equal the destination's (§7.2).
        drop(r, f, 'no-route');
      } else if (port === LOCAL_PORT) {
        deliver(
          r,
          f,
          `delivered: our coordinates equal the destination coordinates ${coordsText(f.destinationCoords)} (key is not ours: stale coordinates)`,
        );
      } else {
        const reason = options.recordReasons
          ? `tree: peer is closer to destination coordinates ${coordsText(f.destinationCoords)} (distance ${info?.bestDistance} < ${info?.ourDistance})`
          : '';
        sendTraffic(r, r.peers.get(port) as Link, f, reason);
      }
      return;
    }
    if (f.treeOnly === true) {
      drop(r, f, 'no-route');
      return;
    }
    // Tree dead end: erase the coordinates and continue with SNEK, never back (§1.3).
    f = { ...f, destinationCoords: EMPTY };
  }
  const res = snekNextHop(r, false, f.destinationKey, f.watermark);
  const port = res.port;
  if (port === from) {
    drop(r, f, from === LOCAL_PORT ? 'no-route' : 'arrival-link');
    return;
  }
  if (port === NO_PORT) {
    drop(r, f, 'no-route');
    return;
  }
  const wm = f.watermark;
  if (worse({ key: res.key, seq: res.seq }, wm)) {
    drop(r, f, 'watermark');
    return;
  }
  if (port === LOCAL_PORT) {
    // §6.9: SNEK converged on us, the closest greater key: delivered unless exact delivery is on.
    if (options.snekExactDelivery) drop(r, f, 'no-route');
    else deliver(r, f, explainSnek(res, false));
    return;
  }
  const reason = options.recordReasons ? explainSnek(res, false) : '';
  if (res.key !== wm.key || res.seq !== wm.seq)
    f = { ...f, watermark: { key: res.key, seq: res.seq } };
  sendTraffic(r, r.peers.get(port) as Link, f, reason);
}

/** Hand a traffic frame to a link's fair queue (decrementing the [HEAD] hop limit). */
function sendTraffic(r: RouterCore, link: Link, frame: TrafficFrame, reason: string): void {
  let f = frame;
  if (r.options.headHopLimit) f = { ...f, hopLimit: f.hopLimit - 1 };
  if (r.options.recordReasons) r.fx.explain?.(f, link.port, reason);
  if (!link.busy) {
    transmit(r, link, f); // an idle writer has nothing queued (see pump)
    return;
  }
  const dropped = link.trafficFifo(r.options).push(f);
  if (dropped !== null) r.fx.dropTraffic(dropped, 'queue');
  pump(r, link);
}

/** Protocol FIFO (§7.3): never drops; served before traffic. */
export function sendProtocol(r: RouterCore, link: Link, frame: Frame): void {
  if (!link.up) return;
  if (!link.busy) {
    transmit(r, link, frame); // an idle writer has nothing queued (see pump)
    return;
  }
  link.protocolFifo().push(frame);
  pump(r, link);
}

function transmit(r: RouterCore, link: Link, frame: Frame): void {
  link.lastSent = r.now;
  if (!r.fx.transmit(link.port, frame, link.channel)) link.busy = true;
}

/**
 * Writer loop: protocol first, then traffic, until the link is busy or both queues are empty. It
 * runs after every push and whenever the writer stops being busy (portReady; a closed link's
 * queues are drained), so a writer that is not busy has nothing queued: the senders test `busy`
 * alone and leave the queues, two more objects per frame, untouched (router.test.ts checks it).
 */
export function pump(r: RouterCore, link: Link): void {
  while (!link.busy && link.up) {
    const f: Frame | undefined = link.protocolQueue?.shift() ?? link.trafficQueue?.pop();
    if (f === undefined) return;
    transmit(r, link, f);
  }
}

/** §7.2: originate a traffic frame; `coords` = forced or cached destination coordinates. */
export function originateTraffic(
  r: RouterCore,
  destinationKey: PublicKey,
  payload: Uint8Array,
  coords: Coordinates,
  treeOnly: boolean,
): void {
  const frame: TrafficFrame = {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: r.options.headHopLimit ? r.options.maxHopLimit : 0,
    destinationCoords: coords,
    sourceCoords: r.tree.coords(),
    destinationKey,
    sourceKey: r.identity.publicKey,
    watermark: INITIAL_WATERMARK,
    payload,
    ...(treeOnly ? { treeOnly: true } : {}),
  };
  forwardTraffic(r, frame, LOCAL_PORT);
}
