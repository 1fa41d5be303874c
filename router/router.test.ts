/**
 * router/router.test.ts — several Router instances wired by a tiny in-test delivery loop
 * (events ordered by (time, seq), zero latency unless given), checking whole-protocol outcomes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import type { Ed25519 } from './crypto.ts';
import { withVerificationCache } from './crypto-cache.ts';
import { createNodeEd25519 } from './crypto-node.ts';
import { compareKeys, toHex } from './keys.ts';
import type { RouterOptions } from './options.ts';
import { Router, TIMER_PORTS } from './router.ts';
import {
  type Effects,
  type Frame,
  FrameType,
  type LinkDropReason,
  LinkType,
  MICROS_PER_SECOND,
  type Micros,
  type Port,
  type TrafficDropReason,
  type TrafficFrame,
} from './types.ts';
import { encodeFrame, keepaliveFrame } from './wire/frame.ts';

const S = MICROS_PER_SECOND;
const crypto: Ed25519 = withVerificationCache(createNodeEd25519());

export function seedKey(byte: number): { seed: Uint8Array; publicKey: Uint8Array } {
  const seed = new Uint8Array(32).fill(byte);
  return { seed, publicKey: crypto.publicKey(seed) };
}

interface Ev {
  at: Micros;
  seq: number;
  run: () => void;
}

interface NodeRec {
  readonly name: string;
  readonly router: Router;
  readonly fx: Effects;
  /** port → [peer node index, peer port] */
  readonly links: Map<Port, [number, Port]>;
  readonly timers: Map<number, number>; // timer id → token
  readonly delivered: TrafficFrame[];
  readonly dropped: [TrafficFrame, TrafficDropReason][];
  readonly closed: [Port, LinkDropReason][];
}

/** Minimal deterministic host: zero (or fixed) latency links, unlimited bandwidth. */
export class Net {
  now: Micros = 0;
  private seq = 0;
  private readonly events: Ev[] = [];
  readonly nodes: NodeRec[] = [];
  received = new Map<number, number>(); // frame type → count received
  latency: Micros;
  /** Optional hook to rewrite/inspect a frame in flight (return null to lose it). */
  tap: ((from: number, to: number, frame: Frame) => Frame | null) | null = null;
  wireEncode = false;

  constructor(latency: Micros = 0) {
    this.latency = latency;
  }

