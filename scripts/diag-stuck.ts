/**
 * scripts/diag-stuck.ts — why does a node keep a wrong descending pointer for hundreds of seconds?
 *
 *   node --import tsx scripts/diag-stuck.ts [topology] [seconds,…] [seed]
 *
 * Runs the topology with the `pinelab run` defaults and stops at each listed virtual time. There it
 * (1) checks the router's SNEK next-hop search (decisions/snek-next-hop.ts, with its indexes) against
 * §6.6 written out plainly, for a bootstrap from every node of the network; (2) lists the nodes
 * whose descending pointer is not their predecessor in key order within their connected component;
 * (3) for each, replays what the true predecessor P's next bootstrap would do from the current state
 * (§6.4, §6.5 steps 1, 8, 9), hop by hop: the node, which §6.6 rule chose which key (as a rank
 * above P: +1 is the node that should be reached), and whether that node knows the stuck node X
 * (peer, ancestor of a peer, or valid table entry). A dry run changes nothing. Prints figures,
 * asserts nothing.
 */
import type { LinkInfo } from '../router/decisions/links.ts';
import { NO_PORT } from '../router/decisions/links.ts';
import { type SnekEntryInfo, SnekRule } from '../router/decisions/snek-next-hop.ts';
import { compareKeys, INITIAL_WATERMARK, keysEqual, worse } from '../router/keys.ts';
import type { Router } from '../router/router.ts';
import { snekNextHop } from '../router/snake.ts';
import type { Micros, PublicKey, Watermark } from '../router/types.ts';
import { MICROS_PER_SECOND } from '../router/types.ts';
import { keyOrder, openRun } from './diag-common.ts';

const topology = process.argv[2] ?? 'ba:2000,m=2';
const times = (process.argv[3] ?? '60')
  .split(',')
  .map((t) => Math.round(Number(t) * MICROS_PER_SECOND));
const seed = process.argv[4] ?? '1';
const last = times[times.length - 1] as Micros;
const RULE = Object.fromEntries(Object.entries(SnekRule).map(([k, v]) => [v, k]));

const run = openRun(topology, seed, last);
const { sim, host, n, routers, nodeOf } = run;

/** §6.6 as written: every candidate in order, no indexes, no early exits. */
function plainNextHop(r: Router, boot: boolean, dest: PublicKey, wm: Watermark) {
  const self = r.identity.publicKey;
  let bestKey = self;
  let bestSeq = 0;
  let bestLink: LinkInfo | null = null;
  let rule: number = SnekRule.None;
  const take = (k: PublicKey, q: number, l: LinkInfo, ru: number): void => {
    bestKey = k;
    bestSeq = q;
    bestLink = l;
    rule = ru;
  };
  const consider = (k: PublicKey, q: number, l: LinkInfo, ru: number): void => {
    if (
      (!boot && keysEqual(k, dest) && !keysEqual(bestKey, dest)) ||
      (compareKeys(dest, k) < 0 && compareKeys(k, bestKey) < 0)
    )
      take(k, q, l, ru);
  };
  const parent = r.tree.parent as LinkInfo | null;
  const links = r.peers.links as readonly LinkInfo[];
  const rootKey = r.tree.rootAnnouncement().rootKey;
  if (parent?.up) {
    if (
      (boot && keysEqual(bestKey, dest)) ||
      (compareKeys(self, dest) < 0 && compareKeys(dest, rootKey) < 0)
    )
      take(rootKey, 0, parent, SnekRule.RootViaParent);
    for (const h of parent.stored?.announcement.hops ?? [])
      consider(h.signer, 0, parent, SnekRule.ParentAncestor);
  }
  for (const l of links) {
    if (!l.up || l.stored === null) continue;
    for (const h of l.stored.announcement.hops) consider(h.signer, 0, l, SnekRule.PeerAncestor);
  }
  for (const l of links)
    if (l.up && l.stored !== null && keysEqual(l.remoteKey, bestKey))
      take(bestKey, 0, l, SnekRule.DirectPeer);
  const entries: SnekEntryInfo[] = r.snake.entries; // ascending key order
  for (const e of entries) {
    const src = r.peers.byPort[e.sourcePort] as LinkInfo | undefined;
    if (src === undefined || !src.up) continue;
    if (r.now - e.lastSeen >= r.options.neighExpiry) continue;
    if (worse(e.watermark, wm)) continue;
    consider(e.key, e.watermark.seq, src, SnekRule.TableEntry);
  }
  const bl = bestLink as LinkInfo | null;
  if (bl?.stored) {
    for (const l of links) {
      if (!l.up || l.stored === null || l.port === bl.port || !keysEqual(l.remoteKey, bestKey))
        continue;
      const cur = bestLink as unknown as LinkInfo;
      const curAnn = (cur.stored as NonNullable<LinkInfo['stored']>).announcement;
      if (l.linkType < cur.linkType) take(bestKey, bestSeq, l, SnekRule.ParallelLink);
      else if (
        l.linkType === cur.linkType &&
        l.stored.announcement.rootSeq === curAnn.rootSeq &&
        l.stored.receiveOrder < (cur.stored as NonNullable<LinkInfo['stored']>).receiveOrder
      )
        take(bestKey, bestSeq, l, SnekRule.ParallelLink);
    }
  }
  const port = bestLink === null ? (boot ? NO_PORT : 0) : (bestLink as LinkInfo).port;
  return { port, key: bestKey, seq: bestSeq, rule };
}

