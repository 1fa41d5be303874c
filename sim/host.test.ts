import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareKeys } from '../router/keys.ts';
import type {
  Effects,
  Frame,
  Identity,
  LinkType,
  Micros,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
  TrafficFrame,
  TrafficRoute,
} from '../router/types.ts';
import { FrameType } from '../router/types.ts';
import { encodeFrame, keepaliveFrame } from '../router/wire/frame.ts';
import { decodeProbeId, encodeProbeId, Host, type HostConfig, type TopologyEdge } from './host.ts';
import type { TrafficOutcome } from './host-api.ts';

/** A recording router: numbers ports lowest-free, says hello on connect, forwards traffic on port 1. */
class FakeRouter implements RouterLike {
  readonly publicKey: PublicKey;
  readonly name: string;
  readonly log: string[];
  readonly ports: (PublicKey | null)[] = [null];
  maxPorts = 253;
  view: Partial<RouterView> = {};
  constructor(identity: Identity, name: string, log: string[]) {
    this.publicKey = identity.publicKey;
    this.name = name;
    this.log = log;
  }
  start(now: Micros, fx: Effects): void {
    this.log.push(`${now} ${this.name} start`);
    fx.setTimer(7, now);
  }
  connect(now: Micros, remoteKey: PublicKey, _t: LinkType, fx: Effects): Port | null {
    let port = 1;
    while (port < this.ports.length && this.ports[port] !== null) port++;
    if (port > this.maxPorts) return null;
    this.ports[port] = remoteKey;
    this.log.push(`${now} ${this.name} connect ${port}`);
    fx.transmit(port, keepaliveFrame());
    return port;
  }
  disconnect(now: Micros, port: Port): void {
    this.ports[port] = null;
    this.log.push(`${now} ${this.name} disconnect ${port}`);
  }
  receive(now: Micros, port: Port, frame: Frame, fx: Effects): void {
    this.log.push(`${now} ${this.name} rx ${port} t${frame.type}`);
    if (frame.type === FrameType.Traffic) {
      if (compareKeys(frame.destinationKey, this.publicKey) === 0) {
        fx.deliver(frame);
        return;
      }
      // The §7.1 step 2 hook, as router/router.ts calls it: after delivery to us.
      if (fx.filter?.(port, frame, 'in') === true) fx.dropTraffic(frame, 'filter');
      else fx.transmit(1, frame);
    }
  }
  receiveBytes(now: Micros, port: Port, bytes: Uint8Array): void {
    this.log.push(`${now} ${this.name} rxb ${port} ${Buffer.from(bytes).toString('hex')}`);
  }
  portReady(now: Micros, port: Port): void {
    this.log.push(`${now} ${this.name} ready ${port}`);
  }
  timer(now: Micros, timer: number): void {
    this.log.push(`${now} ${this.name} timer ${timer}`);
  }
  sendTraffic(
    _now: Micros,
    destinationKey: PublicKey,
    payload: Uint8Array,
    fx: Effects,
    route?: TrafficRoute,
  ): void {
    const frame: TrafficFrame = {
      type: FrameType.Traffic,
      extra: 0,
      hopLimit: 0,
      destinationCoords: route?.coords ?? [],
      sourceCoords: [],
      destinationKey,
      sourceKey: this.publicKey,
      watermark: { key: new Uint8Array(32).fill(255), seq: 0 },
      payload,
    };
    fx.transmit(1, frame);
  }
  snapshot(): RouterView {
    return {
      key: this.publicKey,
      rootKey: this.publicKey,
      rootSeq: 1,
      parentPort: null,
      parentKey: null,
      coords: [],
      descendingKey: null,
      tableSize: 0,
      tableInstalls: 0,
      coordsCacheSize: 0,
      peers: [],
      ...this.view,
    };
  }
}

function keyOf(name: string): PublicKey {
  const k = new Uint8Array(32);
  k[0] = name.charCodeAt(0);
  return k;
}

function setup(nodes: string[], edges: TopologyEdge[], extra: Partial<HostConfig> = {}) {
  const log: string[] = [];
  const routers = new Map<string, FakeRouter>();
  const host = new Host({
    seed: 's',
    identity: (name) => ({ seed: keyOf(name), publicKey: keyOf(name) }),
    routerFactory: (identity, _i, name) => {
      const r = new FakeRouter(identity, name, log);
      routers.set(name, r);
      return r;
    },
    startSpread: 0,
    ...extra,
  });
  host.loadTopology(nodes, edges);
  return { host, log, routers };
}

