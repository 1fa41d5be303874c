/**
 * test/conformance/tree.test.ts — PROTOCOL.md §10 checklist items 13–25 (spanning tree), real
 * routers in the simulator host (test/conformance/net.ts).
 *
 * Seeds are 32 repeated bytes. Key order of the seeds used here (ascending, first 4 hex digits):
 * 12:0b51 14:0bee 8:1398 27:1e2a 18:2040 5:6e7a 2:8139 6:8a87 1:8a88 4:ca93 29:e8da 7:ea4a
 * 3:ed49 39:ee45 9:fd17.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import seedrandom from 'seedrandom';
import {
  FrameType,
  type Port,
  type RootAnnouncement,
  type TrafficFrame,
  type TreeAnnouncementFrame,
} from '../../router/types.ts';
import { announcementCoords, signAnnouncement } from '../../router/wire/announcement.ts';
import { keepaliveFrame } from '../../router/wire/frame.ts';
import {
  ConfNet,
  crypto,
  hex,
  hex8,
  MS,
  payloadOf,
  randomGraph,
  S,
  seeds,
  type TxRecord,
  treeDistance,
} from './net.ts';

function announcement(r: TxRecord): RootAnnouncement {
  assert.equal(r.frame.type, FrameType.TreeAnnouncement);
  return (r.frame as TreeAnnouncementFrame).announcement;
}

/** A validly signed announcement: root `root` (seq), then one hop per [signer name, port]. */
function signedChain(
  net: ConfNet,
  root: string,
  seq: number,
  hops: readonly (readonly [string, Port])[],
): TreeAnnouncementFrame {
  let ann: RootAnnouncement = { rootKey: net.key(root), rootSeq: seq, hops: [] };
  for (const [signer, port] of hops)
    ann = signAnnouncement(ann, port, net.identity(signer), crypto);
  return { type: FrameType.TreeAnnouncement, extra: 0, hopLimit: 0, announcement: ann };
}

test('checklist 13: a node with no peers is root with coordinates [] and sequence 1', () => {
  const net = new ConfNet({ nodes: [{ name: 'a', seed: 1 }] });
  net.run(1);
  const v = net.view('a');
  assert.equal(hex(v.rootKey), hex(net.key('a')));
  assert.deepEqual(v.coords, []);
  assert.equal(v.rootSeq, 1);
  assert.equal(v.parentPort, null);
  net.run(10 * S);
  assert.equal(net.view('a').rootSeq, 1, 'no peers: no further sequence change before 30 min');
  assert.equal(net.tx.length, 0, 'nothing to send to');
});

for (const head of [false, true]) {
  test(`checklist 14: two roots joined — ${head ? '[HEAD] 3 announcements, no hold-down' : 'reference: 7 announcements, agreement after the 1 s hold-down'}`, () => {
    const L = 5 * MS;
    const net = new ConfNet({
      nodes: [
        { name: 'k1', seed: 1 }, // 8a88…: the greater key
        { name: 'k2', seed: 2 }, // 8139…
      ],
      latency: L,
      options: { headSkipFirstInform: head },
    });
    net.run(1 * S);
    assert.equal(hex(net.view('k2').rootKey), hex(net.key('k2')), 'k2 is its own root before');
    const t0 = net.now;
    assert.equal(net.host.addLink('k1', 'k2'), true);
    let agreedAt = -1;
    let everWaiting = false;
    for (let t = t0; t <= t0 + 4 * S; t += MS) {
      net.run(t);
      const agreed = hex(net.view('k2').rootKey) === hex(net.key('k1'));
      if (net.router('k2').tree.waiting) everWaiting = true;
      if (agreed && agreedAt < 0) agreedAt = t;
      if (!agreed) agreedAt = -1;
    }
    const received = net.rxOf(FrameType.TreeAnnouncement).filter((r) => r.at >= t0);
    assert.equal(received.length, head ? 3 : 7, 'announcements received in total');
    const v1 = net.view('k1');
    const v2 = net.view('k2');
    assert.equal(v1.parentPort, null, 'the greater key stays root');
    assert.deepEqual(v1.coords, []);
    assert.deepEqual(v2.coords, [net.port('k1', 'k2')], 'the other gets [root’s port]');
    assert.equal(v2.parentKey && hex(v2.parentKey), hex(net.key('k1')));
    if (head) {
      assert.equal(everWaiting, false, 'no hold-down');
      assert.ok(agreedAt - t0 <= 2 * L, `agreement after ${agreedAt - t0} µs, one exchange`);
    } else {
      assert.equal(everWaiting, true, 'k2 went through the hold-down');
      // Agreement comes with the reselection exactly 1 s after the hold-down started (§5.7).
      assert.ok(agreedAt - t0 >= 1 * S, `agreement after ${agreedAt - t0} µs`);
      assert.ok(agreedAt - t0 <= 1 * S + 4 * L, `agreement after ${agreedAt - t0} µs`);
    }
  });
}