function knows(v: number, x: PublicKey): string {
  const r = routers[v] as Router;
  const how: string[] = [];
  for (const l of r.peers.links) {
    if (!l.up) continue;
    if (keysEqual(l.remoteKey, x)) how.push('peer');
    else if (l.stored?.announcement.hops.some((h) => keysEqual(h.signer, x)))
      how.push(`anc@${l.port}`);
  }
  const e = r.snake.get(x);
  if (e !== null) how.push(r.now - e.lastSeen < r.options.neighExpiry ? 'entry' : 'expired-entry');
  return how.join(',') || '-';
}

function report(at: Micros): void {
  for (const r of routers) r.now = at;
  // (1) the search against the plain rules, for a bootstrap from every node at its origin.
  let mismatches = 0;
  for (let i = 0; i < n; i++) {
    const r = routers[i] as Router;
    const a = snekNextHop(r, true, r.identity.publicKey, INITIAL_WATERMARK);
    const b = plainNextHop(r, true, r.identity.publicKey, INITIAL_WATERMARK);
    if (a.port !== b.port || !keysEqual(a.key, b.key) || a.seq !== b.seq) {
      if (mismatches++ < 5)
        console.log(
          `MISMATCH at origin ${host.nameAt(i)}: got ${a.port}/${a.rule}, plain ${b.port}/${b.rule}`,
        );
    }
  }
  const { components, rank, pred } = keyOrder(run);
  const wrong: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const want = pred[i] as number;
    const d = routers[i]?.snake.descending ?? null;
    const has = d === null ? -1 : (nodeOf(d.key) ?? -2);
    if (has !== want) wrong.push([i, want]);
  }
  console.log(
    `\n=== t=${at / MICROS_PER_SECOND}s: ${components} components, ${wrong.length} wrong, ${mismatches} search mismatches at origins`,
  );
  let hopMismatches = 0;
  for (const [x, p] of wrong.slice(0, 40)) {
    const d = routers[x]?.snake.descending ?? null;
    const has =
      d === null
        ? 'none'
        : `${(rank[x] as number) - (rank[nodeOf(d.key) as number] as number)} down`;
    console.log(
      `\n${host.nameAt(x)} rank ${rank[x]} deg ${routers[x]?.peers.links.length} depth ${routers[x]?.tree.coords().length} has ${has}; P=${p < 0 ? '-' : host.nameAt(p)} deg ${p < 0 ? 0 : routers[p]?.peers.links.length}`,
    );
    if (p < 0) continue;
    const xKey = host.keyAt(x);
    const pKey = host.keyAt(p);
    const rel = (k: PublicKey): string => {
      const v = nodeOf(k);
      if (v === undefined) return '?';
      return `${host.nameAt(v)}(${(rank[v] as number) - (rank[p] as number) >= 0 ? '+' : ''}${(rank[v] as number) - (rank[p] as number)})`;
    };
    // (3) P's next bootstrap, dry run.
    let v = p;
    let wm: Watermark = INITIAL_WATERMARK;
    let from = -1;
    const path: string[] = [];
    for (let hop = 0; hop < 200; hop++) {
      const r = routers[v] as Router;
      const res = snekNextHop(r, true, pKey, wm);
      const got = { port: res.port, key: res.key, seq: res.seq, rule: res.rule };
      const plain = plainNextHop(r, true, pKey, wm);
      if (plain.port !== got.port || !keysEqual(plain.key, got.key)) hopMismatches++;
      const arrivalPort =
        from < 0 ? -9 : r.peers.links.find((l) => host.peerAt(v, l.port) === from)?.port;
      const k = knows(v, xKey);
      // Links offering the chosen key as an ancestor: where the reference's Go map order picks
      // at random among them (§6.6 [QUIRK]/[DET]) and we take the lowest port.
      const ties = r.peers.links.filter(
        (l) => l.up && l.stored?.announcement.hops.some((h) => keysEqual(h.signer, got.key)),
      ).length;
      const tie = ties > 1 && got.rule === SnekRule.PeerAncestor ? ` ×${ties}` : '';
      const step = `${host.nameAt(v)}[${k}] ${RULE[got.rule]}→${rel(got.key)}${tie}`;
      if (got.port === NO_PORT) {
        path.push(`${step} ARRIVED`);
        break;
      }
      if (got.port === arrivalPort) {
        path.push(`${step} DROP(arrival link)`);
        break;
      }
      const nwm = { key: got.key, seq: got.seq };
      if (from >= 0 && worse(nwm, wm)) {
        path.push(`${step} DROP(watermark ${rel(wm.key)})`);
        break;
      }
      path.push(step);
      wm = nwm;
      from = v;
      v = host.peerAt(v, got.port);
    }
    console.log(`  P's bootstrap: ${path.join('\n    ')}`);
    // Where X's own bootstrap goes (lays X's entries), and who knows X.
    const xr = routers[x] as Router;
    const xres = snekNextHop(xr, true, xKey, INITIAL_WATERMARK);
    console.log(
      `  X's own bootstrap starts ${RULE[xres.rule]}→${rel(xres.key)}; X's peers: ${xr.peers.links.map((l) => rel(l.remoteKey)).join(' ')}`,
    );
  }
  console.log(`hop mismatches on the replayed paths: ${hopMismatches}`);
}

for (const t of times) host.at(t, () => report(t));
while (!sim.advance(1 << 20)) {}