test('start-up with spread 0: all starts, their delay-0 timers, then links in edge order', () => {
  const { host, log } = setup(
    ['a', 'b', 'c'],
    [
      { source: 'b', target: 'c' },
      { source: 'a', target: 'b' },
    ],
  );
  host.runUntil(0);
  assert.deepEqual(log, [
    '0 a start',
    '0 b start',
    '0 c start',
    '0 a timer 7',
    '0 b timer 7',
    '0 c timer 7',
    '0 b connect 1',
    '0 c connect 1',
    '0 a connect 1',
    '0 b connect 2',
  ]);
  host.runUntil(1000);
  assert.deepEqual(log.slice(10).sort(), [
    '1000 a rx 1 t0',
    '1000 b rx 1 t0',
    '1000 b rx 2 t0',
    '1000 c rx 1 t0',
  ]);
  assert.deepEqual(host.links(), [
    ['b', 'c'],
    ['a', 'b'],
  ]);
});

test('start spread: seeded start times in [0, 1 s), each link connects when its later end starts', () => {
  const run = () => {
    const { host, log } = setup(
      ['a', 'b', 'c', 'd'],
      [
        { source: 'a', target: 'b' },
        { source: 'c', target: 'd' },
        { source: 'a', target: 'd' },
      ],
      { startSpread: 1_000_000 },
    );
    host.runUntil(1_000_000);
    return log.filter((l) => / (start|connect)/.test(l));
  };
  const log = run();
  assert.deepEqual(run(), log);
  const starts = new Map(
    log.filter((l) => l.endsWith('start')).map((l) => [l.split(' ')[1], Number(l.split(' ')[0])]),
  );
  assert.equal(starts.size, 4);
  for (const t of starts.values()) assert.ok(t >= 0 && t < 1_000_000);
  const connectTimes = log.filter((l) => l.includes('connect')).map((l) => Number(l.split(' ')[0]));
  const expected = [
    Math.max(starts.get('a')!, starts.get('b')!),
    Math.max(starts.get('c')!, starts.get('d')!),
    Math.max(starts.get('a')!, starts.get('d')!),
  ];
  for (const t of expected) assert.equal(connectTimes.filter((c) => c === t).length % 2, 0);
  assert.deepEqual(
    [...new Set(connectTimes)].sort((x, y) => x - y),
    [...new Set(expected)].sort((x, y) => x - y),
  );
});

test('bandwidth: transmit returns false while serialising, portReady when done', () => {
  const { host, log, routers } = setup(
    ['a', 'b'],
    [{ source: 'a', target: 'b', props: { bandwidth: 80_000, latency: 500 } }],
  );
  // keepalive = 10 bytes = 80 bits at 80 kbit/s = 1000 µs.
  host.runUntil(0);
  host.runUntil(5000);
  assert.ok(log.includes('1000 a ready 1'));
  assert.ok(log.includes('1500 b rx 1 t0'));
  let result: boolean | undefined;
  host.at(6000, () => {
    const fx = {
      transmit: (p: number, f: Frame) =>
        (host as unknown as { fxTransmit(n: number, p: number, f: Frame): boolean }).fxTransmit(
          0,
          p,
          f,
        ),
    };
    result = fx.transmit(1, keepaliveFrame());
  });
  host.runUntil(10_000);
  assert.equal(result, false);
  assert.ok(log.includes('7000 a ready 1'));
  assert.ok(log.includes('7500 b rx 1 t0'));
  void routers;
});

test('closeLink: far end told after the latency; removeLink tells both at once; timers re-arm', () => {
  const { host, log } = setup(
    ['a', 'b', 'c'],
    [
      { source: 'a', target: 'b', props: { latency: 2000 } },
      { source: 'b', target: 'c' },
    ],
  );
  host.runUntil(10_000);
  log.length = 0;
  const h = host as unknown as {
    fxCloseLink(n: number, p: number, r: string): void;
    fxSetTimer(n: number, t: number, at: number): void;
  };
  host.at(20_000, () => {
    h.fxCloseLink(0, 1, 'keepalive-timeout');
    h.fxSetTimer(2, 9, 30_000);
    h.fxSetTimer(2, 9, 25_000); // replaces the pending expiry
  });
  host.at(40_000, () => host.removeLink('b', 'c'));
  host.runUntil(50_000);
  assert.deepEqual(log, [
    '22000 b disconnect 1',
    '25000 c timer 9',
    '40000 b disconnect 2',
    '40000 c disconnect 1',
  ]);
  assert.deepEqual(host.links(), []);
  assert.equal(host.linkDrops.get('keepalive-timeout'), 1);
});