test('checklist 15: a same-root announcement with a lower sequence on the same link drops the link', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'a', seed: 1 },
      { name: 'b', seed: 2 },
    ],
    edges: [['a', 'b']],
  });
  net.run(5 * S);
  const first = net.txOf(FrameType.TreeAnnouncement, 'a')[0] as TxRecord;
  assert.equal(announcement(first).rootSeq, 1);
  // The root refreshes its sequence at 30 min (§5.3.1): b then stores sequence 2 on that link.
  net.run(30 * 60 * S + 1 * S);
  assert.equal(net.view('b').rootSeq, 2);
  assert.equal(net.closed.length, 0);
  // The same sequence again is no replay (it is "same root, same sequence" news: hold-down).
  const current = net.txOf(FrameType.TreeAnnouncement, 'a').at(-1) as TxRecord;
  net.inject('b', net.port('b', 'a'), current.frame);
  assert.equal(net.closed.length, 0, 'an equal sequence does not drop the link');
  net.runFor(2 * S);
  net.inject('b', net.port('b', 'a'), first.frame);
  assert.deepEqual(
    net.closed.map((c) => [c.node, c.peer, c.reason]),
    [['b', 'a', 'announcement-replay']],
  );
  net.runFor(1 * S);
  assert.equal(net.view('a').peers.length, 0, 'the far end lost the link too');
  assert.equal(net.view('b').peers.length, 0);
});

test('checklist 16: a non-parent announcing a stronger root becomes parent at once; announce to all', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'x', seed: 5 }, // 6e7a
      { name: 'p', seed: 1 }, // 8a88: x's root and parent
      { name: 'q', seed: 2 }, // 8139
      { name: 's', seed: 9 }, // fd17: q's root, the strongest
    ],
    edges: [
      ['x', 'p'],
      ['q', 's'],
    ],
  });
  net.run(3 * S);
  assert.equal(hex(net.view('x').rootKey), hex(net.key('p')));
  const parentAfter: [number, number | null][] = [];
  net.watcher = (node, what, router) => {
    if (node === 'x' && what === 'receive')
      parentAfter.push([net.now, router.snapshot().parentPort]);
  };
  net.host.addLink('x', 'q');
  net.runFor(100 * MS);
  const fromQ = net
    .rxOf(FrameType.TreeAnnouncement, 'x')
    .find((r) => r.peer === 'q' && hex(announcement(r as TxRecord).rootKey) === hex(net.key('s')));
  assert.ok(fromQ !== undefined);
  const t = fromQ.at;
  const portQ = net.port('x', 'q');
  const portP = net.port('x', 'p');
  assert.equal(parentAfter.find(([at]) => at === t)?.[1], portQ, 'parent = q right after receipt');
  const sent = net.tx.filter((r) => r.node === 'x' && r.at === t);
  assert.deepEqual(
    sent.map((r) => [r.frame.type, r.port]).sort((a, b) => (a[1] as number) - (b[1] as number)),
    [
      [FrameType.TreeAnnouncement, portP],
      [FrameType.TreeAnnouncement, portQ],
    ],
    'announced to every link, the new parent included',
  );
  for (const r of sent) {
    const a = announcement(r);
    assert.equal(hex(a.rootKey), hex(net.key('s')));
    assert.deepEqual(announcementCoords(a), [net.port('s', 'q'), net.port('q', 'x'), r.port]);
  }
});

