/**
 * test/conformance/links.test.ts — PROTOCOL.md §10 checklist items 7 and 8 (the router halves: the
 * codec halves are in codec.test.ts) and 9–12 (links and keepalives), real routers in the
 * simulator host (test/conformance/net.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FrameType,
  type RootAnnouncement,
  type TrafficFrame,
  type TreeAnnouncementFrame,
} from '../../router/types.ts';
import { signAnnouncement } from '../../router/wire/announcement.ts';
import { encodeFrame, keepaliveFrame } from '../../router/wire/frame.ts';
import { ConfNet, crypto, hex, MS, payloadOf, S, type TxRecord } from './net.ts';

function pair(options = {}): ConfNet {
  const net = new ConfNet({
    nodes: [
      { name: 'a', seed: 1 },
      { name: 'b', seed: 2 },
    ],
    edges: [['a', 'b']],
    options,
  });
  net.run(3 * S);
  return net;
}

function bytesOf(frame: Parameters<typeof encodeFrame>[0]): Uint8Array {
  const b = encodeFrame(frame);
  assert.ok(b instanceof Uint8Array);
  return b;
}

test('checklist 7: bad magic, a length field < 10 or a length/decode mismatch drops the link and never crashes the node', () => {
  const traffic: TrafficFrame = {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords: [],
    sourceCoords: [1],
    destinationKey: new Uint8Array(32).fill(1),
    sourceKey: new Uint8Array(32).fill(2),
    watermark: { key: new Uint8Array(32).fill(0xff), seq: 0 },
    payload: payloadOf(1),
  };
  const good = bytesOf(traffic);
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  longer[9] = (longer[9] as number) + 1; // length field counts the extra byte: body mismatch
  const shorter = good.slice(0, good.length - 1);
  shorter[9] = (shorter[9] as number) - 1;
  const badMagic = bytesOf(keepaliveFrame());
  badMagic[3] = 0x66;
  const cases: [string, Uint8Array, string[]][] = [
    ['bad magic', badMagic, ['bad-magic']],
    ['length 5', Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 5), ['bad-length']],
    ['length 0', Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 0), ['bad-length']],
    ['length field ≠ bytes', good.slice(0, good.length - 3), ['bad-length']],
    ['one byte too many in the body', longer, ['bad-length', 'decode-error']],
    ['one byte too few in the body', shorter, ['bad-length', 'decode-error']],
  ];
  for (const [what, bytes, reasons] of cases) {
    const net = pair();
    assert.doesNotThrow(() => net.injectBytes('b', net.port('b', 'a'), bytes), what);
    assert.equal(net.closed.length, 1, `${what}: link dropped`);
    assert.ok(reasons.includes((net.closed[0] as { reason: string }).reason), what);
    net.runFor(100 * MS);
    assert.equal(net.view('a').peers.length, 0, `${what}: the far end saw the close`);
    assert.equal(net.view('b').peers.length, 0);
    // The node lives on: it is its own root again and keeps its timers running.
    net.runFor(10 * S);
    assert.equal(hex(net.view('b').rootKey), hex(net.key('b')), `${what}: b alive`);
    assert.equal(net.host.addLink('a', 'b'), true);
    net.runFor(3 * S);
    assert.equal(hex(net.view('b').rootKey), hex(net.key('a')), `${what}: b works again`);
  }
  // Sanity: the untouched bytes are accepted (the frame is simply forwarded or dropped as traffic).
  const net = pair();
  net.injectBytes('b', net.port('b', 'a'), good);
  assert.deepEqual(net.closed, []);
});

test('checklist 8: flipping any byte of an announcement before its last entry fails verification and drops the link', () => {
  // r–p–x: x receives p's relay of r's announcement (two entries).
  const net = new ConfNet({
    nodes: [
      { name: 'r', seed: 9 },
      { name: 'p', seed: 3 },
      { name: 'x', seed: 1 },
    ],
    edges: [
      ['r', 'p'],
      ['p', 'x'],
    ],
  });
  net.run(5 * S);
  const relay = net.tx
    .filter((r) => r.node === 'p' && r.peer === 'x' && r.frame.type === FrameType.TreeAnnouncement)
    .at(-1) as TxRecord;
  const ann = (relay.frame as TreeAnnouncementFrame).announcement;
  assert.equal(ann.hops.length, 2);
  const bytes = bytesOf(relay.frame);
  const start = 12; // header (10) and PLEN (2)
  const lastEntry = bytes.length - 97; // one-byte port + key + signature
  let dropped = 0;
  for (let i = start; i < lastEntry; i++) {
    const flipped = new Uint8Array(bytes);
    flipped[i] = (flipped[i] as number) ^ 0x01;
    net.closed.length = 0;
    net.injectBytes('x', net.port('x', 'p'), flipped);
    assert.equal(net.closed.length, 1, `byte ${i}: link dropped`);
    assert.ok(
      ['bad-signature', 'decode-error'].includes((net.closed[0] as { reason: string }).reason),
      `byte ${i}: ${(net.closed[0] as { reason: string }).reason}`,
    );
    dropped++;
    net.runFor(20 * MS);
    assert.equal(net.host.addLink('p', 'x'), true);
    net.runFor(20 * MS);
  }
  assert.equal(dropped, lastEntry - start);
  // Control: the untouched bytes are accepted.
  net.closed.length = 0;
  net.injectBytes('x', net.port('x', 'p'), bytes);
  assert.deepEqual(net.closed, []);
});

test('checklist 8: a last signer that is not the link’s key, hop port 0 or a repeated signer drops the link', () => {
  const build = (net: ConfNet, hops: readonly [string, number][]): TreeAnnouncementFrame => {
    let ann: RootAnnouncement = { rootKey: net.key(hops[0]?.[0] as string), rootSeq: 5, hops: [] };
    for (const [signer, port] of hops)
      ann = signAnnouncement(ann, port, net.identity(signer), crypto);
    return { type: FrameType.TreeAnnouncement, extra: 0, hopLimit: 0, announcement: ann };
  };
  const cases: [string, readonly [string, number][]][] = [
    ['last signer is not the link key', [['c', 1]]], // arrives from a, signed by c only
    ['hop port 0', [['a', 0]]],
    [
      'repeated signer',
      [
        ['a', 1],
        ['c', 2],
        ['a', 1],
      ],
    ],
  ];
  for (const [what, hops] of cases) {
    const net = new ConfNet({
      nodes: [
        { name: 'a', seed: 1 },
        { name: 'b', seed: 2 },
        { name: 'c', seed: 9 },
      ],
      edges: [['a', 'b']],
    });
    net.run(3 * S);
    net.inject('b', net.port('b', 'a'), build(net, hops));
    assert.deepEqual(
      net.closed.map((c) => [c.node, c.peer, c.reason]),
      [['b', 'a', 'announcement-sanity']],
      what,
    );
  }
});

test('checklist 9: new links take the lowest free port ≥ 1; a freed port is reused; the 254th link is refused', () => {
  const spokes = Array.from({ length: 254 }, (_, i) => ({ name: `s${i}` }));
  // Seeds must be distinct 32-byte values: derived from the index.
  const nodes = [
    { name: 'hub', seed: 0xfe },
    ...spokes.map((s, i) => {
      const seed = new Uint8Array(32).fill(7);
      seed[0] = i & 0xff;
      seed[1] = i >> 8;
      return { name: s.name, seed };
    }),
  ];
  const net = new ConfNet({
    nodes,
    edges: spokes.slice(0, 253).map((s) => ['hub', s.name] as const),
    options: { keepalives: false },
  });
  net.run(1 * MS);
  const ports = net.view('hub').peers.map((p) => [p.port, net.nameOfKey(p.key)]);
  assert.deepEqual(
    ports,
    spokes.slice(0, 253).map((s, i) => [i + 1, s.name]),
    'ports 1..253 in connect order',
  );
  assert.equal(net.host.addLink('hub', 's253'), false, 'the 254th link is refused');
  assert.equal(net.host.refusedLinks, 1);
  net.host.removeLink('hub', 's4'); // port 5
  net.host.removeLink('hub', 's1'); // port 2
  assert.equal(net.host.addLink('hub', 's253'), true);
  assert.equal(net.port('hub', 's253'), 2, 'lowest free port reused');
  assert.equal(net.host.addLink('hub', 's4'), true);
  assert.equal(net.port('hub', 's4'), 5);
  assert.equal(net.port('s4', 'hub'), 1, 'the spoke’s freed port 1 reused too');
});

test('checklist 10: the first frame on a new link is a tree announcement whose last entry has the new port and the node’s key', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'a', seed: 1 },
      { name: 'b', seed: 2 },
      { name: 'c', seed: 3 },
      { name: 'd', seed: 4 },
    ],
    edges: [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
    ],
  });
  net.run(5 * S);
  const t = net.now;
  net.host.addLink('d', 'a');
  net.host.addLink('b', 'd');
  net.runFor(1 * S);
  const checks: [string, string][] = [
    ['a', 'b'],
    ['b', 'a'],
    ['c', 'd'],
    ['d', 'a'],
    ['a', 'd'],
    ['b', 'd'],
    ['d', 'b'],
  ];
  for (const [node, peer] of checks) {
    const first = net.tx.find(
      (r) => r.node === node && r.peer === peer && (node !== 'a' || peer !== 'd' || r.at >= t),
    );
    assert.ok(first !== undefined, `${node}→${peer}`);
    assert.equal(
      first.frame.type,
      FrameType.TreeAnnouncement,
      `${node}→${peer}: an announcement first`,
    );
    const last = (first.frame as TreeAnnouncementFrame).announcement.hops.at(-1);
    assert.equal(last?.port, net.port(node, peer), `${node}→${peer}: the new port`);
    assert.equal(
      last && hex(last.signer),
      hex(net.key(node)),
      `${node}→${peer}: signed by the node`,
    );
  }
});

test('checklist 11: an idle link carries a keepalive every 3 s; a link silent for 5 s is dropped', () => {
  const net = pair();
  net.run(40 * S);
  // a is root: after convergence it sends nothing but keepalives on its link, exactly every 3 s.
  const fromA = net.tx.filter((r) => r.node === 'a' && r.at >= 10 * S);
  assert.ok(fromA.length >= 9);
  assert.ok(fromA.every((r) => r.frame.type === FrameType.Keepalive));
  for (let i = 1; i < fromA.length; i++) {
    assert.equal((fromA[i] as TxRecord).at - (fromA[i - 1] as TxRecord).at, 3 * S);
  }
  // b bootstraps every 5 s; each idle stretch of 3 s after a frame is filled by a keepalive.
  const fromB = net.tx.filter((r) => r.node === 'b' && r.at >= 10 * S);
  for (let i = 1; i < fromB.length; i++) {
    const cur = fromB[i] as TxRecord;
    const gap = cur.at - (fromB[i - 1] as TxRecord).at;
    assert.ok(gap <= 3 * S, `b: gap ${gap}`);
    if (cur.frame.type === FrameType.Keepalive)
      assert.equal(gap, 3 * S, 'keepalive after 3 s idle');
  }
  assert.equal(net.closed.length, 0);
  // From now on a's frames are lost: b drops the link 5 s after the last one arrived.
  const lastArrival = net.rx.filter((r) => r.node === 'b').at(-1) as { at: number };
  net.tap = (node, _port, frame) => (node === 'a' ? null : frame);
  net.runFor(10 * S);
  assert.deepEqual(
    net.closed.map((c) => [c.node, c.reason, c.at]),
    [['b', 'keepalive-timeout', lastArrival.at + 5 * S]],
  );
});

test('checklist 11: with keepalives disabled a silent link is never dropped', () => {
  const net = pair({ keepalives: false });
  net.tap = (node, _port, frame) => (node === 'a' && net.now > 5 * S ? null : frame);
  net.run(120 * S);
  assert.deepEqual(net.closed, []);
  assert.deepEqual(net.txOf(FrameType.Keepalive), []);
  assert.equal(net.view('b').peers.length, 1);
});

test('checklist 12: when the last link goes down the node resets: own root, [], empty table and cache, sequence + 1', () => {
  for (const who of ['a', 'b']) {
    const net = pair();
    net.run(20 * S);
    net.send('b', 'a', payloadOf(1)); // a caches b's coordinates
    net.send('a', 'b', payloadOf(2)); // b caches nothing: a (root) has coordinates []
    net.runFor(1 * S);
    const r = net.router(who);
    if (who === 'a') {
      assert.equal(r.snapshot().coordsCacheSize, 1);
      assert.equal(r.snapshot().tableSize, 1, 'a holds b’s bootstrap entry');
    }
    const seq = r.tree.sequence;
    net.host.removeLink('a', 'b');
    net.runFor(1);
    const v = r.snapshot();
    assert.equal(hex(v.rootKey), hex(net.key(who)), `${who}: root of itself`);
    assert.deepEqual(v.coords, []);
    assert.equal(v.parentPort, null);
    assert.equal(v.tableSize, 0);
    assert.equal(v.coordsCacheSize, 0);
    assert.equal(v.descendingKey, null);
    assert.equal(v.rootSeq, seq + 1, `${who}: sequence + 1`);
    assert.equal(r.tree.sequence, seq + 1);
  }
});