test('probes: hops counted per transmit, outcome reported once; filters drop with reason', () => {
  const { host } = setup(
    ['a', 'b', 'c'],
    [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
    ],
  );
  host.runUntil(10_000);
  const outcomes: TrafficOutcome[] = [];
  host.onTraffic((o) => outcomes.push(o));
  // b forwards on its port 1 (towards a): a → b → a → b …; send c → b instead: c's port 1 is b.
  host.sendProbe('c', 'b', 42, 'snek');
  host.runUntil(20_000);
  assert.deepEqual(outcomes, [
    { id: 42, source: 'c', destination: 'b', reached: 'b', hops: 1, dropReason: null, at: 11_000 },
  ]);
  host.setFilter(
    (node, peer, type, direction) =>
      node === 'b' && peer === 'c' && type === FrameType.Traffic && direction === 'in',
  );
  // Addressed to b: delivered before the filter hook (§7.1 step 1); for a: filtered at b.
  host.sendProbe('c', 'b', 43, 'auto');
  host.sendProbe('c', 'a', 44, 'auto');
  host.runUntil(30_000);
  assert.equal(outcomes[1]?.reached, 'b');
  assert.equal(outcomes[2]?.dropReason, 'filter');
  assert.equal(outcomes[2]?.reached, null);
  assert.equal(outcomes[2]?.id, 44);
  assert.equal(decodeProbeId(encodeProbeId(2 ** 40 + 17)), 2 ** 40 + 17);
});

test('wire encoding delivers the encoded bytes; a full router refuses and the other end is told', () => {
  const { host, log, routers } = setup(['a', 'b', 'c'], [{ source: 'a', target: 'b' }], {
    wireEncode: true,
  });
  host.runUntil(5000);
  const hex = Buffer.from(encodeFrame(keepaliveFrame()) as Uint8Array).toString('hex');
  assert.ok(log.includes(`1000 b rxb 1 ${hex}`));
  routers.get('b')!.maxPorts = 1;
  log.length = 0;
  host.at(6000, () => assert.equal(host.addLink('c', 'b'), false));
  host.runUntil(10_000);
  assert.deepEqual(log, ['6000 c connect 1', '6000 c disconnect 1']);
  assert.equal(host.refusedLinks, 1);
});

test('same set-up gives the same trace hash; another seed changes start times and the hash', () => {
  const run = (seed: string) => {
    const log: string[] = [];
    const host = new Host({
      seed,
      identity: (name) => ({ seed: keyOf(name), publicKey: keyOf(name) }),
      routerFactory: (identity, _i, name) => new FakeRouter(identity, name, log),
      linkDefaults: { latency: 1000, jitter: 300, bandwidth: 0, loss: 0.1 },
    });
    host.loadTopology(
      ['a', 'b', 'c', 'd'],
      [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
        { source: 'c', target: 'd' },
      ],
    );
    host.runUntil(2_000_000);
    return host.traceHash();
  };
  assert.equal(run('1'), run('1'));
  assert.notEqual(run('1'), run('2'));
});

test('fired one-shot timers are forgotten: the timer map does not grow (rolling ids, like hold-downs)', () => {
  const log: string[] = [];
  class Rolling extends FakeRouter {
    next = 5000;
    override timer(now: Micros, timer: number, fx?: Effects): void {
      super.timer(now, timer);
      // A fresh id each time, never re-armed (router/router.ts armHoldDown).
      if (fx !== undefined && this.next < 5100) fx.setTimer(this.next++, now + 1000);
    }
  }
  const host = new Host({
    seed: 's',
    identity: (name) => ({ seed: keyOf(name), publicKey: keyOf(name) }),
    routerFactory: (identity, _i, name) => new Rolling(identity, name, log),
    startSpread: 0,
  });
  host.loadTopology(['a'], []);
  host.runUntil(50_000);
  assert.equal(log.filter((l) => l.includes('timer 50')).length, 50);
  assert.equal(host.armedTimers(0), 1);
  host.runUntil(200_000);
  assert.equal(log.filter((l) => l.includes('timer 50')).length, 100);
  assert.equal(host.armedTimers(0), 0);
});