test('checklist 17: a non-parent announcing a weaker root gets our announcement, on that link only', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'r', seed: 9 }, // fd17
      { name: 'x', seed: 2 }, // 8139
      { name: 'w', seed: 12 }, // 0b51: a lone, weak root
      { name: 'c', seed: 5 }, // x's child
    ],
    edges: [
      ['r', 'x'],
      ['x', 'c'],
    ],
  });
  net.run(3 * S);
  net.host.addLink('x', 'w');
  net.runFor(100 * MS);
  const fromW = net.rxOf(FrameType.TreeAnnouncement, 'x').find((r) => r.peer === 'w');
  assert.ok(fromW !== undefined);
  assert.equal(hex(announcement(fromW as TxRecord).rootKey), hex(net.key('w')), 'weaker root');
  const sent = net.tx.filter((r) => r.node === 'x' && r.at === fromW.at);
  assert.equal(sent.length, 1, 'exactly one frame in reaction');
  const only = sent[0] as TxRecord;
  assert.equal(only.peer, 'w');
  const a = announcement(only);
  assert.equal(hex(a.rootKey), hex(net.key('r')));
  assert.equal(a.rootSeq, net.view('x').rootSeq);
  const last = a.hops.at(-1);
  assert.equal(last?.port, net.port('x', 'w'));
  assert.equal(last && hex(last.signer), hex(net.key('x')));
  assert.equal(net.view('x').parentKey && hex8(net.view('x').parentKey), hex8(net.key('r')));
});

/** Line r–p–x (r > p > x) converged; returns the net and x's port to p. */
function lineRPX(): { net: ConfNet; toP: Port } {
  const net = new ConfNet({
    nodes: [
      { name: 'r', seed: 9 }, // fd17
      { name: 'p', seed: 3 }, // ed49
      { name: 'x', seed: 1 }, // 8a88
    ],
    edges: [
      ['r', 'p'],
      ['p', 'x'],
    ],
  });
  net.run(10 * S);
  assert.equal(hex(net.view('x').rootKey), hex(net.key('r')));
  return { net, toP: net.port('x', 'p') };
}

/**
 * The hold-down of §5.4 from the bad-news instant `t`: x is root with sequence + 1 and has
 * announced that to all; announcements are stored but ignored until exactly t + 1 s; then x
 * reselects p.
 */
function checkHoldDown(net: ConfNet, t: number, seqBefore: number, expectRoot: string): void {
  const x = net.router('x');
  const v = x.snapshot();
  assert.equal(v.parentPort, null, 'became root');
  assert.equal(hex(v.rootKey), hex(net.key('x')));
  assert.equal(v.rootSeq, seqBefore + 1, 'sequence + 1');
  assert.equal(x.tree.waiting, true, 'hold-down');
  const sent = net.tx.filter((r) => r.node === 'x' && r.at === t && r.frame.type === 1);
  assert.deepEqual(
    sent.map((r) => [r.frame.type, r.peer]),
    [[FrameType.TreeAnnouncement, 'p']],
    'announced its own root to all (one link)',
  );
  assert.equal(announcement(sent[0] as TxRecord).rootSeq, seqBefore + 1);
  // Half-way through: p's announcement (re-sent) is stored, yet nothing happens.
  net.run(t + S / 2);
  const fromP = net.tx.filter((r) => r.node === 'p' && r.peer === 'x' && r.frame.type === 1).at(-1);
  assert.ok(fromP !== undefined);
  const txBefore = net.txOf(FrameType.TreeAnnouncement, 'x').length;
  net.inject('x', net.port('x', 'p'), fromP.frame);
  const stored = x.debugAnnouncements().find((a) => a.port === net.port('x', 'p'));
  assert.equal(stored?.receiveTime, t + S / 2, 'stored during the hold-down');
  assert.equal(net.txOf(FrameType.TreeAnnouncement, 'x').length, txBefore, 'but ignored');
  net.run(t + S - 1);
  assert.equal(x.snapshot().parentPort, null, 'still root 1 µs before the end');
  assert.equal(x.tree.waiting, true);
  net.run(t + S);
  assert.equal(x.tree.waiting, false);
  assert.equal(x.snapshot().parentPort, net.port('x', 'p'), 'reselected exactly 1 s later');
  assert.equal(hex(x.snapshot().rootKey), hex(net.key(expectRoot)));
}

