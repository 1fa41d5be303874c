/**
 * results/snek-decision.ts — one SNEK next-hop decision explained (PROTOCOL.md §6.6), for the
 * viewer's "explain this hop" panel: every candidate the search considers, in the
 * order §6.6 considers them, with its key relation, whether it was taken, and if not why not.
 *
 * The listing is a plain, unoptimised walk of §6.6 steps 2–6 over the same inputs the router
 * uses (router/snake.ts snekNextHop); the winner is the router's own function
 * (router/decisions/snek-next-hop.ts nextHopSnek) run on those inputs, and `agrees` says whether
 * the walk ended on the same (port, key): a disagreement is shown, never hidden. Nothing here is
 * kept between calls.
 */

import { type LinkInfo, NO_PORT } from '../router/decisions/links.ts';
import {
  newSnekResult,
  nextHopSnek,
  type SnekInputs,
  SnekRule,
  type SnekTable,
  snekTableEntries,
} from '../router/decisions/snek-next-hop.ts';
import { compareKeys, FULL_MASK, keysEqual, ordered, toHex, worse } from '../router/keys.ts';
import { LOCAL_PORT, type PublicKey, type Watermark } from '../router/types.ts';
import type { HopCandidate, HopDecision } from './schema.ts';

/** Names for keys and ports, from the run (the host knows both). */
export interface DecisionNames {
  /** Node name of a key, or null when no node of the run has it. */
  readonly key: (k: PublicKey) => string | null;
  /** Node at the other end of one of this node's ports, or null. */
  readonly port: (p: number) => string | null;
}

/**
 * The parts of a router (router/router.ts Router) the §6.6 search reads, structurally, so this
 * module does not depend on where the router keeps its core type.
 */
export interface DecisionRouter {
  readonly identity: { readonly publicKey: PublicKey };
  readonly tree: {
    readonly parent: LinkInfo | null;
    rootAnnouncement(): { readonly rootKey: PublicKey };
  };
  readonly peers: {
    readonly links: readonly LinkInfo[];
    readonly byPort: readonly (LinkInfo | undefined)[];
  };
  readonly snake: SnekTable;
  readonly now: number;
  readonly options: { readonly neighExpiry: number; readonly headParallelLinkWholeRoot: boolean };
}

/**
 * The inputs router/snake.ts snekNextHop passes for this router's current state, without the
 * router's search caches (the search builds its own for this call: same result, §6.6 is a pure
 * function of these inputs).
 */
export function snekInputsOf(r: DecisionRouter, dest: PublicKey, watermark: Watermark): SnekInputs {
  return {
    boot: false,
    dest,
    self: r.identity.publicKey,
    watermark,
    parent: r.tree.parent,
    rootKey: r.tree.rootAnnouncement().rootKey,
    links: r.peers.links,
    linkByPort: r.peers.byPort,
    entries: [],
    table: r.snake,
    now: r.now,
    neighExpiry: r.options.neighExpiry,
    wholeRoot: r.options.headParallelLinkWholeRoot,
  };
}

const STEP = {
  root: '2a root via parent',
  parentAncestor: '2b parent’s ancestor',
  peerAncestor: '3 peer or its ancestor',
  directPeer: '4 direct peer',
  entry: '5 routing table entry',
  parallel: '6 parallel link',
} as const;

/**
 * §6.6 for traffic (boot = false) at one node, every candidate listed. `names` turns keys and
 * ports into node names (names first; keys stay available in topology.json for the viewer).
 */