  schedule(at: Micros, run: () => void): void {
    const ev = { at, seq: this.seq++, run };
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.events[mid] as Ev;
      if (m.at < at || (m.at === at && m.seq < ev.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.events.splice(lo, 0, ev);
  }

  add(
    name: string,
    identity: { seed: Uint8Array; publicKey: Uint8Array },
    options: Partial<RouterOptions> = {},
  ): number {
    const index = this.nodes.length;
    const rng = seedrandom(`queues-${name}`);
    const router = new Router(identity, options, crypto, () => rng.quick());
    const rec: NodeRec = {
      name,
      router,
      links: new Map(),
      timers: new Map(),
      delivered: [],
      dropped: [],
      closed: [],
      fx: undefined as unknown as Effects,
    };
    const net = this;
    (rec as { fx: Effects }).fx = {
      transmit(port, frame) {
        // During connect() the port is not recorded yet: resolve the peer when the frame lands
        // (zero-latency events run after link() returned), keeping the entry to detect a new link.
        const entry = rec.links.get(port) ?? null;
        net.received.set(frame.type, (net.received.get(frame.type) ?? 0) + 1);
        net.schedule(net.now + net.latency, () => {
          const peer = entry ?? rec.links.get(port);
          if (peer === undefined || rec.links.get(port) !== peer) return; // link gone meanwhile
          const [pi, pp] = peer;
          const target = net.nodes[pi] as NodeRec;
          const f: Frame | null = net.tap === null ? frame : net.tap(index, pi, frame);
          if (f === null) return;
          if (net.wireEncode) {
            const bytes = encodeFrame(f);
            if (bytes instanceof Uint8Array) {
              target.router.receiveBytes(net.now, pp, bytes, target.fx);
              return;
            }
          }
          target.router.receive(net.now, pp, f, target.fx);
        });
        return true;
      },
      setTimer(timer, at) {
        const token = net.seq;
        rec.timers.set(timer, token);
        net.schedule(at, () => {
          if (rec.timers.get(timer) !== token) return; // replaced
          rec.timers.delete(timer);
          router.timer(net.now, timer, rec.fx);
        });
      },
      closeLink(port, reason) {
        rec.closed.push([port, reason]);
        const peer = rec.links.get(port);
        rec.links.delete(port);
        if (peer !== undefined) {
          const [pi, pp] = peer;
          const target = net.nodes[pi] as NodeRec;
          target.links.delete(pp);
          net.schedule(net.now, () => target.router.disconnect(net.now, pp, target.fx));
        }
      },
      deliver(frame) {
        rec.delivered.push(frame);
      },
      dropTraffic(frame, reason) {
        rec.dropped.push([frame, reason]);
      },
    };
    this.nodes.push(rec);
    router.start(this.now, rec.fx);
    return index;
  }

  /** Link a–b; returns [port on a, port on b] or null if refused. */
  link(a: number, b: number, type: LinkType = LinkType.Pipe): [Port, Port] | null {
    const na = this.nodes[a] as NodeRec;
    const nb = this.nodes[b] as NodeRec;
    // Both ports are allocated before either side's first frame is delivered.
    const pa = na.router.connect(this.now, nb.router.publicKey, type, na.fx);
    if (pa === null) return null;
    na.links.set(pa, [b, -1]);
    const pb = nb.router.connect(this.now, na.router.publicKey, type, nb.fx);
    if (pb === null) {
      na.links.delete(pa);
      na.router.disconnect(this.now, pa, na.fx);
      return null;
    }
    na.links.set(pa, [b, pb]);
    nb.links.set(pb, [a, pa]);
    return [pa, pb];
  }

  unlink(a: number, b: number): void {
    const na = this.nodes[a] as NodeRec;
    const nb = this.nodes[b] as NodeRec;
    for (const [pa, [pi, pb]] of na.links) {
      if (pi !== b) continue;
      na.links.delete(pa);
      nb.links.delete(pb);
      na.router.disconnect(this.now, pa, na.fx);
      nb.router.disconnect(this.now, pb, nb.fx);
      return;
    }
  }

  runUntil(until: Micros): void {
    while (this.events.length > 0 && (this.events[0] as Ev).at <= until) {
      const ev = this.events.shift() as Ev;
      this.now = ev.at;
      ev.run();
    }
    this.now = until;
  }

  node(i: number): NodeRec {
    return this.nodes[i] as NodeRec;
  }
}

function hex8(k: Uint8Array | null): string | null {
  return k === null ? null : toHex(k).slice(0, 8);
}

describe('Router: two-node root election (checklist 14)', () => {
  for (const [skip, expected] of [
    [false, 7],
    [true, 3],
  ] as const) {
    it(`${expected} announcements ${skip ? 'with headSkipFirstInform' : 'by default'}`, () => {
      const net = new Net(5_000);
      const a = net.add('1', seedKey(1), { headSkipFirstInform: skip });
      const b = net.add('2', seedKey(2), { headSkipFirstInform: skip });
      net.runUntil(1 * S);
      net.received.clear();
      net.link(a, b);
      net.runUntil(4 * S);
      assert.equal(net.received.get(FrameType.TreeAnnouncement), expected);
      const va = net.node(a).router.snapshot();
      const vb = net.node(b).router.snapshot();
      // K1 (seed 1) > K2 (seed 2): K1 root, K2 has coords [port of K1].
      assert.ok(compareKeys(va.key, vb.key) > 0);
      assert.equal(toHex(vb.rootKey), toHex(va.key));
      assert.deepEqual(va.coords, []);
      assert.deepEqual(vb.coords, [1]);
      assert.equal(vb.parentPort, 1);
      assert.equal(va.parentPort, null);
    });
  }

  it('reaches agreement only after the 1 s hold-down by default, at once with #72', () => {
    for (const skip of [false, true]) {
      const net = new Net(5_000);
      const a = net.add('1', seedKey(1), { headSkipFirstInform: skip });
      const b = net.add('2', seedKey(2), { headSkipFirstInform: skip });
      net.runUntil(1 * S);
      net.link(a, b);
      net.runUntil(1 * S + 500_000);
      const agreed =
        toHex(net.node(b).router.snapshot().rootKey) === toHex(net.node(a).router.publicKey);
      const holding = net.node(b).router.tree.waiting;
      if (skip) assert.ok(agreed && !holding, 'HEAD: agreement without hold-down');
      else assert.ok(!agreed && holding, 'd0beb18: still in hold-down at +0.5 s');
      net.runUntil(2 * S + 100_000);
      assert.equal(
        toHex(net.node(b).router.snapshot().rootKey),
        toHex(net.node(a).router.publicKey),
      );
    }
  });
});

describe('Router: six-node golden line (checklist 23)', () => {
  it('root seed3, coordinates and descending pointers after 15 s', () => {
    const net = new Net(1_000);
    const ids: number[] = [];
    for (let s = 1; s <= 6; s++) ids.push(net.add(`seed${s}`, seedKey(s)));
    for (let i = 0; i < 5; i++) net.link(ids[i] as number, ids[i + 1] as number);
    net.runUntil(15 * S);
    const key = (s: number) => net.node(s - 1).router.publicKey;
    const expectedCoords: Record<number, number[]> = {
      1: [1, 1],
      2: [1],
      3: [],
      4: [2],
      5: [2, 2],
      6: [2, 2, 2],
    };
    const expectedDesc: Record<number, number | null> = { 3: 4, 4: 1, 1: 6, 6: 2, 2: 5, 5: null };
    assert.equal(toHex(key(3)).slice(0, 8), 'ed4928c6');
    for (let s = 1; s <= 6; s++) {
      const v = net.node(s - 1).router.snapshot();
      assert.equal(toHex(v.rootKey), toHex(key(3)), `seed${s} root`);
      assert.deepEqual(v.coords, expectedCoords[s], `seed${s} coords`);
      const d = expectedDesc[s] as number | null;
      assert.equal(hex8(v.descendingKey), d === null ? null : hex8(key(d)), `seed${s} descending`);
    }
  });
});

describe('Router: ports (checklist 9)', () => {
  it('lowest free port ≥ 1, freed ports reused, the link beyond maxPorts refused', () => {
    const net = new Net();
    const hub = net.add('hub', seedKey(0x40));
    const spokes: number[] = [];
    for (let i = 0; i < 254; i++) spokes.push(net.add(`s${i}`, seedKey(0x41 + (i % 100))));
    for (let i = 0; i < 253; i++) {
      const r = net.link(hub, spokes[i] as number);
      assert.ok(r !== null);
      assert.equal(r[0], i + 1);
    }
    assert.equal(net.link(hub, spokes[253] as number), null, '254th link refused');
    net.unlink(hub, spokes[4] as number); // port 5
    net.unlink(hub, spokes[1] as number); // port 2
    assert.deepEqual(net.link(hub, spokes[253] as number)?.[0], 2);
    assert.deepEqual(net.link(hub, spokes[4] as number)?.[0], 5);
  });

  it('maxPorts option bounds the links', () => {
    const net = new Net();
    const a = net.add('a', seedKey(1), { maxPorts: 2 });
    const b = net.add('b', seedKey(2));
    assert.ok(net.link(a, b));
    assert.ok(net.link(a, b));
    assert.equal(net.link(a, b), null);
  });
});

describe('Router: bad input drops the link, never throws (checklist 7/8)', () => {
  function pair(): { net: Net; a: number; b: number } {
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1));
    const b = net.add('b', seedKey(2));
    net.link(a, b);
    net.runUntil(3 * S);
    return { net, a, b };
  }

  it('bad magic / short length / garbage bytes drop the link', () => {
    for (const [bytes, reason] of [
      [Uint8Array.of(0x70, 0x69, 0x6e, 0x66, 0, 0, 0, 0, 0, 10), 'bad-magic'],
      [Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 5), 'bad-length'],
      [Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 0, 1, 0, 0, 0, 13, 0, 1, 9), null],
    ] as const) {
      const { net, b } = pair();
      const nb = net.node(b);
      assert.doesNotThrow(() => nb.router.receiveBytes(net.now, 1, bytes, nb.fx));
      assert.equal(nb.closed.length, 1);
      if (reason !== null) assert.equal(nb.closed[0]?.[1], reason);
      assert.equal(nb.router.snapshot().peers.length, 0);
    }
  });

  it('a flipped announcement byte fails verification and drops the link', () => {
    const { net, a, b } = pair();
    const na = net.node(a);
    const nb = net.node(b);
    // Re-announce from a (root refresh) with one signature byte flipped in flight.
    net.tap = (_from, _to, frame) => {
      if (frame.type !== FrameType.TreeAnnouncement) return frame;
      const hops = frame.announcement.hops.map((h) => ({ ...h }));
      const sig = new Uint8Array((hops[0] as { signature: Uint8Array }).signature);
      sig[5] = (sig[5] as number) ^ 1;
      (hops[0] as { signature: Uint8Array }).signature = sig;
      return { ...frame, announcement: { ...frame.announcement, hops } };
    };
    na.router.timer(net.now, 0, na.fx); // tree timer: a is root → new sequence, announce
    net.runUntil(net.now + 10_000);
    assert.deepEqual(
      nb.closed.map((c) => c[1]),
      ['bad-signature'],
    );
  });

  it('announcement whose last signer is not the link key drops the link (sanity)', () => {
    // Signatures off so that the sanity check (not verification) is what fails.
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1), { signatures: false });
    const b = net.add('b', seedKey(2), { signatures: false });
    net.link(a, b);
    net.runUntil(3 * S);
    const na = net.node(a);
    const nb = net.node(b);
    const other = seedKey(9);
    net.tap = (_from, _to, frame) => {
      if (frame.type !== FrameType.TreeAnnouncement) return frame;
      const hops = [...frame.announcement.hops];
      hops[hops.length - 1] = { port: 3, signer: other.publicKey, signature: new Uint8Array(64) };
      return { ...frame, announcement: { ...frame.announcement, hops } };
    };
    na.router.timer(net.now, 0, na.fx);
    net.runUntil(net.now + 10_000);
    assert.deepEqual(
      nb.closed.map((c) => c[1]),
      ['announcement-sanity'],
    );
  });

  it('with signatures off, sanity still drops a repeated signer', () => {
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1), { signatures: false });
    const b = net.add('b', seedKey(2), { signatures: false });
    net.link(a, b);
    net.runUntil(2 * S);
    const nb = net.node(b);
    const ka = net.node(a).router.publicKey;
    nb.router.receive(
      net.now,
      1,
      {
        type: FrameType.TreeAnnouncement,
        extra: 0,
        hopLimit: 0,
        announcement: {
          rootKey: ka,
          rootSeq: 9,
          hops: [
            { port: 1, signer: ka, signature: new Uint8Array(64) },
            { port: 1, signer: ka, signature: new Uint8Array(64) },
          ],
        },
      },
      nb.fx,
    );
    assert.deepEqual(
      nb.closed.map((c) => c[1]),
      ['announcement-sanity'],
    );
  });

  it('a replayed lower sequence for the same root drops the link (checklist 15)', () => {
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1));
    const b = net.add('b', seedKey(2));
    let first: Frame | null = null;
    net.tap = (from, _to, frame) => {
      if (from === a && frame.type === FrameType.TreeAnnouncement && first === null) first = frame;
      return frame;
    };
    net.link(a, b);
    net.runUntil(2 * S);
    const na = net.node(a);
    na.router.timer(net.now, 0, na.fx); // sequence 2
    net.runUntil(net.now + 10_000);
    const nb = net.node(b);
    assert.equal(nb.closed.length, 0);
    nb.router.receive(net.now, 1, first as unknown as Frame, nb.fx);
    assert.deepEqual(
      nb.closed.map((c) => c[1]),
      ['announcement-replay'],
    );
  });
});