test('checklist 18: the parent announces a weaker root → root, seq + 1, 1 s hold-down, reselect', () => {
  const { net } = lineRPX();
  const seqBefore = net.router('x').tree.sequence;
  net.host.removeLink('r', 'p'); // p becomes root (weaker than r) and tells x
  let t = -1;
  net.watcher = (node, what, router) => {
    if (node === 'x' && what === 'receive' && t < 0 && router.tree.waiting) t = net.now;
  };
  net.runFor(20 * MS);
  net.watcher = null;
  const bad = net.rxOf(FrameType.TreeAnnouncement, 'x').find((r) => r.at === t);
  assert.ok(bad !== undefined);
  assert.equal(hex(announcement(bad as TxRecord).rootKey), hex(net.key('p')), 'weaker root');
  net.run(t);
  checkHoldDown(net, t, seqBefore, 'p');
});

test('checklist 18: the parent repeats the same root and sequence → hold-down and reselect', () => {
  const { net, toP } = lineRPX();
  const seqBefore = net.router('x').tree.sequence;
  const last = net.tx.filter((r) => r.node === 'p' && r.peer === 'x' && r.frame.type === 1).at(-1);
  assert.ok(last !== undefined);
  const t = net.now;
  net.inject('x', toP, last.frame);
  checkHoldDown(net, t, seqBefore, 'r');
});

test('checklist 18: the parent sends a path containing the node → hold-down and reselect', () => {
  const { net, toP } = lineRPX();
  const seqBefore = net.router('x').tree.sequence;
  const seq = net.view('x').rootSeq;
  const looped = signedChain(net, 'r', seq, [
    ['r', net.port('r', 'p')],
    ['x', toP],
    ['p', net.port('p', 'x')],
  ]);
  const t = net.now;
  net.inject('x', toP, looped);
  assert.equal(net.closed.length, 0, 'a loop is not a sanity failure');
  checkHoldDown(net, t, seqBefore, 'r');
});

/** x (the smallest key) with lone peers whose own announcements never reach x. */
function quietStar(peers: readonly [string, number][]): ConfNet {
  const net = new ConfNet({
    nodes: [{ name: 'x', seed: 12 }, ...peers.map(([name, seed]) => ({ name, seed }))],
    edges: peers.map(([name]) => ['x', name] as const),
  });
  // Only injected announcements are stored at x: the peers' own ones become keepalives on the
  // way (a lost frame would leave a silent gap that the 5 s read deadline punishes, §4.3).
  net.tap = (node, _port, frame) =>
    node !== 'x' && frame.type === FrameType.TreeAnnouncement ? keepaliveFrame() : frame;
  return net;
}

test('checklist 19: parent selection: strongest root, then highest sequence, then earliest receive order; skips own key', () => {
  const net = quietStar([
    ['a', 14],
    ['b', 8],
    ['c', 27],
    ['d', 18],
  ]);
  net.defineIdentity('r1', 3);
  net.defineIdentity('r2', 39);
  net.defineIdentity('r3', 9);
  net.run(1 * S);
  const port = (p: string) => net.port('x', p);
  const ann = (root: string, seq: number, via: string) =>
    signedChain(net, root, seq, [
      [root, 1],
      [via, net.port(via, 'x')],
    ]);
  const parent = () => net.view('x').parentKey && net.nameOfKey(net.view('x').parentKey);
  // r1 = seed 3 (ed49) < r2 = seed 39 (ee45) < r3 = seed 9 (fd17).
  net.inject('x', port('d'), ann('r1', 9, 'd'));
  assert.equal(parent(), 'd');
  net.runFor(100 * MS);
  net.inject('x', port('a'), ann('r2', 3, 'a'));
  assert.equal(parent(), 'a', 'stronger root key wins over a higher sequence');
  net.runFor(100 * MS);
  net.inject('x', port('b'), ann('r2', 4, 'b'));
  assert.equal(parent(), 'b', 'same root, higher sequence');
  net.runFor(100 * MS);
  net.inject('x', port('c'), ann('r2', 4, 'c'));
  assert.equal(parent(), 'b', 'same root and sequence: the earlier announcement keeps it');
  net.runFor(100 * MS);
  // d now offers the strongest root, but through x itself: never a candidate (§5.6 2.2).
  net.inject(
    'x',
    port('d'),
    signedChain(net, 'r3', 1, [
      ['r3', 1],
      ['x', 7],
      ['d', net.port('d', 'x')],
    ]),
  );
  assert.equal(parent(), 'b');
  net.runFor(100 * MS);
  // Re-sent by the parent: same root and sequence → hold-down, then selection from scratch.
  // b's copy is now the latest received, so c (same root and sequence, received earlier) wins.
  const t = net.now;
  net.inject('x', port('b'), ann('r2', 4, 'b'));
  assert.equal(parent(), null);
  net.run(t + S);
  assert.equal(parent(), 'c');
  assert.equal(hex(net.view('x').rootKey), hex(net.key('r2')));
});