test('addNode + addLink: connect after the new node ran its delay-0 timers; pending links can be set or removed', () => {
  const { host, log } = setup(['a', 'b'], [{ source: 'a', target: 'b' }]);
  host.runUntil(5000);
  log.length = 0;
  host.at(6000, () => {
    host.addNode('d');
    assert.equal(host.addLink('d', 'a'), true);
    assert.equal(host.addLink('a', 'd'), false); // already pending
    host.setLink('a', 'd', { latency: 3000 }); // applies to the pending link
    host.addNode('e');
    assert.equal(host.addLink('e', 'b'), true);
    host.removeLink('b', 'e'); // never connects
    assert.deepEqual(host.links(), [['a', 'b']]);
  });
  host.runUntil(10_000);
  assert.deepEqual(log, [
    '6000 d start',
    '6000 e start',
    '6000 d timer 7',
    '6000 d connect 1', // scheduled by addLink before e started
    '6000 a connect 2',
    '6000 e timer 7',
    '9000 a rx 2 t0',
    '9000 d rx 1 t0',
  ]);
  assert.deepEqual(host.links(), [
    ['a', 'b'],
    ['a', 'd'],
  ]);
});

// --- Peerings and re-peering (sim/peering.ts, PROTOCOL.md §4.6) -------------------------------

const closer = (host: Host) =>
  host as unknown as { fxCloseLink(n: number, p: number, r: string): void };

test('static peers: a link a router closed is up again at the dialler’s next 5 s tick plus the handshake', () => {
  const { host } = setup(['a', 'b'], [{ source: 'a', target: 'b', props: { latency: 2000 } }]);
  host.runUntil(10_000);
  host.at(20_000, () => closer(host).fxCloseLink(1, 1, 'keepalive-timeout')); // b closes it
  host.runUntil(5_000_000 + 4 * 2000 - 1);
  assert.deepEqual(host.links(), []);
  assert.equal(host.linksWanted(), 1);
  // a (named first) dials at its worker tick (a started at 0: ticks at 5 s, 10 s, …), then 2 RTT.
  host.runUntil(5_000_000 + 4 * 2000);
  assert.deepEqual(host.links(), [['a', 'b']]);
  assert.equal(host.linkDrops.get('keepalive-timeout'), 1);
  assert.equal(host.scenarioDrops.size, 0);
});

test('node churn: a returning node re-dials; its peer that returns later gets the link back too', () => {
  const { host } = setup(
    ['x', 'a', 'b'],
    [
      { source: 'x', target: 'a' },
      { source: 'x', target: 'b' },
      { source: 'a', target: 'b' },
    ],
  );
  host.runUntil(1_000_000);
  assert.equal(host.linksUp(), 3);
  host.at(2_000_000, () => host.removeNode('a'));
  host.at(2_500_000, () => host.removeNode('b'));
  host.at(10_000_000, () => host.addNode('a'));
  host.at(30_000_000, () => host.addNode('b'));
  host.runUntil(9_000_000);
  assert.equal(host.nodesUp(), 1);
  assert.equal(host.linksWanted(), 0);
  assert.equal(host.scenarioDrops.get('cut'), 3);
  host.runUntil(30_000_000);
  assert.equal(host.linksWanted(), 3);
  // x dials a and b with backoff: failed at 5 s (next 7 s → tick 10 s)… a is back at 10 s.
  host.runUntil(100_000_000);
  assert.deepEqual([...host.links()].sort(), [
    ['a', 'b'],
    ['a', 'x'],
    ['b', 'x'],
  ]);
  assert.equal(host.linksUp(), 3);
});

test('removeLink is not re-dialled; added again, the peering keeps its own attributes', () => {
  const { host, log } = setup(['a', 'b'], [{ source: 'a', target: 'b', props: { latency: 7000 } }]);
  host.runUntil(10_000);
  host.removeLink('a', 'b');
  assert.throws(() => host.removeLink('a', 'b'), /there is no link a–b/);
  assert.throws(() => host.setLink('a', 'c', { latency: 1 }), /there is no link a–c/);
  host.runUntil(60_000_000);
  assert.deepEqual(host.links(), []);
  assert.equal(host.linksWanted(), 0);
  log.length = 0;
  assert.equal(host.addLink('a', 'b'), true);
  assert.equal(host.linkProps('a', 'b')?.latency, 7000);
  host.runUntil(60_100_000);
  // The hello each router sends on connect arrives after the topology file's 7 ms.
  assert.ok(log.includes('60007000 b rx 1 t0'), log.join('\n'));
});

