/**
 * test/host-protocol.test.ts — regression tests for host deviations found by the protocol review
 * (notes/review.md A.1, A.2, B.1), on real routers inside the real host (test/conformance/net.ts):
 * - a node added or linked after start-up sends its first announcement with sequence 1 (§5.3.1);
 * - object mode refuses frames over 65535 bytes like the wire encoder (§3.6, §7.5);
 * - the adversary filter is the §7.1 step 2 hook: after local delivery and after the frame counted
 *   as received for the read deadline (§4.3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareKeys, keysEqual } from '../router/keys.ts';
import { FrameType, type Identity, type TreeAnnouncementFrame } from '../router/types.ts';
import { frameLength } from '../router/wire/frame.ts';
import type { TrafficOutcome } from '../sim/host-api.ts';
import { ConfNet, crypto, MS, S } from './conformance/net.ts';

/** Every announcement whose root is its sender carries a sequence ≥ 1 (§5.3.1, checklist 13). */
function assertNoSequenceZero(net: ConfNet): void {
  const anns = net.txOf(FrameType.TreeAnnouncement);
  assert.ok(anns.length > 0);
  for (const r of anns) {
    const a = (r.frame as TreeAnnouncementFrame).announcement;
    assert.notEqual(
      a.rootSeq,
      0,
      `${r.node} sent root ${r.node} seq 0 at ${r.at} on port ${r.port}`,
    );
  }
}

test('§5.3.1: a node added and linked in one action announces sequence 1 first, never 0', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'A', seed: 1 },
      { name: 'B', seed: 2 },
    ],
    edges: [['A', 'B']],
  });
  net.host.at(6 * S, () => {
    net.addNode({ name: 'X', seed: 3 });
    assert.equal(net.host.addLink('X', 'A'), true);
    net.addNode({ name: 'Y', seed: 4 });
  });
  // A second action at the same instant links Y (started at this instant, timers maybe not run).
  net.host.at(6 * S, () => net.host.addLink('B', 'Y'));
  net.run(10 * S);
  assertNoSequenceZero(net);
  const first = net.txOf(FrameType.TreeAnnouncement, 'X')[0];
  assert.ok(first !== undefined && first.at === 6 * S);
  const ann = (first.frame as TreeAnnouncementFrame).announcement;
  assert.ok(keysEqual(ann.rootKey, net.key('X')));
  assert.equal(ann.rootSeq, 1);
  assert.deepEqual(net.host.links().length, 3);
});

test('§5.3.1: addLink before either end started connects after both ends ran their start timers', () => {
  const net = new ConfNet({
    nodes: [
      { name: 'A', seed: 1 },
      { name: 'B', seed: 2 },
      { name: 'C', seed: 3 },
      { name: 'D', seed: 4 },
    ],
    edges: [['A', 'B']],
    startSpread: S,
    seed: 'late-links',
  });
  // Nothing has started yet (time 0, nothing run): each link waits for its later end.
  net.host.addLink('A', 'C');
  net.host.addLink('D', 'C');
  net.host.addLink('B', 'D');
  net.run(4 * S);
  assertNoSequenceZero(net);
  assert.equal(net.host.links().length, 4);
});

/** `n` identities sorted by key, greatest first. */
function identitiesByKeyDescending(n: number): Uint8Array[] {
  const ids: Identity[] = [];
  for (let i = 0; i < n; i++) {
    const seed = new Uint8Array(32);
    seed[0] = i & 0xff;
    seed[1] = i >> 8;
    seed[31] = 0x5a;
    ids.push({ seed, publicKey: crypto.publicKey(seed) });
  }
  ids.sort((a, b) => compareKeys(b.publicKey, a.publicKey));
  return ids.map((id) => id.seed);
}

/**
 * A line n0 – n1 – … grown one node every 5 ms (each join costs O(1) announcements), n0 the
 * greatest key and so the root: the announcement n_k sends to n_{k+1} has k + 1 hops of ≥ 97 bytes.
 */
function deepLine(wireEncode: boolean, n: number) {
  const seeds = identitiesByKeyDescending(n);
  const opts = { signatures: false };
  const net = new ConfNet({
    nodes: [{ name: 'n0', seed: seeds[0] as Uint8Array }],
    options: opts,
    latency: 1 * MS,
    wireEncode,
  });
  for (let i = 1; i < n; i++) {
    net.host.at(i * 5 * MS, () => {
      net.addNode({ name: `n${i}`, seed: seeds[i] as Uint8Array }, opts);
      net.host.addLink(`n${i - 1}`, `n${i}`);
    });
  }
  net.run(n * 5 * MS + 2 * S);
  return net;
}