describe('Router: keepalives (checklist 11) and reset (checklist 12, 13)', () => {
  it('keepalive every 3 s when idle; silent link dropped after 5 s', () => {
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1));
    const b = net.add('b', seedKey(2));
    net.link(a, b);
    net.runUntil(30 * S);
    assert.equal(net.node(a).closed.length + net.node(b).closed.length, 0);
    assert.ok((net.received.get(FrameType.Keepalive) ?? 0) > 0);
    // Lose everything from a: b drops the link for silence.
    net.tap = (from, _to, frame) => (from === a ? null : frame);
    const t = net.now;
    net.runUntil(t + 6 * S);
    assert.deepEqual(
      net.node(b).closed.map((c) => c[1]),
      ['keepalive-timeout'],
    );
  });

  it('one timer checks every link: only the silent link of a hub is dropped, 5 s after its last frame', () => {
    const net = new Net(1_000);
    const hub = net.add('hub', seedKey(1));
    const leaves = [2, 3, 4, 5].map((k) => net.add(`l${k}`, seedKey(k)));
    for (const leaf of leaves) net.link(hub, leaf);
    net.runUntil(30 * S);
    // Fixed timers 0..4 (tree, snake, cache sweep, wakeup, ports) and hold-downs (≥ 4096) only:
    // no timer per link.
    for (const id of net.node(hub).timers.keys())
      assert.ok(id <= TIMER_PORTS || id >= 4096, `${id}`);
    const silent = leaves[1] as number;
    const port = [...net.node(hub).links].find(([, [peer]]) => peer === silent)?.[0] as Port;
    let cut = false;
    let lastArrival = -1;
    net.tap = (from, to, frame) => {
      if (from !== silent) return frame;
      if (cut) return null;
      if (to === hub) lastArrival = net.now;
      return frame;
    };
    net.runUntil(40 * S);
    cut = true;
    net.runUntil(lastArrival + 5 * S - 1);
    assert.deepEqual(net.node(hub).closed, []);
    net.runUntil(lastArrival + 5 * S);
    assert.deepEqual(net.node(hub).closed, [[port, 'keepalive-timeout']]);
    net.runUntil(60 * S);
    assert.equal(net.node(hub).closed.length, 1);
    assert.equal(net.node(hub).router.snapshot().peers.length, 3);
  });

  it('hands back with every transmit the channel the host gave the link’s connect, −1 with none', () => {
    const sent: [Port, number | undefined][] = [];
    const fx: Effects = {
      transmit(port, _frame, channel) {
        sent.push([port, channel]);
        return true;
      },
      setTimer() {},
      closeLink() {},
      deliver() {},
      dropTraffic() {},
    };
    const r = new Router(seedKey(1), {}, crypto, seedrandom('c').quick);
    r.start(0, fx);
    const a = r.connect(0, seedKey(2).publicKey, LinkType.Pipe, fx, 14) as Port;
    const b = r.connect(0, seedKey(3).publicKey, LinkType.Pipe, fx) as Port;
    r.receive(1, a, keepaliveFrame(), fx);
    r.timer(3 * S, TIMER_PORTS, fx); // keepalives owed on both links
    assert.deepEqual(
      sent.filter(([port]) => port === a).map(([, c]) => c),
      [14, 14],
    );
    assert.deepEqual(
      sent.filter(([port]) => port === b).map(([, c]) => c),
      [-1, -1],
    );
  });

  it('a frame given with a stale link handle counts for the link now on its port (§4.3 read deadline)', () => {
    const closed: [Micros, Port][] = [];
    let now: Micros = 0;
    const fx: Effects = {
      transmit: () => true,
      setTimer() {},
      closeLink(port) {
        closed.push([now, port]);
      },
      deliver() {},
      dropTraffic() {},
    };
    const r = new Router(seedKey(1), {}, crypto, seedrandom('h').quick);
    r.start(0, fx);
    const port = r.connect(0, seedKey(2).publicKey, LinkType.Pipe, fx) as Port;
    const stale = r.linkHandle(port);
    r.disconnect(0, port, fx);
    assert.equal(r.connect(0, seedKey(3).publicKey, LinkType.Pipe, fx), port); // the port again
    const current = r.linkHandle(port);
    assert.notEqual(current, stale);
    now = 4 * S;
    r.receive(now, port, keepaliveFrame(), fx, stale); // read deadline of the new link → 9 s
    const check = (at: Micros): void => {
      now = at;
      r.timer(now, TIMER_PORTS, fx);
    };
    for (const at of [5 * S, 6 * S, 8 * S]) check(at);
    assert.deepEqual(closed, []);
    now = 8.5 * S;
    r.receive(now, port, keepaliveFrame(), fx, current); // → 13.5 s
    check(13 * S);
    assert.deepEqual(closed, []);
    check(13.5 * S);
    assert.deepEqual(closed, [[13.5 * S, port]]);
  });

  it('a busy writer owes its keepalive 3 s after it became idle, not at the busy check (§4.3 [DET])', () => {
    const sent: [Micros, Port, FrameType][] = [];
    const timers = new Map<number, Micros>();
    let busy = true;
    const fx: Effects = {
      transmit(port, frame) {
        sent.push([now, port, frame.type]);
        return !busy;
      },
      setTimer(timer, at) {
        timers.set(timer, at);
      },
      closeLink() {},
      deliver() {},
      dropTraffic() {},
    };
    let now: Micros = 0;
    const r = new Router(seedKey(1), {}, crypto, seedrandom('k').quick);
    r.start(now, fx);
    const port = r.connect(now, seedKey(2).publicKey, LinkType.Pipe, fx) as Port;
    assert.equal(timers.get(TIMER_PORTS), 3 * S); // the first keepalive would be due at 3 s
    const fire = (at: Micros): void => {
      now = at;
      timers.delete(TIMER_PORTS);
      r.timer(now, TIMER_PORTS, fx);
    };
    fire(3 * S); // still serialising the announcement: look again at 6 s; the read deadline is 5 s
    assert.deepEqual(
      sent.map((s) => s[2]),
      [FrameType.TreeAnnouncement],
    );
    assert.equal(timers.get(TIMER_PORTS), 5 * S);
    now = 4 * S;
    r.receive(now, port, keepaliveFrame(), fx); // read deadline → 9 s
    fire(5 * S);
    assert.equal(timers.get(TIMER_PORTS), 6 * S);
    busy = false;
    now = 5.5 * S;
    r.portReady(now, port, fx); // idle from 5.5 s
    fire(6 * S); // nothing due: keepalive at 8.5 s
    assert.equal(sent.length, 1);
    assert.equal(timers.get(TIMER_PORTS), 8.5 * S);
    fire(8.5 * S);
    assert.deepEqual(sent.at(-1), [8.5 * S, port, FrameType.Keepalive]);
    assert.equal(timers.get(TIMER_PORTS), 9 * S); // the read deadline comes first now
  });

  it('property: the ports timer is never late and never re-armed for the past; drops come exactly 5 s after the last frame', () => {
    const op = fc.record({
      dt: fc.integer({ min: 1, max: 4_000_000 }),
      kind: fc.constantFrom('receive', 'busy', 'idle', 'ready'),
      port: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60 }), (n, ops) => {
        let now: Micros = 0;
        let armed: Micros | null = null;
        let busy = false;
        const pending = new Set<Port>();
        const lastSent = new Map<Port, Micros>();
        const lastReceived = new Map<Port, Micros>();
        const closed = new Map<Port, Micros>();
        const fx: Effects = {
          transmit(port, frame) {
            if (frame.type === FrameType.Keepalive) {
              // §4.3: a keepalive only after 3 s of writer idleness (sends and ready both count).
              assert.ok(now - (lastSent.get(port) ?? 0) >= 3 * S, `keepalive early on ${port}`);
            }
            lastSent.set(port, now);
            if (busy) pending.add(port);
            return !busy;
          },
          setTimer(timer, at) {
            if (timer !== TIMER_PORTS) return;
            assert.ok(at > now, `re-armed for ${at} at ${now}`);
            armed = at;
          },
          closeLink(port) {
            closed.set(port, now);
          },
          deliver() {},
          dropTraffic() {},
        };
        const r = new Router(seedKey(1), {}, crypto, seedrandom('p').quick);
        r.start(0, fx);
        for (let i = 0; i < n; i++) {
          const port = r.connect(0, seedKey(10 + i).publicKey, LinkType.Pipe, fx) as Port;
          lastReceived.set(port, 0);
          lastSent.set(port, 0);
        }
        const runTo = (t: Micros): void => {
          while (armed !== null && armed <= t) {
            now = armed;
            armed = null;
            r.timer(now, TIMER_PORTS, fx);
          }
          now = t;
        };
        for (const o of ops) {
          runTo(now + o.dt);
          if (!lastReceived.has(o.port) || closed.has(o.port)) continue;
          if (o.kind === 'receive') {
            r.receive(now, o.port, keepaliveFrame(), fx);
            lastReceived.set(o.port, now);
          } else if (o.kind === 'busy') busy = true;
          else if (o.kind === 'idle') busy = false;
          else if (pending.has(o.port) && !busy) {
            pending.delete(o.port);
            lastSent.set(o.port, now);
            r.portReady(now, o.port, fx);
          }
        }
        runTo(now + 6 * S);
        // Every link that heard nothing for 5 s was dropped, exactly then.
        for (const [port, at] of closed)
          assert.equal(at, (lastReceived.get(port) as Micros) + 5 * S);
        for (const [port, heard] of lastReceived)
          if (!closed.has(port)) assert.ok(now - heard < 5 * S, `port ${port} not dropped`);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('with keepalives off a silent link is never dropped', () => {
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1), { keepalives: false });
    const b = net.add('b', seedKey(2), { keepalives: false });
    net.link(a, b);
    net.tap = (from, _to, frame) => (from === a && net.now > 2 * S ? null : frame);
    net.runUntil(60 * S);
    assert.equal(net.node(b).closed.length, 0);
    assert.equal(net.received.get(FrameType.Keepalive) ?? 0, 0);
  });

  it('a lone node is root [] with sequence 1; losing the last link resets and bumps the sequence', () => {
    const net = new Net(1_000);
    const a = net.add('a', seedKey(1));
    const b = net.add('b', seedKey(2));
    net.runUntil(1 * S);
    const v0 = net.node(b).router.snapshot();
    assert.deepEqual(v0.coords, []);
    assert.equal(v0.rootSeq, 1);
    net.link(a, b);
    net.runUntil(20 * S);
    const nb = net.node(b).router;
    assert.ok(nb.snake.entries.length >= 0);
    const seqBefore = nb.tree.sequence;
    net.unlink(a, b);
    net.runUntil(net.now + 1);
    const v = nb.snapshot();
    assert.equal(toHex(v.rootKey), toHex(nb.publicKey));
    assert.deepEqual(v.coords, []);
    assert.equal(v.tableSize, 0);
    assert.equal(v.coordsCacheSize, 0);
    assert.equal(v.descendingKey, null);
    assert.equal(nb.tree.sequence, seqBefore + 1);
  });
});

