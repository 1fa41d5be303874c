/**
 * test/conformance/snake.test.ts — PROTOCOL.md §10 checklist items 26–35 (virtual snake), real
 * routers in the simulator host (test/conformance/net.ts). Item 34 mirrors the reference unit test
 * on synthetic one-byte keys, which no real ed25519 network can have, so it drives the pure
 * next-hop function (router/decisions/snek-next-hop.ts) the router calls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import seedrandom from 'seedrandom';
import { type LinkInfo, NO_PORT } from '../../router/decisions/links.ts';
import { newSnekResult, nextHopSnek } from '../../router/decisions/snek-next-hop.ts';
import { FULL_MASK } from '../../router/keys.ts';
import {
  type BootstrapFrame,
  FrameType,
  LinkType,
  LOCAL_PORT,
  type PublicKey,
  type TreeAnnouncementFrame,
  type Watermark,
} from '../../router/types.ts';
import { signAnnouncement } from '../../router/wire/announcement.ts';
import { buildBootstrapPayload } from '../../router/wire/bootstrap.ts';
import {
  bootstrapSeq,
  ConfNet,
  crypto,
  goldenLine,
  hex,
  MS,
  randomGraph,
  S,
  seeds,
  type TxRecord,
} from './net.ts';

function randomNet(k: number, extra: number, salt: number): ConfNet {
  const specs = seeds(k, salt, 0xc3);
  const random = seedrandom(`snake-${salt}`);
  const edges = randomGraph(
    specs.map((s) => s.name),
    extra,
    random,
  ).map(([a, b]) => [a, b, (1 + Math.floor(random() * 10)) * MS] as const);
  return new ConfNet({ nodes: specs, edges });
}

/** The true predecessor (descending neighbour, §6.1) of every node. */
function predecessors(net: ConfNet): Map<string, string | null> {
  const sorted = net.sortedByKey();
  return new Map(sorted.map((n, i) => [n, i > 0 ? (sorted[i - 1] as string) : null]));
}

test('checklist 26: the root never bootstraps; a non-root bootstraps at the first tick after gaining a parent, then every 5 s', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'k1', seed: 1 },
      { name: 'k2', seed: 2 },
    ],
  });
  const gained: number[] = [];
  let had = false;
  net.watcher = (node, _what, router) => {
    if (node !== 'k2') return;
    const has = router.tree.parent !== null;
    if (has && !had) gained.push(net.now);
    had = has;
  };
  net.run(300 * MS);
  net.host.addLink('k1', 'k2');
  net.run(30 * S);
  assert.deepEqual(net.bootstrapsFrom('k1'), [], 'the root sends none');
  const times = net.bootstrapsFrom('k2').map((r) => r.at);
  // k2 gains a parent at 0.305 s, loses it in the hold-down before the 1 s tick, regains it 1 s
  // later (§5.7), so its first bootstrap is at the first tick after the last gain.
  const lastGain = gained.filter((g) => g < (times[0] as number)).at(-1) as number;
  assert.equal(times[0], Math.ceil(lastGain / S) * S);
  assert.deepEqual(
    times,
    [2, 7, 12, 17, 22, 27].map((s) => s * S),
  );
  // The same with the [HEAD] #72 option: no hold-down, so the parent holds at the 1 s tick.
  const head = new ConfNet({
    nodes: [
      { name: 'k1', seed: 1 },
      { name: 'k2', seed: 2 },
    ],
    options: { headSkipFirstInform: true },
  });
  head.run(300 * MS);
  head.host.addLink('k1', 'k2');
  head.run(12 * S);
  assert.deepEqual(
    head.bootstrapsFrom('k2').map((r) => r.at),
    [1, 6, 11].map((s) => s * S),
  );
  // Steady state of the golden line: every non-root every 5 s exactly, the root never.
  const line = goldenLine();
  line.clearRecords();
  line.run(45 * S);
  assert.deepEqual(line.bootstrapsFrom('seed3'), []);
  for (const n of ['seed1', 'seed2', 'seed4', 'seed5', 'seed6']) {
    const t = line.bootstrapsFrom(n).map((r) => r.at);
    assert.ok(t.length >= 5, n);
    for (let i = 1; i < t.length; i++) assert.equal((t[i] as number) - (t[i - 1] as number), 5 * S);
  }
});