test('§3.6/§7.5: object mode refuses an announcement over 65535 bytes like --wire-encode', () => {
  const n = 720;
  const plain = deepLine(false, n);
  const wire = deepLine(true, n);
  // The routers did produce announcements just over the limit (one hop more than fits).
  let longest = 0;
  for (const r of plain.txOf(FrameType.TreeAnnouncement)) {
    longest = Math.max(longest, frameLength(r.frame));
  }
  const drops = plain.host.linkDrops.get('encode-error') ?? 0;
  assert.ok(drops >= 1, `object mode closed ${drops} link(s) for an oversize frame`);
  assert.equal(drops, wire.host.linkDrops.get('encode-error') ?? 0);
  assert.deepEqual([...plain.host.linkDrops], [...wire.host.linkDrops]);
  assert.equal(plain.host.traceHash(), wire.host.traceHash());
  assert.deepEqual(plain.host.links(), wire.host.links());
  assert.deepEqual([...plain.host.bytesSent], [...wire.host.bytesSent]);
  assert.ok(longest > 0xffff && longest < 0xffff + 200, `longest announcement ${longest}`);
  // The line is cut where the depth crosses the limit (≈ 675 hops), not elsewhere.
  const names = new Set(plain.host.links().flat());
  assert.ok(names.has('n600') && names.size < n, `${names.size} linked nodes`);
});

/** Three nodes in a line A – B – C with B the greatest key (so B is everybody's root). */
function adversaryLine(): ConfNet {
  const seeds = [1, 2, 3].sort((x, y) =>
    compareKeys(
      crypto.publicKey(new Uint8Array(32).fill(x)),
      crypto.publicKey(new Uint8Array(32).fill(y)),
    ),
  );
  return new ConfNet({
    nodes: [
      { name: 'A', seed: seeds[0] as number },
      { name: 'B', seed: seeds[2] as number },
      { name: 'C', seed: seeds[1] as number },
    ],
    edges: [
      ['A', 'B'],
      ['B', 'C'],
    ],
  });
}

test('§7.1 step 2: the adversary filter runs after local delivery and after the read deadline reset', () => {
  const net = adversaryLine();
  const outcomes: TrafficOutcome[] = [];
  net.host.onTraffic((o) => outcomes.push(o));
  net.run(3 * S);
  assert.equal(net.view('A').parentKey !== null, true);
  const seen: string[] = [];
  // B drops every frame of every type it receives (pineconesim "Overall 100 %").
  net.host.setFilter((node, peer, type, direction) => {
    if (node === 'B' && direction === 'in') seen.push(`${peer}:${type}`);
    return node === 'B' && direction === 'in';
  });
  net.run(15 * S);
  // Dropped keepalives and announcements still count as received: no keepalive timeout.
  assert.equal(net.host.linkDrops.get('keepalive-timeout') ?? 0, 0);
  assert.equal(net.host.links().length, 2);
  assert.ok(seen.includes(`A:${FrameType.Keepalive}`));
  // Traffic addressed to B itself is delivered before the filter (step 1) and never filtered.
  net.host.sendProbe('A', 'B', 1, 'snek');
  // Traffic B would forward is dropped by the filter.
  net.host.sendProbe('A', 'C', 2, 'given');
  net.run(16 * S);
  assert.deepEqual(
    outcomes.map((o) => [o.id, o.reached, o.dropReason]),
    [
      [1, 'B', null],
      [2, null, 'filter'],
    ],
  );
  // Only the frame B would forward reached the filter.
  assert.equal(seen.filter((s) => s === `A:${FrameType.Traffic}`).length, 1);
});

test('§7.1: with the filter in both wire modes the run is the same', () => {
  const run = (wireEncode: boolean) => {
    const net = new ConfNet({
      nodes: [
        { name: 'A', seed: 1 },
        { name: 'B', seed: 2 },
        { name: 'C', seed: 3 },
      ],
      edges: [
        ['A', 'B'],
        ['B', 'C'],
        ['C', 'A'],
      ],
      wireEncode,
    });
    net.host.setFilter((node, _peer, type) => node === 'B' && type === FrameType.Bootstrap);
    net.run(12 * S);
    return net.host.traceHash();
  };
  assert.equal(run(false), run(true));
});