/** Random connected graph: a random spanning tree plus extra edges. */
function randomGraph(n: number, extra: number, seed: string): [number, number][] {
  const rng = seedrandom(seed);
  const edges: [number, number][] = [];
  const have = new Set<string>();
  for (let i = 1; i < n; i++) {
    const j = Math.floor(rng() * i);
    edges.push([j, i]);
    have.add(`${j}-${i}`);
  }
  while (edges.length < n - 1 + extra) {
    const a = Math.floor(rng() * n);
    const b = Math.floor(rng() * n);
    if (a === b) continue;
    const k = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (have.has(k)) continue;
    have.add(k);
    edges.push([a, b]);
  }
  return edges;
}

function checkConverged(net: Net): { rootOk: boolean; descOk: number } {
  const keys = net.nodes.map((n) => n.router.publicKey);
  const sorted = [...keys].sort(compareKeys);
  const max = sorted[sorted.length - 1] as Uint8Array;
  let rootOk = true;
  let descOk = 0;
  for (const n of net.nodes) {
    const v = n.router.snapshot();
    if (toHex(v.rootKey) !== toHex(max)) rootOk = false;
    const i = sorted.findIndex((k) => compareKeys(k, v.key) === 0);
    const want = i > 0 ? toHex(sorted[i - 1] as Uint8Array) : null;
    if ((v.descendingKey === null ? null : toHex(v.descendingKey)) === want) descOk++;
  }
  return { rootOk, descOk };
}