test('checklist 27: a bootstrap with a bad signature or another root is dropped silently, installs nothing, keeps the link', () => {
  const net = goldenLine();
  // seed4 bootstraps to the root seed3 (its ascending neighbour): inject variants at seed3.
  const port = net.port('seed3', 'seed4');
  const root = net.view('seed3');
  const id = net.identity('seed4');
  const frame = (seq: number, rootKey: PublicKey, rootSeq: number): BootstrapFrame => ({
    type: FrameType.Bootstrap,
    extra: 0,
    hopLimit: 0,
    destinationKey: id.publicKey,
    watermark: { key: FULL_MASK, seq: 0 },
    payload: buildBootstrapPayload(seq, rootKey, rootSeq, id, crypto),
  });
  const entry = () =>
    net
      .router('seed3')
      .debugTable()
      .find((e) => hex(e.key) === hex(id.publicKey));
  const before = entry();
  assert.ok(before !== undefined);
  const seq = before.watermark.seq + 1000;
  const badSig = frame(seq, root.rootKey, root.rootSeq);
  const flipped = new Uint8Array(badSig.payload);
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
  const variants: [string, BootstrapFrame][] = [
    ['bad signature', { ...badSig, payload: flipped }],
    ['other root sequence', frame(seq, root.rootKey, root.rootSeq + 1)],
    ['other root key', frame(seq, net.key('seed4'), root.rootSeq)],
  ];
  for (const [what, f] of variants) {
    const tx = net.tx.length;
    net.inject('seed3', port, f);
    assert.deepEqual(entry(), before, `${what}: nothing installed`);
    assert.equal(net.tx.length, tx, `${what}: nothing sent`);
  }
  net.runFor(100 * MS);
  assert.deepEqual(net.closed, [], 'no link dropped');
  // Control: the same bootstrap with the right root and signature is accepted.
  net.inject('seed3', port, frame(seq, root.rootKey, root.rootSeq));
  assert.equal(entry()?.watermark.seq, seq);
  assert.equal(entry()?.lastSeen, net.now);
});

/** rx records of one bootstrap (origin, sequence) in arrival order. */
function pathOf(net: ConfNet, origin: string, seq: number) {
  const key = hex(net.key(origin));
  const match = (f: BootstrapFrame) => hex(f.destinationKey) === key && bootstrapSeq(f) === seq;
  return {
    rx: net.rxOf(FrameType.Bootstrap).filter((r) => match(r.frame as BootstrapFrame)),
    tx: net.txOf(FrameType.Bootstrap).filter((r) => match(r.frame as BootstrapFrame)),
  };
}

test('checklist 28: every node on a bootstrap’s path holds an entry: source = arrival link, destination = next hop (none at the dead end)', () => {
  const net = randomNet(20, 8, 28);
  net.run(20 * S);
  net.clearRecords();
  net.run(25 * S); // ticks 21..25 s, one bootstrap period: every non-root sent exactly one
  const sentInWindow = new Map(net.sortedByKey().map((n) => [n, net.bootstrapsFrom(n)]));
  net.run(25 * S + 200 * MS); // let the last ones arrive (no node's next period starts before 26 s)
  let checked = 0;
  let longest = 0;
  for (const origin of net.sortedByKey().slice(0, -1)) {
    const window = sentInWindow.get(origin) ?? [];
    assert.equal(window.length, 1, `${origin} bootstrapped once in the window`);
    const sent = window[0] as TxRecord;
    const seq = bootstrapSeq(sent.frame);
    const { rx, tx } = pathOf(net, origin, seq);
    assert.ok(rx.length > 0);
    longest = Math.max(longest, rx.length);
    for (const hop of rx) {
      const e = net
        .router(hop.node)
        .debugTable()
        .find((x) => hex(x.key) === hex(net.key(origin)));
      assert.ok(e !== undefined, `${hop.node} has an entry for ${origin}`);
      assert.equal(e.watermark.seq, seq);
      assert.equal(e.sourcePort, hop.port, `${hop.node}: source = arrival link`);
      const out = tx.find((t) => t.node === hop.node);
      assert.equal(
        e.destinationPort,
        out === undefined ? null : out.port,
        `${hop.node}: destination`,
      );
      checked++;
    }
    const end = rx.at(-1) as (typeof rx)[number];
    assert.equal(tx.filter((t) => t.node === end.node).length, 0, 'the dead end forwards nothing');
  }
  assert.ok(longest >= 3, 'some paths are long');
  assert.ok(checked > 19);
});

