/**
 * test/conformance/head.test.ts — PROTOCOL.md §10 checklist items 45 and 46, the [HEAD] variants
 * behind router options (headHopLimit, headWakeupBroadcasts), real routers in the simulator host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import seedrandom from 'seedrandom';
import { DEFAULT_ROUTER_OPTIONS } from '../../router/options.ts';
import { FrameType, type TrafficFrame, type WakeupBroadcastFrame } from '../../router/types.ts';
import { buildBootstrapPayload } from '../../router/wire/bootstrap.ts';
import { encodeFrame } from '../../router/wire/frame.ts';
import { ConfNet, crypto, hex, idOf, MS, payloadOf, randomGraph, S, treeDistance } from './net.ts';

function lineNet(k: number, options: (i: number) => Record<string, unknown>): ConfNet {
  const nodes = [];
  for (let i = 0; i < k; i++) {
    const seed = new Uint8Array(32).fill(0x11);
    seed[0] = i;
    nodes.push({ name: `n${i}`, seed, options: options(i) });
  }
  const edges = [];
  for (let i = 0; i + 1 < k; i++) edges.push([`n${i}`, `n${i + 1}`] as const);
  const net = new ConfNet({ nodes, edges });
  net.run(20 * S);
  return net;
}

function byte7(frame: TrafficFrame): number {
  const b = encodeFrame(frame);
  assert.ok(b instanceof Uint8Array);
  return b[7] as number;
}

test('checklist 45: hop limiting: traffic is created with 10; more than 9 hops is unreachable; a d0beb18 frame (0) is dropped by the first HEAD forwarder', () => {
  const net = lineNet(12, () => ({ headHopLimit: true }));
  // Created with 10: visible on a frame to our own key (delivered before any decrement, §7.6).
  net.send('n0', 'n0', payloadOf(1));
  const own = net.traffic.find((r) => idOf(r.frame) === 1);
  assert.equal(own?.reason, null);
  assert.equal(own?.frame.hopLimit, 10);
  // Every forwarder, the origin included, decrements (§7.6): byte 7 is 9 on the first link.
  let id = 100;
  for (let hops = 1; hops <= 11; hops++) {
    const dst = `n${hops}`;
    net.send('n0', dst, payloadOf(++id), { coords: net.view(dst).coords, treeOnly: true });
    net.runFor(500 * MS);
    const tx = net.txOf(FrameType.Traffic).filter((r) => idOf(r.frame as TrafficFrame) === id);
    assert.deepEqual(
      tx.map((r) => byte7(r.frame as TrafficFrame)),
      Array.from({ length: Math.min(hops, 9) }, (_, i) => 9 - i),
      `${hops} hops: byte 7 along the path`,
    );
    const fate = net.traffic.filter((r) => idOf(r.frame) === id).map((r) => [r.node, r.reason]);
    assert.deepEqual(fate, hops <= 9 ? [[dst, null]] : [['n9', 'hop-limit']], `${hops} hops`);
  }
  // Mixed: a d0beb18 origin (hop limiting off) puts 0 in byte 7; the first HEAD node that would
  // forward it drops it, a HEAD destination still receives it.
  const mixed = lineNet(3, (i) => ({ headHopLimit: i > 0 }));
  mixed.send('n0', 'n2', payloadOf(1), { coords: mixed.view('n2').coords, treeOnly: false });
  mixed.send('n0', 'n1', payloadOf(2), { coords: mixed.view('n1').coords, treeOnly: false });
  mixed.send('n0', 'n2', payloadOf(3), { coords: [], treeOnly: false });
  mixed.runFor(1 * S);
  const first = mixed.txOf(FrameType.Traffic, 'n0')[0]?.frame as TrafficFrame;
  assert.equal(byte7(first), 0);
  const fates = mixed.traffic.map((r) => [idOf(r.frame), r.node, r.reason]);
  assert.deepEqual(fates, [
    [1, 'n1', 'hop-limit'],
    [2, 'n1', null],
    [3, 'n1', 'hop-limit'],
  ]);
});

const EPOCH = DEFAULT_ROUTER_OPTIONS.clockEpochMs;

test('checklist 46: wakeup broadcasts every 60 s and to each newly announced peer, hop limit 5', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'a', seed: 1 },
      { name: 'b', seed: 2 },
      { name: 'c', seed: 3 },
    ],
    edges: [['a', 'b']],
    options: { headWakeupBroadcasts: true },
  });
  net.run(10 * S);
  net.host.addLink('b', 'c');
  net.run(130 * S);
  const own = (n: string) =>
    net
      .txOf(FrameType.WakeupBroadcast, n)
      .filter((r) => hex((r.frame as WakeupBroadcastFrame).sourceKey) === hex(net.key(n)));
  for (const n of ['a', 'b', 'c']) {
    const sent = own(n);
    for (const r of sent) assert.equal((r.frame as WakeupBroadcastFrame).hopLimit, 5);
    // One on each link when its first announcement arrives, then every 60 s to every peer.
    const firstAnn = net
      .rxOf(FrameType.TreeAnnouncement, n)
      .filter((r, i, all) => all.findIndex((x) => x.port === r.port) === i);
    const expected = [
      ...firstAnn.map((r) => [r.at, r.peer]),
      ...[60, 120].flatMap((t) => net.view(n).peers.map((p) => [t * S, net.nameOfKey(p.key)])),
    ].sort(
      (x, y) => (x[0] as number) - (y[0] as number) || String(x[1]).localeCompare(String(y[1])),
    );
    const got = sent
      .map((r) => [r.at, r.peer])
      .sort(
        (x, y) => (x[0] as number) - (y[0] as number) || String(x[1]).localeCompare(String(y[1])),
      );
    assert.deepEqual(got, expected, n);
  }
});

test('checklist 46: a duplicate within 30 s or a non-increasing sequence is not re-flooded', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'x', seed: 1 },
      { name: 'y', seed: 2 },
      { name: 'z', seed: 4 },
      { name: 's', seed: 5 },
    ],
    edges: [
      ['s', 'x'],
      ['x', 'y'],
      ['x', 'z'],
    ],
    options: { headWakeupBroadcasts: true },
  });
  const wakeup = (seqMs: number): WakeupBroadcastFrame => {
    const root = net.view('x');
    return {
      type: FrameType.WakeupBroadcast,
      extra: 0,
      hopLimit: 5,
      sourceKey: net.key('s'),
      payload: buildBootstrapPayload(
        EPOCH + seqMs,
        root.rootKey,
        root.rootSeq,
        net.identity('s'),
        crypto,
      ),
    };
  };
  const fromS = net.identity('s').publicKey;
  const flooded = (at: number) =>
    net
      .txOf(FrameType.WakeupBroadcast, 'x')
      .filter((r) => r.at === at && hex((r.frame as WakeupBroadcastFrame).sourceKey) === hex(fromS))
      .map((r) => [r.peer, (r.frame as WakeupBroadcastFrame).hopLimit]);
  const port = () => net.port('x', 's');
  net.run(31 * S); // s's first wakeup (at link-up) was seen more than 30 s ago
  net.inject('x', port(), wakeup(31_000));
  assert.deepEqual(flooded(31 * S), [
    ['y', 4],
    ['z', 4],
  ]);
  net.run(31 * S + 1);
  net.inject('x', port(), wakeup(31_000));
  assert.deepEqual(flooded(31 * S + 1), [], 'the same broadcast again');
  net.run(45 * S);
  net.inject('x', port(), wakeup(45_000));
  assert.deepEqual(flooded(45 * S), [], 'a newer one, but within 30 s');
  net.run(62 * S); // s's periodic one (60 s) arrived 29 s after the last accepted: ignored too
  assert.deepEqual(
    net
      .txOf(FrameType.WakeupBroadcast, 'x')
      .filter(
        (r) =>
          r.at > 31 * S + 1 &&
          r.at < 62 * S &&
          hex((r.frame as WakeupBroadcastFrame).sourceKey) === hex(fromS),
      ),
    [],
  );
  net.inject('x', port(), wakeup(31_000));
  assert.deepEqual(flooded(62 * S), [], '30 s later, but not a newer sequence');
  net.run(62 * S + 1);
  net.inject('x', port(), wakeup(62_000));
  assert.deepEqual(flooded(62 * S + 1), [
    ['y', 4],
    ['z', 4],
  ]);
});

test('checklist 46: hop limit 5; classic flood for the first two hops, tree neighbours only afterwards', () => {
  const nodes = [];
  for (let i = 0; i < 24; i++) {
    const seed = new Uint8Array(32).fill(0x46);
    seed[0] = i;
    nodes.push({ name: `n${i}`, seed });
  }
  const edges = randomGraph(
    nodes.map((n) => n.name),
    14,
    seedrandom('checklist-46'),
  );
  const net = new ConfNet({ nodes, edges, options: { headWakeupBroadcasts: true } });
  net.run(59 * S);
  const coords = new Map(nodes.map((n) => [n.name, net.view(n.name).coords]));
  net.clearRecords();
  net.run(61 * S);
  let sources = 0;
  let treeHops = 0;
  for (const { name: source } of nodes) {
    const key = hex(net.key(source));
    const copies = net
      .txOf(FrameType.WakeupBroadcast)
      .filter((r) => hex((r.frame as WakeupBroadcastFrame).sourceKey) === key);
    const hop = (r: (typeof copies)[number]) => (r.frame as WakeupBroadcastFrame).hopLimit;
    // The origin: hop limit 5 to every peer.
    const origin = copies.filter((r) => r.node === source);
    assert.deepEqual(
      origin.map((r) => [r.peer, hop(r)]).sort(),
      net
        .view(source)
        .peers.map((p) => [net.nameOfKey(p.key), 5])
        .sort(),
    );
    for (const r of copies) {
      if (r.node === source) continue;
      assert.ok(hop(r) >= 1 && hop(r) <= 4, `relayed with ${hop(r)}`);
      const accepted = net.rx.find(
        (x) =>
          x.node === r.node &&
          x.frame.type === FrameType.WakeupBroadcast &&
          hex(x.frame.sourceKey) === key,
      );
      assert.ok(accepted !== undefined);
      assert.equal(hop(r), (accepted.frame as WakeupBroadcastFrame).hopLimit - 1, 'decremented');
      if (hop(r) === 4) {
        // Second hop: classic flood to every other peer.
        const others = net
          .view(r.node)
          .peers.map((p) => net.nameOfKey(p.key))
          .filter((p) => p !== accepted.peer);
        const sent = copies.filter((c) => c.node === r.node).map((c) => c.peer);
        assert.deepEqual(sent.sort(), others.sort(), `${r.node}: classic flood`);
      } else {
        // Later hops: only tree neighbours (parent or children, tree distance 1).
        const d = treeDistance(coords.get(r.node) ?? [], coords.get(r.peer as string) ?? []);
        assert.equal(d, 1, `${r.node}→${r.peer} with hop limit ${hop(r)}`);
        treeHops++;
      }
    }
    // Each node relays a source's broadcast at most once per peer.
    const pairs = copies.map((r) => `${r.node}>${r.peer}`);
    assert.equal(new Set(pairs).size, pairs.length, `${source}: no re-flood`);
    sources++;
  }
  assert.equal(sources, 24);
  assert.ok(treeHops > 0, 'some copies went beyond two hops');
  // Nothing ever travels with hop limit 0, and nothing is relayed after arriving with 1.
  for (const r of net.rxOf(FrameType.WakeupBroadcast)) {
    const f = r.frame as WakeupBroadcastFrame;
    assert.ok(f.hopLimit >= 1);
  }
});