test('checklist 19: parent selection skips announcements 45 min old or older', () => {
  const net = quietStar([
    ['a', 14],
    ['b', 8],
  ]);
  net.defineIdentity('r2', 39);
  net.run(1 * S);
  const t0 = net.now;
  const ann = (via: string) =>
    signedChain(net, 'r2', 1, [
      ['r2', 1],
      [via, net.port(via, 'x')],
    ]);
  const parent = () => net.nameOfKey(net.view('x').parentKey);
  net.inject('x', net.port('x', 'a'), ann('a'));
  net.runFor(10 * MS);
  net.inject('x', net.port('x', 'b'), ann('b'));
  assert.equal(parent(), 'a');
  // b re-announces (same root and sequence from a non-parent → selection) while a's is fresh...
  net.run(t0 + 45 * 60 * S - 1);
  net.inject('x', net.port('x', 'b'), ann('b'));
  assert.equal(parent(), 'a', 'a (earlier receive order) still wins at 45 min − 1 µs');
  // ...and once a's announcement is exactly 45 min old it is skipped.
  net.run(t0 + 45 * 60 * S);
  net.inject('x', net.port('x', 'b'), ann('b'));
  assert.equal(parent(), 'b');
});

test('checklist 20: parent link lost while another peer offers the same root → switch parent, no root flap, bootstrap at the next tick', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'r', seed: 9 }, // fd17
      { name: 'x', seed: 1 }, // 8a88
      { name: 'y', seed: 4 }, // ca93
    ],
    edges: [
      ['r', 'x'],
      ['r', 'y'],
      ['x', 'y'],
    ],
  });
  net.run(12 * S);
  const x = net.router('x');
  assert.equal(net.nameOfKey(x.snapshot().parentKey), 'r');
  const lastBoot = (net.bootstrapsFrom('x').at(-1) as TxRecord).at;
  assert.equal(lastBoot % S, 0, 'bootstraps leave on the 1 s ticks');
  const cut = lastBoot + 1.5 * S;
  net.run(cut);
  const seqBefore = x.tree.sequence;
  const rootSeq = x.snapshot().rootSeq;
  const parents: (string | null)[] = [];
  net.watcher = (node, _what, router) => {
    if (node === 'x') parents.push(net.nameOfKey(router.snapshot().parentKey));
  };
  net.host.removeLink('r', 'x');
  const v = x.snapshot();
  assert.equal(net.nameOfKey(v.parentKey), 'y', 'switched to y at once');
  assert.equal(hex(v.rootKey), hex(net.key('r')));
  assert.equal(v.rootSeq, rootSeq);
  assert.equal(x.tree.sequence, seqBefore, 'never became root (its sequence did not move)');
  const announced = net.tx.filter((r) => r.node === 'x' && r.at === cut && r.frame.type === 1);
  assert.deepEqual(
    announced.map((r) => r.peer),
    ['y'],
    'announced the new path to all links',
  );
  net.run(cut + 2 * S);
  net.watcher = null;
  assert.ok(
    parents.every((p) => p === 'y'),
    'no parentless moment',
  );
  const next = net.bootstrapsFrom('x').filter((r) => r.at > cut);
  assert.equal(next[0]?.at, lastBoot + 2 * S, 'bootstrap at the first tick after the switch');
  assert.equal(next[0]?.peer, 'y');
});