test('checklist 38: a bootstrap leaves with the watermark the search gives: the frame itself where that is the one it came with, else a copy differing only there', () => {
  const net = randomNet(20, 8, 28);
  net.run(25 * S);
  let kept = 0;
  let changed = 0;
  for (const sent of net.txOf(FrameType.Bootstrap)) {
    const out = sent.frame as BootstrapFrame;
    if (hex(out.destinationKey) === hex(net.key(sent.node))) continue; // its own bootstrap
    // The copy this node received last before sending (the same bootstrap: key and sequence).
    const received = net
      .rxOf(FrameType.Bootstrap, sent.node)
      .filter(
        (r) =>
          r.at <= sent.at &&
          hex((r.frame as BootstrapFrame).destinationKey) === hex(out.destinationKey) &&
          bootstrapSeq(r.frame) === bootstrapSeq(out),
      )
      .at(-1);
    assert.ok(received !== undefined, `${sent.node} forwarded a bootstrap it received`);
    const from = received.frame as BootstrapFrame;
    const same =
      hex(out.watermark.key) === hex(from.watermark.key) &&
      out.watermark.seq === from.watermark.seq;
    if (same) {
      assert.equal(out, from, `${sent.node}: watermark kept, the frame itself goes on`);
      kept++;
    } else {
      assert.notEqual(out, from);
      assert.deepEqual({ ...out, watermark: from.watermark }, from, 'only the watermark differs');
      changed++;
    }
  }
  assert.ok(kept > 0 && changed > 0, `both cases seen (kept ${kept}, changed ${changed})`);
});

test('checklist 29: a second copy of a bootstrap (same sequence, same root) is dropped and not forwarded', () => {
  const net = goldenLine();
  // seed6's bootstrap runs seed6 → seed5 → seed4 → seed3 → seed2 → seed1 (its successor).
  const sent = net.bootstrapsFrom('seed6').at(-1) as TxRecord;
  const seq = bootstrapSeq(sent.frame);
  net.runFor(100 * MS);
  const { rx } = pathOf(net, 'seed6', seq);
  assert.deepEqual(
    rx.map((r) => r.node),
    ['seed5', 'seed4', 'seed3', 'seed2', 'seed1'],
  );
  const atSeed4 = rx[1] as (typeof rx)[number];
  const entry = () =>
    net
      .router('seed4')
      .debugTable()
      .find((e) => hex(e.key) === hex(net.key('seed6')));
  const before = entry();
  const tx = net.tx.length;
  net.inject('seed4', atSeed4.port, atSeed4.frame);
  net.inject('seed4', net.port('seed4', 'seed3'), atSeed4.frame); // the arrival link is not compared
  assert.equal(net.tx.length, tx, 'not forwarded');
  assert.deepEqual(entry(), before, 'entry untouched');
});

test('checklist 30: a bootstrap ends at the smallest greater key, which points descending at the bootstrapper', () => {
  const net = randomNet(24, 10, 30);
  net.run(30 * S);
  net.clearRecords();
  net.run(35 * S);
  const sorted = net.sortedByKey();
  const sentInWindow = new Map(sorted.map((n) => [n, net.bootstrapsFrom(n)]));
  net.run(35 * S + 200 * MS);
  for (let i = 0; i < sorted.length - 1; i++) {
    const origin = sorted[i] as string;
    const successor = sorted[i + 1] as string;
    const seq = bootstrapSeq(((sentInWindow.get(origin) ?? [])[0] as TxRecord).frame);
    const { rx } = pathOf(net, origin, seq);
    assert.equal(rx.at(-1)?.node, successor, `${origin}'s bootstrap ends at its successor`);
    assert.equal(net.nameOfKey(net.view(successor).descendingKey), origin);
  }
});