describe('Router: 50-node random graph sanity (checklists 22, 35, 36)', () => {
  it('greatest key is root, every descending pointer is the predecessor, traffic arrives', () => {
    const net = new Net(2_000);
    const n = 50;
    for (let i = 0; i < n; i++) {
      const seed = new Uint8Array(32);
      seed[0] = i;
      seed[1] = 0xa5;
      net.add(`n${i}`, { seed, publicKey: crypto.publicKey(seed) });
    }
    for (const [a, b] of randomGraph(n, 25, 'graph-50')) net.link(a, b);
    let treeAt = -1;
    let snakeAt = -1;
    for (let t = 1; t <= 60; t++) {
      net.runUntil(t * S);
      const c = checkConverged(net);
      if (treeAt < 0 && c.rootOk) treeAt = t;
      if (snakeAt < 0 && c.rootOk && c.descOk === n) snakeAt = t;
    }
    const c = checkConverged(net);
    assert.ok(c.rootOk, 'all agree on the greatest key');
    assert.equal(c.descOk, n, 'every descending pointer is the predecessor');
    assert.ok(snakeAt > 0 && snakeAt <= 30, `snake converged at ${snakeAt}s`);
    // SNEK traffic between every ordered pair of 10 nodes arrives exactly at its key.
    let sent = 0;
    for (let i = 0; i < 10; i++) {
      for (let j = 0; j < 10; j++) {
        if (i === j) continue;
        const src = net.node(i * 5);
        src.router.sendTraffic(
          net.now,
          net.node(j * 5).router.publicKey,
          Uint8Array.of(i, j),
          src.fx,
          {
            coords: [],
            treeOnly: false,
          },
        );
        sent++;
      }
    }
    net.runUntil(net.now + 1 * S);
    let ok = 0;
    for (let j = 0; j < 10; j++) {
      for (const f of net.node(j * 5).delivered) {
        if (compareKeys(f.destinationKey, net.node(j * 5).router.publicKey) === 0) ok++;
      }
    }
    assert.equal(ok, sent);
    process.stdout.write(`# 50 nodes: tree agreed at ${treeAt}s, snake converged at ${snakeAt}s\n`);
  });
});