test('checklist 21: root refresh every 30 min; every node gets the new sequence; parent changes only where a non-parent delivered it first', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'r', seed: 9 },
      { name: 'a', seed: 3 },
      { name: 'b', seed: 7 },
      { name: 'x', seed: 1 },
      { name: 'c', seed: 4 },
      { name: 'd', seed: 5 },
    ],
    edges: [
      ['r', 'a', 1 * MS],
      ['r', 'b', 1 * MS],
      ['a', 'x', 1 * MS],
      ['b', 'x', 5 * MS],
      ['x', 'c', 1 * MS],
      ['c', 'd', 1 * MS],
      ['a', 'c', 8 * MS],
    ],
  });
  const names = ['a', 'b', 'x', 'c', 'd'];
  net.run(29 * 60 * S);
  assert.equal(net.view('r').rootSeq, 1);
  for (const n of names) assert.equal(net.view(n).rootSeq, 1, `${n} before the refresh`);
  const parentBefore = new Map(names.map((n) => [n, net.view(n).parentPort]));
  const ownSeq = new Map(names.map((n) => [n, net.router(n).tree.sequence]));
  // Slow x's parent link: the new sequence now reaches x first through b (a non-parent).
  assert.equal(net.nameOfKey(net.view('x').parentKey), 'a');
  net.host.setLink('a', 'x', { latency: 10 * MS });
  net.clearRecords();
  net.run(30 * 60 * S + 1 * S);
  const refresh = net.txOf(FrameType.TreeAnnouncement, 'r');
  assert.ok(refresh.length > 0);
  assert.ok(refresh.every((r) => r.at === 30 * 60 * S && announcement(r).rootSeq === 2));
  assert.equal(net.view('r').rootSeq, 2);
  let switched = 0;
  for (const n of names) {
    const v = net.view(n);
    assert.equal(v.rootSeq, 2, `${n} reports the new sequence`);
    assert.equal(net.router(n).tree.sequence, ownSeq.get(n), `${n}: only the root counts`);
    const own = hex(net.key(n));
    const first = net.rxOf(FrameType.TreeAnnouncement, n).find((r) => {
      const a = (r.frame as TreeAnnouncementFrame).announcement;
      return a.rootSeq === 2 && !a.hops.some((h) => hex(h.signer) === own);
    });
    assert.ok(first !== undefined, `${n} heard the new sequence`);
    assert.equal(v.parentPort, first.port, `${n}: parent = the first link that delivered it`);
    if (first.port !== parentBefore.get(n)) switched++;
  }
  assert.equal(switched, 1, 'exactly x changed parent');
  assert.equal(net.nameOfKey(net.view('x').parentKey), 'b');
});

function diameter(
  nodes: readonly string[],
  edges: readonly (readonly [string, string, ...unknown[]])[],
): number {
  const adj = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const [a, b] of edges) {
    adj.get(a)?.push(b);
    adj.get(b)?.push(a);
  }
  let best = 0;
  for (const s of nodes) {
    const dist = new Map<string, number>([[s, 0]]);
    const queue = [s];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i] as string;
      for (const w of adj.get(u) ?? []) {
        if (!dist.has(w)) {
          dist.set(w, (dist.get(u) as number) + 1);
          queue.push(w);
        }
      }
    }
    assert.equal(dist.size, nodes.length, 'connected');
    for (const d of dist.values()) best = Math.max(best, d);
  }
  return best;
}

test('checklist 22: random graph: the greatest key is root everywhere; after removing it all agree on the next within 5 s + 2 × diameter × latency', () => {
  const specs = seeds(30, 1, 0x5a);
  const net0 = specs.map((s) => s.name);
  const random = seedrandom('checklist-22');
  // Identify the root first, then build the graph so that it stays connected without the root.
  const keyed = new ConfNet({ nodes: specs });
  const sorted = keyed.sortedByKey();
  const root = sorted.at(-1) as string;
  const next = sorted.at(-2) as string;
  const others = net0.filter((n) => n !== root);
  const edges: [string, string, number][] = randomGraph(others, 12, random).map(([a, b]) => [
    a,
    b,
    (1 + Math.floor(random() * 10)) * MS,
  ]);
  for (let i = 0; i < 3; i++) {
    edges.push([root, others[Math.floor(random() * others.length)] as string, 5 * MS]);
  }
  const maxLatency = Math.max(...edges.map((e) => e[2]));
  const net = new ConfNet({ nodes: specs, edges });
  net.run(20 * S);
  for (const n of net0) assert.equal(hex8(net.view(n).rootKey), hex8(net.key(root)), `${n} root`);
  const removedAt = net.now;
  net.host.removeNode(root);
  const bound =
    5 * S +
    2 *
      diameter(
        others,
        edges.filter((e) => e[0] !== root && e[1] !== root),
      ) *
      maxLatency;
  let agreedAt = -1;
  for (let t = removedAt; t <= removedAt + bound + 5 * S; t += 10 * MS) {
    net.run(t);
    const all = others.every((n) => hex(net.view(n).rootKey) === hex(net.key(next)));
    if (all && agreedAt < 0) agreedAt = t;
    if (!all) agreedAt = -1;
  }
  assert.ok(agreedAt >= 0, 'agreement reached and kept');
  const took = agreedAt - removedAt;
  assert.ok(took <= bound, `agreement after ${took / MS} ms, bound ${bound / MS} ms`);
  process.stdout.write(`# checklist 22: 29 nodes agreed ${took / MS} ms after root removal\n`);
});