test('checklist 31: entries expire 10 s after the last refresh; an expired descending pointer is cleared at the next tick with a bootstrap in that tick', () => {
  const net = goldenLine();
  // seed4's descending is seed1, installed by seed1's bootstraps via seed2 → seed3 → seed4.
  assert.equal(net.nameOfKey(net.view('seed4').descendingKey), 'seed1');
  const seed1 = hex(net.key('seed1'));
  const cutAt = net.now;
  net.tap = (node, _port, frame) =>
    node === 'seed3' && frame.type === FrameType.Bootstrap && hex(frame.destinationKey) === seed1
      ? null
      : frame;
  const lastSeen = (net
    .router('seed4')
    .debugTable()
    .find((e) => hex(e.key) === seed1)?.lastSeen ?? -1) as number;
  assert.ok(lastSeen > cutAt - 5 * S);
  const clearTick = Math.ceil((lastSeen + 10 * S) / S) * S;
  const descAt = new Map<number, string | null>();
  net.watcher = (node, what, router) => {
    if (node === 'seed4' && what === 'timer:1') {
      descAt.set(net.now, net.nameOfKey(router.snapshot().descendingKey));
    }
  };
  net.run(clearTick - 1);
  assert.ok(
    net
      .router('seed4')
      .debugTable()
      .some((e) => hex(e.key) === seed1),
    'kept < 10 s',
  );
  assert.equal(descAt.get(clearTick - S), 'seed1', 'still pointing before the tick');
  const bootsBefore = net.bootstrapsFrom('seed4').length;
  net.run(clearTick);
  assert.equal(descAt.get(clearTick), null, 'cleared at the first tick ≥ lastSeen + 10 s');
  assert.ok(
    !net
      .router('seed4')
      .debugTable()
      .some((e) => hex(e.key) === seed1),
    'expired entry swept',
  );
  const boots = net.bootstrapsFrom('seed4').slice(bootsBefore);
  assert.equal(boots[0]?.at, clearTick, 'bootstrap in that same tick');
});

test('checklist 31: a descending pointer whose root changed is cleared at the next tick, with a bootstrap in that tick', () => {
  const net = goldenLine();
  // seed4 (parent seed3) hears a newer root sequence from its parent: AcceptUpdate (§5.4).
  const root = net.view('seed4');
  assert.equal(net.nameOfKey(root.descendingKey), 'seed1');
  let ann = {
    rootKey: root.rootKey,
    rootSeq: root.rootSeq + 1,
    hops: [],
  } as TreeAnnouncementFrame['announcement'];
  ann = signAnnouncement(ann, net.port('seed3', 'seed4'), net.identity('seed3'), crypto);
  net.run(net.now + S / 2);
  net.inject('seed4', net.port('seed4', 'seed3'), {
    type: FrameType.TreeAnnouncement,
    extra: 0,
    hopLimit: 0,
    announcement: ann,
  });
  assert.equal(net.view('seed4').rootSeq, root.rootSeq + 1);
  const tick = Math.ceil(net.now / S) * S;
  let descAfterTick: string | null | undefined;
  net.watcher = (node, what, router) => {
    if (node === 'seed4' && what === 'timer:1' && net.now === tick) {
      descAfterTick = net.nameOfKey(router.snapshot().descendingKey);
    }
  };
  const before = net.bootstrapsFrom('seed4').length;
  net.run(tick);
  assert.equal(descAfterTick, null);
  assert.equal(net.bootstrapsFrom('seed4').slice(before)[0]?.at, tick);
});