/** The golden 6-node line, converged, with options for every node. */
function line(options: Partial<RouterOptions> = {}): Net {
  const net = new Net(1_000);
  for (let s = 1; s <= 6; s++) net.add(`seed${s}`, seedKey(s), options);
  for (let i = 0; i < 5; i++) net.link(i, i + 1);
  net.runUntil(15 * S);
  return net;
}

describe('Router: forwarding and hybrid routing', () => {
  it('SNEK traffic is delivered exactly once to its key (checklist 36)', () => {
    const net = line();
    const src = net.node(0);
    src.router.sendTraffic(net.now, net.node(5).router.publicKey, Uint8Array.of(7), src.fx);
    net.runUntil(net.now + S);
    assert.equal(net.node(5).delivered.length, 1);
    for (let i = 0; i < 5; i++) assert.equal(net.node(i).delivered.length, 0);
  });

  it('absent key: delivered to the next greater key; above the root dropped at source (checklist 37)', () => {
    const net = line();
    // Keys: seed5 6e7a… < seed2 8139… ; 0x70… lies between them → seed2 gets it.
    const absent = new Uint8Array(32);
    absent[0] = 0x70;
    const src = net.node(5);
    src.router.sendTraffic(net.now, absent, Uint8Array.of(1), src.fx);
    net.runUntil(net.now + S);
    assert.equal(net.node(1).delivered.length, 1);
    const top = new Uint8Array(32).fill(0xfe);
    src.router.sendTraffic(net.now, top, Uint8Array.of(2), src.fx);
    net.runUntil(net.now + S);
    assert.deepEqual(
      src.dropped.map((d) => d[1]),
      ['no-route'],
    );
    // With snekExactDelivery the successor drops it instead.
    const exact = line({ snekExactDelivery: true });
    exact.node(5).router.sendTraffic(exact.now, absent, Uint8Array.of(1), exact.node(5).fx);
    exact.runUntil(exact.now + S);
    assert.equal(exact.node(1).delivered.length, 0);
    assert.deepEqual(
      exact.node(1).dropped.map((d) => d[1]),
      ['no-route'],
    );
  });

  it('blackhole: frames for the application are dropped, forwarding is unchanged (§7.3)', () => {
    const net = line({ blackhole: true });
    const src = net.node(0);
    src.router.sendTraffic(net.now, net.node(5).router.publicKey, Uint8Array.of(7), src.fx);
    net.runUntil(net.now + S);
    for (let i = 0; i < 6; i++) assert.equal(net.node(i).delivered.length, 0);
    assert.deepEqual(
      net.node(5).dropped.map((d) => d[1]),
      ['blackhole'],
    );
  });

  it('after hearing from B, A attaches B’s coordinates for 60 s, then SNEK again (checklist 39)', () => {
    const net = line();
    const a = net.node(0);
    const b = net.node(5);
    const seen: number[][] = [];
    net.tap = (from, _to, frame) => {
      if (from === 0 && frame.type === FrameType.Traffic) seen.push([...frame.destinationCoords]);
      return frame;
    };
    b.router.sendTraffic(net.now, a.router.publicKey, Uint8Array.of(1), b.fx);
    net.runUntil(net.now + S);
    assert.equal(a.delivered.length, 1);
    a.router.sendTraffic(net.now, b.router.publicKey, Uint8Array.of(2), a.fx);
    net.runUntil(net.now + 30 * S);
    a.router.sendTraffic(net.now, b.router.publicKey, Uint8Array.of(3), a.fx);
    net.runUntil(net.now + 31 * S);
    a.router.sendTraffic(net.now, b.router.publicKey, Uint8Array.of(4), a.fx);
    net.runUntil(net.now + S);
    assert.deepEqual(seen, [[2, 2, 2], [2, 2, 2], []]);
    assert.equal(b.delivered.length, 3);
    // hybrid off: never attached.
    const off = line({ hybrid: false });
    const seen2: number[][] = [];
    off.tap = (from, _to, frame) => {
      if (from === 0 && frame.type === FrameType.Traffic) seen2.push([...frame.destinationCoords]);
      return frame;
    };
    off
      .node(5)
      .router.sendTraffic(off.now, off.node(0).router.publicKey, Uint8Array.of(1), off.node(5).fx);
    off.runUntil(off.now + S);
    off
      .node(0)
      .router.sendTraffic(off.now, off.node(5).router.publicKey, Uint8Array.of(1), off.node(0).fx);
    off.runUntil(off.now + S);
    assert.deepEqual(seen2, [[]]);
  });

  it('tree dead end falls back to SNEK; treeOnly frames are dropped there (checklist 40)', () => {
    const net = line();
    const a = net.node(0);
    const bogus = [7, 7, 7];
    a.router.sendTraffic(net.now, net.node(5).router.publicKey, Uint8Array.of(1), a.fx, {
      coords: bogus,
      treeOnly: false,
    });
    net.runUntil(net.now + S);
    assert.equal(net.node(5).delivered.length, 1);
    assert.deepEqual(net.node(5).delivered[0]?.destinationCoords, []);
    a.router.sendTraffic(net.now, net.node(5).router.publicKey, Uint8Array.of(1), a.fx, {
      coords: bogus,
      treeOnly: true,
    });
    net.runUntil(net.now + S);
    const drops = net.nodes.flatMap((n) => n.dropped.map((d) => d[1]));
    assert.deepEqual(drops, ['no-route']);
  });

  it('stale coordinates: misdelivered by default, exact with treeExactKeyCheck (checklist 42)', () => {
    for (const exact of [false, true]) {
      const net = line({ treeExactKeyCheck: exact });
      const a = net.node(0);
      // seed5's coordinates [2 2] with seed6's key.
      a.router.sendTraffic(net.now, net.node(5).router.publicKey, Uint8Array.of(1), a.fx, {
        coords: [2, 2],
        treeOnly: false,
      });
      net.runUntil(net.now + S);
      assert.equal(net.node(4).delivered.length, exact ? 0 : 1);
      assert.equal(net.node(5).delivered.length, exact ? 1 : 0);
    }
  });

  it('recordReasons explains every hop', () => {
    const net = line({ recordReasons: true });
    const reasons: string[] = [];
    for (const n of net.nodes) {
      (n.fx as { explain?: Effects['explain'] }).explain = (f, _p, reason) => {
        if (f.type === FrameType.Traffic) reasons.push(reason);
      };
    }
    const a = net.node(0);
    a.router.sendTraffic(net.now, net.node(5).router.publicKey, Uint8Array.of(1), a.fx, {
      coords: [2, 2, 2],
      treeOnly: false,
    });
    net.runUntil(net.now + S);
    assert.equal(
      reasons[0],
      'tree: peer is closer to destination coordinates [2 2 2] (distance 4 < 5)',
    );
    assert.equal(reasons.at(-1), 'delivered: destination key is ours');
    assert.equal(reasons.length, 6);
  });

  it('a bootstrap with a bad signature is dropped silently and keeps the link (checklist 27)', () => {
    const net = line();
    const n3 = net.node(2);
    const before = n3.router.debugTable().length;
    const n4key = net.node(3).router.publicKey;
    const payload = new Uint8Array(6 + 32 + 1 + 64);
    n3.router.receive(
      net.now,
      2,
      {
        type: FrameType.Bootstrap,
        extra: 0,
        hopLimit: 0,
        destinationKey: n4key,
        watermark: { key: new Uint8Array(32).fill(0xff), seq: 0 },
        payload,
      },
      n3.fx,
    );
    assert.equal(n3.closed.length, 0);
    assert.ok(n3.router.debugTable().length <= before);
  });

  it('wire-encoded runs converge the same way (receiveBytes path)', () => {
    const net = new Net(1_000);
    net.wireEncode = true;
    for (let s = 1; s <= 6; s++) net.add(`seed${s}`, seedKey(s));
    for (let i = 0; i < 5; i++) net.link(i, i + 1);
    net.runUntil(15 * S);
    const root = toHex(net.node(2).router.publicKey);
    for (const n of net.nodes) assert.equal(toHex(n.router.snapshot().rootKey), root);
    assert.equal(
      hex8(net.node(2).router.snapshot().descendingKey),
      hex8(net.node(3).router.publicKey),
    );
  });
});