test('checklist 23: six-node golden line', () => {
  const net = new ConfNet({
    nodes: [1, 2, 3, 4, 5, 6].map((s) => ({ name: `seed${s}`, seed: s })),
    edges: [
      ['seed1', 'seed2'],
      ['seed2', 'seed3'],
      ['seed3', 'seed4'],
      ['seed4', 'seed5'],
      ['seed5', 'seed6'],
    ],
  });
  net.run(15 * S);
  const expectedCoords: Record<string, number[]> = {
    seed1: [1, 1],
    seed2: [1],
    seed3: [],
    seed4: [2],
    seed5: [2, 2],
    seed6: [2, 2, 2],
  };
  const expectedDescending: Record<string, string | null> = {
    seed3: 'seed4',
    seed4: 'seed1',
    seed1: 'seed6',
    seed6: 'seed2',
    seed2: 'seed5',
    seed5: null,
  };
  assert.equal(hex8(net.key('seed3')), 'ed4928c6');
  const prefixes = ['seed3', 'seed4', 'seed1', 'seed6', 'seed2', 'seed5'].map((n) =>
    hex(net.key(n)).slice(0, 4),
  );
  assert.deepEqual(prefixes, ['ed49', 'ca93', '8a88', '8a87', '8139', '6e7a']);
  for (const [name, coords] of Object.entries(expectedCoords)) {
    const v = net.view(name);
    assert.equal(hex(v.rootKey), hex(net.key('seed3')), `${name} root`);
    assert.deepEqual(v.coords, coords, `${name} coordinates`);
    assert.equal(net.nameOfKey(v.descendingKey), expectedDescending[name], `${name} descending`);
  }
});

test('checklist 24: coordinates are the hop ports of the parent’s announcement; PeerCoords equal the peer’s coordinates', () => {
  const specs = seeds(15, 2, 0x5a);
  const edges = randomGraph(
    specs.map((s) => s.name),
    8,
    seedrandom('checklist-24'),
  );
  const net = new ConfNet({ nodes: specs, edges });
  net.run(15 * S);
  let peerChecks = 0;
  for (const { name } of specs) {
    const v = net.view(name);
    const anns = net.router(name).debugAnnouncements();
    for (const a of anns) {
      const peer = net.nameOfKey(a.remoteKey) as string;
      assert.deepEqual(a.peerCoords, net.view(peer).coords, `${name}: PeerCoords of ${peer}`);
      peerChecks++;
    }
    if (v.parentPort === null) {
      assert.deepEqual(v.coords, []);
      continue;
    }
    const fromParent = anns.find((a) => a.port === v.parentPort);
    assert.ok(fromParent !== undefined);
    assert.deepEqual(
      v.coords,
      fromParent.announcement.hops.map((h) => h.port),
      `${name}: coordinates = hop ports of the parent's announcement`,
    );
    const parentName = net.nameOfKey(v.parentKey) as string;
    assert.deepEqual(v.coords, [...net.view(parentName).coords, net.port(parentName, name)]);
  }
  assert.equal(peerChecks, 2 * edges.length, 'every link seen from both ends');
});

/** Star r (root) with a, b, c and a cross link a–b; converged. */
function star(): ConfNet {
  const net = new ConfNet({
    nodes: [
      { name: 'r', seed: 9 }, // fd17
      { name: 'a', seed: 3 }, // ed49
      { name: 'b', seed: 7 }, // ea4a
      { name: 'c', seed: 1 }, // 8a88
    ],
    edges: [
      ['r', 'a'],
      ['r', 'b'],
      ['r', 'c'],
      ['a', 'b'],
    ],
  });
  net.run(10 * S);
  assert.deepEqual(net.view('a').coords, [1]);
  assert.deepEqual(net.view('b').coords, [2]);
  assert.deepEqual(net.view('c').coords, [3]);
  return net;
}