test('checklist 32: after any change of its descending pointer a node with a parent bootstraps within 1 s; roots never', () => {
  const net = randomNet(20, 8, 32);
  const changes: { node: string; at: number }[] = [];
  const last = new Map<string, string | null>();
  const parentless = new Map<string, number[]>(); // times a node was seen without a parent
  net.watcher = (node, _what, router) => {
    const d = router.snapshot().descendingKey;
    const k = d === null ? null : hex(d);
    if ((last.get(node) ?? null) !== k) changes.push({ node, at: net.now });
    last.set(node, k);
    if (router.tree.parent === null) {
      const list = parentless.get(node) ?? [];
      list.push(net.now);
      parentless.set(node, list);
    }
  };
  net.tap = (node, _port, frame, router) => {
    if (frame.type === FrameType.Bootstrap && hex(frame.destinationKey) === hex(router.publicKey)) {
      assert.ok(
        router.tree.parent !== null && !router.tree.waiting,
        `${node}: bootstrap without a parent`,
      );
    }
    return frame;
  };
  net.run(40 * S);
  let checked = 0;
  for (const c of changes) {
    if (c.at > 39 * S) continue;
    const gaps = (parentless.get(c.node) ?? []).filter((t) => t >= c.at && t <= c.at + S);
    if (gaps.length > 0 || net.router(c.node).tree.parent === null) continue;
    const boot = net.bootstrapsFrom(c.node).find((r) => r.at >= c.at && r.at <= c.at + S);
    assert.ok(
      boot !== undefined,
      `${c.node}: descending changed at ${c.at}, no bootstrap within 1 s`,
    );
    checked++;
  }
  assert.ok(checked >= 20, `${checked} changes checked`);
  const root = net.sortedByKey().at(-1) as string;
  assert.deepEqual(net.bootstrapsFrom(root), []);
});

test('checklist 33: link loss removes the entries with that source or destination and a descending pointer sourced there', () => {
  const net = goldenLine();
  // seed2's descending (seed5) arrived from seed3; cut seed2–seed3.
  const port = net.port('seed2', 'seed3');
  const r = net.router('seed2');
  assert.equal(net.nameOfKey(r.snapshot().descendingKey), 'seed5');
  assert.equal(r.snake.descending?.sourcePort, port);
  const before = r.debugTable();
  assert.ok(before.some((e) => e.sourcePort === port || e.destinationPort === port));
  // On the other end (seed3), its descending (seed4) is sourced on another link: it stays.
  const r3 = net.router('seed3');
  const port3 = net.port('seed3', 'seed2');
  const before3 = r3.debugTable();
  assert.ok(
    before3.some((e) => e.destinationPort === port3),
    'some entries lead into the link',
  );
  assert.ok(before3.some((e) => e.sourcePort !== port3 && e.destinationPort !== port3));
  net.host.removeLink('seed2', 'seed3');
  const keep = (t: typeof before, p: number) =>
    t.filter((e) => e.sourcePort !== p && e.destinationPort !== p);
  assert.deepEqual(r.debugTable(), keep(before, port));
  assert.equal(r.snapshot().descendingKey, null, 'sourced on the lost link: cleared');
  assert.deepEqual(r3.debugTable(), keep(before3, port3));
  assert.equal(net.nameOfKey(r3.snapshot().descendingKey), 'seed4', 'sourced elsewhere: kept');
});

// ---- item 34: the reference unit test's table ----------------------------------------------

const k = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};

function fakeLink(port: number, remote: number, signers: number[] | null): LinkInfo {
  return {
    port,
    remoteKey: k(remote),
    linkType: LinkType.Pipe,
    up: true,
    stored:
      signers === null
        ? null
        : {
            announcement: {
              rootKey: k(9),
              rootSeq: 1,
              hops: signers.map((s, i) => ({
                port: i + 1,
                signer: k(s),
                signature: new Uint8Array(64),
              })),
            },
            receiveTime: 0,
            receiveOrder: port,
            coords: [],
            peerCoords: [],
          },
  };
}