describe('Router: link loss (checklists 20, 33, 41)', () => {
  it('parent lost while another peer offers the same root: switch parent, clear cache, bootstrap', () => {
    // Triangle root R=seed3 (ed49) with seed1 (8a88) and seed4 (ca93); seed1 parent = R.
    const net = new Net(1_000);
    const r = net.add('r', seedKey(3));
    const x = net.add('x', seedKey(1));
    const y = net.add('y', seedKey(4));
    net.link(r, x);
    net.link(r, y);
    net.link(x, y);
    net.runUntil(15 * S);
    const nx = net.node(x).router;
    assert.equal(toHex(nx.snapshot().parentKey as Uint8Array), toHex(net.node(r).router.publicKey));
    nx.cache.set(net.node(y).router.publicKey, [9], net.now);
    net.unlink(r, x);
    const v = nx.snapshot();
    assert.equal(toHex(v.parentKey as Uint8Array), toHex(net.node(y).router.publicKey));
    assert.equal(toHex(v.rootKey), toHex(net.node(r).router.publicKey));
    assert.equal(v.coordsCacheSize, 0, 'same root via another parent: cache cleared (§7.2)');
    assert.equal(nx.snake.lastBootstrap, net.now - 5 * S, 'bootstrap soon');
    for (const e of nx.debugTable()) assert.notEqual(e.sourcePort, 1);
  });

  it('parent lost with no candidate: become root, cache kept (§7.2 quirk)', () => {
    const net = new Net(1_000);
    const r = net.add('r', seedKey(3));
    const x = net.add('x', seedKey(1));
    const z = net.add('z', seedKey(2));
    net.link(r, x);
    net.link(x, z);
    net.runUntil(15 * S);
    const nx = net.node(x).router;
    nx.cache.set(net.node(z).router.publicKey, [9], net.now);
    net.unlink(r, x);
    const v = nx.snapshot();
    assert.equal(toHex(v.rootKey), toHex(nx.publicKey));
    assert.equal(v.parentPort, null);
    assert.equal(v.coordsCacheSize, 1);
  });
});