function treeFrame(net: ConfNet, dest: string, coords: number[], id: number): TrafficFrame {
  return {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords: coords,
    sourceCoords: [7],
    destinationKey: net.key(dest),
    sourceKey: net.key('r'),
    watermark: { key: new Uint8Array(32).fill(0xff), seq: 0 },
    payload: payloadOf(id),
    treeOnly: true,
  };
}

test('checklist 25: tree next hop: never the arrival link, only strictly closer peers, local on a match, none otherwise', () => {
  const net = star();
  const fromR = net.port('a', 'r');
  const fromB = net.port('a', 'b');
  const outcome = (id: number) => {
    const tx = net.tx.filter((r) => r.frame.type === 3 && r.node === 'a');
    const sent = tx.filter((r) => (r.frame as TrafficFrame).payload[7] === id);
    const t = net.traffic.filter((r) => r.node === 'a' && r.frame.payload[7] === id);
    return { via: sent.map((r) => r.peer), at: t.map((r) => r.reason) };
  };
  // Towards c [3] (distance 2 from a [1]): r [] (distance 1) is the closest peer but is the
  // arrival link; b [2] is at distance 2 = ours, not strictly closer → dead end (dropped: treeOnly).
  net.inject('a', fromR, treeFrame(net, 'c', [3], 3));
  assert.deepEqual(outcome(3), { via: [], at: ['no-route'] });
  net.inject('a', fromB, treeFrame(net, 'c', [3], 4));
  assert.deepEqual(outcome(4), { via: ['r'], at: [] }, 'control: arriving from b it goes to r');
  // Towards b's child [2 5]: the cross link to b is the strictly closest (a tree shortcut).
  net.inject('a', fromR, treeFrame(net, 'b', [2, 5], 5));
  assert.deepEqual(outcome(5), { via: ['b'], at: [] });
  // Our own coordinates: delivered locally (here to a even for b's key: the §7.1 quirk).
  net.inject('a', fromR, treeFrame(net, 'b', [1], 6));
  assert.deepEqual(outcome(6), { via: [], at: [null] });
  net.runFor(1 * S);
  // Only peers with our root key AND sequence: a sees b announce (r, seq + 1) and follows it;
  // r's stored announcement (old sequence) is then skipped although r is the closer peer.
  const seq = net.view('a').rootSeq;
  const newer = signedChain(net, 'r', seq + 1, [
    ['r', net.port('r', 'b')],
    ['b', net.port('b', 'a')],
  ]);
  net.inject('a', fromB, newer);
  assert.equal(net.view('a').rootSeq, seq + 1);
  assert.deepEqual(net.view('a').coords, [2, 2]);
  net.inject('a', fromB, treeFrame(net, 'c', [3], 7));
  assert.deepEqual(outcome(7), { via: [], at: ['no-route'] }, 'b is the arrival link, r skipped');
  net.send('a', 'c', payloadOf(8), { coords: [3], treeOnly: true });
  assert.deepEqual(outcome(8), { via: ['b'], at: [] }, 'r [] (distance 1) skipped: old sequence');
});

test('checklist 25: every tree hop of every probe goes to a strictly closer peer, never back', () => {
  const specs = seeds(15, 3, 0x5a);
  const net = new ConfNet({
    nodes: specs,
    edges: randomGraph(
      specs.map((s) => s.name),
      10,
      seedrandom('checklist-25'),
    ),
  });
  net.run(15 * S);
  net.clearRecords();
  let id = 0;
  for (const { name: src } of specs) {
    for (const { name: dst } of specs) {
      if (src === dst) continue;
      net.send(src, dst, payloadOf(++id), {
        coords: net.view(dst).coords,
        treeOnly: true,
      });
    }
  }
  net.runFor(1 * S);
  const delivered = net.traffic.filter((r) => r.reason === null);
  assert.equal(delivered.length, id, 'every tree probe arrives');
  for (const r of delivered) assert.equal(hex(r.frame.destinationKey), hex(net.key(r.node)));
  for (const t of net.txOf(FrameType.Traffic)) {
    const f = t.frame as TrafficFrame;
    const here = treeDistance(net.view(t.node).coords, f.destinationCoords);
    const there = treeDistance(net.view(t.peer as string).coords, f.destinationCoords);
    assert.ok(there < here, `${t.node}→${t.peer}: ${there} < ${here}`);
  }
});