test('checklist 34: SNEK next-hop unit cases a–j (the reference unit test)', () => {
  const PARENT = 1;
  const L6 = 2;
  const L2 = 3;
  type Case = {
    id: string;
    boot: boolean;
    self: number;
    parent: number[];
    l6?: number[];
    table?: boolean;
    next: number;
    wm: Watermark;
  };
  const dest = (c: Case) => (c.id === 'i' || c.id === 'j' ? 2 : 6);
  const full: Watermark = { key: FULL_MASK, seq: 0 };
  const cases: Case[] = [
    { id: 'a', boot: false, self: 4, parent: [], next: PARENT, wm: { key: k(9), seq: 0 } },
    { id: 'b', boot: false, self: 6, parent: [], l6: [6], next: LOCAL_PORT, wm: full },
    { id: 'c', boot: true, self: 6, parent: [], next: PARENT, wm: { key: k(9), seq: 0 } },
    { id: 'd', boot: false, self: 4, parent: [], l6: [6], next: L6, wm: { key: k(6), seq: 0 } },
    { id: 'e', boot: true, self: 4, parent: [], l6: [6], next: PARENT, wm: { key: k(9), seq: 0 } },
    { id: 'f', boot: false, self: 4, parent: [6], next: PARENT, wm: { key: k(6), seq: 0 } },
    { id: 'g', boot: false, self: 4, parent: [5], next: PARENT, wm: { key: k(9), seq: 0 } },
    { id: 'h', boot: true, self: 4, parent: [5], next: PARENT, wm: { key: k(9), seq: 0 } },
    { id: 'i', boot: false, self: 4, parent: [], table: true, next: L2, wm: { key: k(2), seq: 7 } },
    {
      id: 'j',
      boot: true,
      self: 4,
      parent: [],
      table: true,
      next: NO_PORT,
      wm: { key: k(4), seq: 0 },
    },
  ];
  for (const c of cases) {
    const parent = fakeLink(PARENT, 3, c.parent);
    const links = [parent];
    if (c.l6 !== undefined) links.push(fakeLink(L6, 6, c.l6));
    const l2 = fakeLink(L2, 2, null);
    if (c.table === true) links.push(l2);
    const linkByPort: (LinkInfo | undefined)[] = [];
    for (const l of links) linkByPort[l.port] = l;
    const out = nextHopSnek(
      {
        boot: c.boot,
        dest: k(dest(c)),
        self: k(c.self),
        watermark: full,
        parent,
        rootKey: k(9),
        links,
        linkByPort,
        entries:
          c.table === true
            ? [{ key: k(2), sourcePort: L2, watermark: { key: k(2), seq: 7 }, lastSeen: 0 }]
            : [],
        now: 1 * S,
        neighExpiry: 10 * S,
        wholeRoot: false,
      },
      newSnekResult(),
    );
    assert.equal(out.port, c.next, `case ${c.id}: next hop`);
    assert.equal(hex(out.key), hex(c.wm.key), `case ${c.id}: watermark key`);
    assert.equal(out.seq, c.wm.seq, `case ${c.id}: watermark sequence`);
  }
});

test('checklist 35: in a static 40-node network every descending pointer is the true predecessor within 30 s, also after a change', () => {
  const net = randomNet(40, 20, 35);
  const correct = () => {
    const pred = predecessors(net);
    let ok = 0;
    for (const [n, p] of pred) if (net.nameOfKey(net.view(n).descendingKey) === p) ok++;
    return ok === pred.size;
  };
  let firstAt = -1;
  for (let t = 1; t <= 30; t++) {
    net.run(t * S);
    if (firstAt < 0 && correct()) firstAt = t;
  }
  assert.ok(correct(), 'all correct at 30 s');
  // Topology change: a leaf leaves (the rest stays connected); its predecessor and successor must
  // find each other again.
  const sorted = net.sortedByKey();
  const victim = sorted.find((n) => net.view(n).peers.length === 1);
  assert.ok(victim !== undefined, 'the graph has a leaf');
  const changedAt = net.now;
  net.host.removeNode(victim);
  let againAt = -1;
  for (let t = 1; t <= 30; t++) {
    net.run(changedAt + t * S);
    if (againAt < 0 && correct()) againAt = t;
  }
  assert.ok(correct(), 'all correct 30 s after the change');
  process.stdout.write(
    `# checklist 35: 40 nodes: snake correct at ${firstAt} s; after removing ${victim}: ${againAt} s\n`,
  );
});