export function explainSnekDecision(
  input: SnekInputs,
  names: DecisionNames,
): { readonly decision: HopDecision; readonly next: Watermark } {
  const { boot, dest, self } = input;
  const hex = (k: PublicKey): string => (keysEqual(k, FULL_MASK) ? 'FullMask' : toHex(k));
  const label = (k: PublicKey): string =>
    keysEqual(k, FULL_MASK) ? 'FullMask' : (names.key(k) ?? `${toHex(k).slice(0, 8)}…`);
  const watermark = { key: label(input.watermark.key), seq: input.watermark.seq };
  const actual = nextHopSnek(input, newSnekResult());
  // §6.6 step 7 / §6.7: the frame leaves with (best key, best seq), except on loopback.
  const next: Watermark =
    actual.rule === SnekRule.Loopback ? input.watermark : { key: actual.key, seq: actual.seq };
  const winnerFields = {
    node: actual.rule === SnekRule.Loopback ? (names.key(self) ?? '') : label(actual.key),
    via: actual.port > LOCAL_PORT ? names.port(actual.port) : null,
    rule: RULE_WORDS[actual.rule],
  };
  if (!boot && keysEqual(dest, self)) {
    return { decision: { watermark, candidates: [], winner: winnerFields, agrees: true }, next };
  }
  const out: HopCandidate[] = [];
  let bestKey = self;
  let bestSeq = 0;
  let bestPort = boot ? NO_PORT : LOCAL_PORT;
  let bestLink = null as LinkInfo | null;
  let winnerAt = -1; // index in `out` of the candidate best came from
  const keyed = (k: PublicKey): { node: string | null; key?: string } => {
    const node = names.key(k);
    return node === null ? { node, key: hex(k) } : { node };
  };
  const push = (
    k: PublicKey,
    seq: number,
    link: LinkInfo,
    step: string,
    taken: boolean,
    why: string,
  ): void => {
    if (taken) {
      bestKey = k;
      bestSeq = seq;
      bestPort = link.port;
      bestLink = link;
      winnerAt = out.length;
    }
    out.push({
      ...keyed(k),
      via: names.port(link.port),
      step,
      ...(seq === 0 ? {} : { seq }),
      relation: relation(k, dest),
      outcome: taken ? 'taken' : 'excluded',
      why,
    });
  };
  /** consider(k, q, l) of §6.6 with the reason it did or did not take. */
  const consider = (k: PublicKey, q: number, link: LinkInfo, step: string): void => {
    const best = label(bestKey);
    if (!boot && keysEqual(k, dest) && !keysEqual(bestKey, dest)) {
      push(k, q, link, step, true, 'it is the destination');
    } else if (ordered(dest, k, bestKey)) {
      push(k, q, link, step, true, `closer above the destination than ${best}, the best so far`);
    } else if (compareKeys(k, dest) < 0) {
      push(k, q, link, step, false, 'below the destination: SNEK only heads for keys ≥ it');
    } else if (keysEqual(k, dest)) {
      push(k, q, link, step, false, 'the destination is already the best');
    } else if (keysEqual(k, bestKey)) {
      push(k, q, link, step, false, `the same key as the best so far (${best}), met earlier`);
    } else {
      push(k, q, link, step, false, `not closer than ${best}, the best so far`);
    }
  };
  // Step 2: the parent path.
  const parent = input.parent;
  if (parent?.up) {
    const root = input.rootKey;
    if ((boot && keysEqual(bestKey, dest)) || ordered(self, dest, input.rootKey)) {
      push(root, 0, parent, STEP.root, true, 'the destination lies between us and the root');
    } else {
      push(
        root,
        0,
        parent,
        STEP.root,
        false,
        'the destination does not lie between us and the root',
      );
    }
    for (const h of parent.stored?.announcement.hops ?? [])
      consider(h.signer, 0, parent, STEP.parentAncestor);
  }
  // Step 3. The parent's signers were considered in step 2 and cannot win again (they leave best
  // at or below each of them): not listed twice (router/decisions/snek-next-hop.ts skips them too).
  const skip = parent?.up === true && parent.stored !== null ? parent : null;
  for (const link of input.links) {
    if (!link.up || link.stored === null || link === skip) continue;
    for (const h of link.stored.announcement.hops) consider(h.signer, 0, link, STEP.peerAncestor);
  }
  // Step 4: the direct peering shortcut (the last matching link in port order wins, as in the
  // reference loop).
  for (const link of input.links) {
    if (!link.up || link.stored === null || !keysEqual(link.remoteKey, bestKey)) continue;
    if (bestPort === link.port && winnerAt >= 0 && out[winnerAt]?.step === STEP.directPeer)
      continue;
    push(bestKey, 0, link, STEP.directPeer, true, 'we peer with the best key directly');
  }
  // Step 5: the routing table, entries in ascending key order ([DET] §6.6).
  for (const e of snekTableEntries(input)) {
    const src = input.linkByPort[e.sourcePort];
    const entryLink: LinkInfo = src ?? {
      port: e.sourcePort,
      remoteKey: e.key,
      linkType: 0,
      up: false,
      stored: null,
    };
    const skipWith = (why: string): void =>
      push(e.key, e.watermark.seq, entryLink, STEP.entry, false, why);
    if (src === undefined || !src.up) skipWith('its source link is down');
    else if (input.now - e.lastSeen >= input.neighExpiry) skipWith('expired');
    else if (worse(e.watermark, input.watermark))
      skipWith(`its watermark is worse than the frame’s (${watermark.key}, ${watermark.seq})`);
    else consider(e.key, e.watermark.seq, src, STEP.entry);
  }
  // Step 6: parallel-link refinement.
  const cur = bestLink;
  if (bestPort > LOCAL_PORT && cur !== null && cur.stored !== null) {
    for (const link of input.links) {
      const stored = link.stored;
      if (!link.up || stored === null || link.port === bestPort) continue;
      if (!keysEqual(link.remoteKey, bestKey)) continue;
      const best = bestLink as LinkInfo;
      const bestAnn = (best.stored as NonNullable<LinkInfo['stored']>).announcement;
      if (link.linkType < best.linkType) {
        push(bestKey, bestSeq, link, STEP.parallel, true, 'a parallel link of a preferred type');
      } else if (
        link.linkType === best.linkType &&
        stored.announcement.rootSeq === bestAnn.rootSeq &&
        (!input.wholeRoot || keysEqual(stored.announcement.rootKey, bestAnn.rootKey)) &&
        stored.receiveOrder < (best.stored as NonNullable<LinkInfo['stored']>).receiveOrder
      ) {
        push(
          bestKey,
          bestSeq,
          link,
          STEP.parallel,
          true,
          'a parallel link that heard the root first',
        );
      } else {
        push(bestKey, bestSeq, link, STEP.parallel, false, 'a parallel link, not preferred');
      }
    }
  }
  // Every take but the last was superseded by a later, closer one.
  const candidates = out.map((c, i) =>
    c.outcome === 'taken' && i !== winnerAt
      ? { ...c, outcome: 'superseded' as const, why: `${c.why}; a later candidate was closer` }
      : i === winnerAt
        ? { ...c, outcome: 'winner' as const }
        : c,
  );
  const agrees =
    bestPort === actual.port && keysEqual(bestKey, actual.key) && bestSeq === actual.seq;
  return { decision: { watermark, candidates, winner: winnerFields, agrees }, next };
}

function relation(k: PublicKey, dest: PublicKey): HopCandidate['relation'] {
  const c = compareKeys(k, dest);
  return c === 0 ? 'destination' : c > 0 ? 'above' : 'below';
}

/** The rule that picked the winner, in words (the hop list's reason says the same). */
const RULE_WORDS: Record<SnekRule, string> = {
  [SnekRule.Loopback]: 'loopback: the destination key is ours',
  [SnekRule.None]: 'none closer: deliver here (our key is the closest above the destination)',
  [SnekRule.RootViaParent]: 'climb to the root via the parent (step 2a)',
  [SnekRule.ParentAncestor]: 'an ancestor on the parent’s path (step 2b)',
  [SnekRule.PeerAncestor]: 'a peer or one of its ancestors (step 3)',
  [SnekRule.DirectPeer]: 'the best key is a direct peer (step 4)',
  [SnekRule.TableEntry]: 'a routing table entry (step 5)',
  [SnekRule.ParallelLink]: 'a preferred parallel link (step 6)',
};