test("repeer 'none': a dropped link stays down until an end returns", () => {
  const { host } = setup(['a', 'b'], [{ source: 'a', target: 'b' }], { repeer: 'none' });
  host.runUntil(10_000);
  host.at(20_000, () => closer(host).fxCloseLink(0, 1, 'decode-error'));
  host.runUntil(60_000_000);
  assert.deepEqual(host.links(), []);
  host.removeNode('b');
  host.addNode('b');
  host.runUntil(60_000_000 + 4 * 1000);
  assert.deepEqual(host.links(), [['a', 'b']]);
});

test('discovery: peering at the next beacon of either end plus the handshake; out of range the link is severed, not cut', () => {
  const { host, log } = setup(['a', 'b'], [], { repeer: 'discovery' });
  host.runUntil(3_000_000);
  host.addLink('a', 'b');
  host.runUntil(3_000_000 + 4 * 1000 - 1);
  assert.deepEqual(host.links(), []);
  host.runUntil(5_000_000 + 4 * 1000);
  assert.deepEqual(host.links(), [['a', 'b']]); // beacons every 2 s: within 2 s + 2 RTT
  // Out of range: the link stays up, nothing gets through; the routers' read deadline closes it.
  log.length = 0;
  host.removeLink('a', 'b');
  assert.deepEqual(host.links(), [['a', 'b']]);
  host.at(6_000_000, () => host.sendProbe('a', 'b', 1, 'snek'));
  host.runUntil(7_000_000);
  assert.ok(!log.some((l) => l.includes('rx')), log.join('\n'));
  // Back in range before the close: the same link carries frames again. What the stream held
  // arrives at the next retransmission (RTO 202 ms from 6 s, doubling: 6.202, 6.606, 7.414 s).
  host.addLink('a', 'b');
  host.at(7_500_000, () => host.sendProbe('a', 'b', 2, 'snek'));
  host.runUntil(8_000_000);
  assert.deepEqual(
    log.filter((l) => l.includes('rx')),
    ['7415000 b rx 1 t3', '7501000 b rx 1 t3'],
  );
  // Out of range again, and the router closes it: counted as out of range, not as a fault.
  host.removeLink('a', 'b');
  host.at(9_000_000, () => closer(host).fxCloseLink(0, 1, 'keepalive-timeout'));
  host.runUntil(30_000_000);
  assert.deepEqual(host.links(), []);
  assert.equal(host.scenarioDrops.get('out-of-range'), 1);
  assert.equal(host.linkDrops.size, 0);
});

test("delivery's link check (linkEnds) mirrors the port arrays through churn: node and link removals, returns, re-dials", () => {
  const { host } = setup(
    ['x', 'a', 'b', 'c'],
    [
      { source: 'x', target: 'a' },
      { source: 'x', target: 'b' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
    ],
  );
  host.at(2_000_000, () => host.removeNode('a'));
  host.at(2_500_000, () => host.removeLink('b', 'c'));
  host.at(4_000_000, () => host.addLink('b', 'c'));
  host.at(5_000_000, () => host.removeNode('b'));
  host.at(10_000_000, () => host.addNode('a'));
  host.at(12_000_000, () => host.addNode('b'));
  const portLinks = host['portLinks'] as ({ id: number } | undefined)[][];
  let checked = 0;
  for (let t = 0; t <= 40_000_000; t += 250_000) {
    host.runUntil(t);
    const links = host['nextLinkId'] as number;
    for (let node = 0; node < portLinks.length; node++) {
      const ports = portLinks[node] ?? [];
      for (let port = 1; port <= 4; port++) {
        for (let id = 1; id < links; id++) {
          const want = ports[port]?.id === id;
          assert.equal(
            host['attachedAt'](node, port, id),
            want,
            `t ${t} node ${node} port ${port} link ${id}`,
          );
          if (want) checked++;
        }
      }
    }
  }
  // Links came and went: more ids than the four peerings, and attached ends seen all along.
  assert.ok((host['nextLinkId'] as number) > 6, `${host['nextLinkId']} link ids`);
  assert.ok(checked > 500, `${checked} attached ends checked`);
});
