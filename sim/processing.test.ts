import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../base/index.ts';
import type {
  BootstrapFrame,
  Effects,
  Frame,
  Identity,
  Micros,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
  TreeAnnouncementFrame,
  WakeupBroadcastFrame,
} from '../router/types.ts';
import { FrameType } from '../router/types.ts';
import { encodeFrame, keepaliveFrame } from '../router/wire/frame.ts';
import { Host } from './host.ts';
import {
  Cpu,
  PRESET_COSTS,
  type ProcessingCosts,
  parseProcessing,
  processingCosts,
  receiveCost,
  signaturesVerified,
  signedHere,
} from './processing.ts';

const COSTS: ProcessingCosts = { frame: 10, verify: 100, sign: 30 };

function key(byte: number): PublicKey {
  return new Uint8Array(32).fill(byte);
}

function announcement(hops: number, from: PublicKey): TreeAnnouncementFrame {
  return {
    type: FrameType.TreeAnnouncement,
    extra: 0,
    hopLimit: 0,
    announcement: {
      rootKey: key(9),
      rootSeq: 1,
      hops: Array.from({ length: hops }, (_, i) => ({
        port: i + 1,
        signer: i === hops - 1 ? from : key(20 + i),
        signature: new Uint8Array(64),
      })),
    },
  };
}

function bootstrap(origin: PublicKey): BootstrapFrame {
  return {
    type: FrameType.Bootstrap,
    extra: 0,
    hopLimit: 0,
    destinationKey: origin,
    watermark: { key: key(255), seq: 0 },
    payload: new Uint8Array(1 + 32 + 1 + 64),
  };
}

function wakeup(source: PublicKey, payload = new Uint8Array(8)): WakeupBroadcastFrame {
  return { type: FrameType.WakeupBroadcast, extra: 0, hopLimit: 5, sourceKey: source, payload };
}

// ------------------------------------------------------------------------------------------------
// The CPU queue

test('Cpu: jobs are served first come first served, each after the one before it', () => {
  const cpu = new Cpu<string>();
  assert.equal(cpu.submit(0, 'a', 10), 10, 'idle: due after its own cost');
  assert.equal(cpu.submit(2, 'b', 5), -1, 'busy: waits');
  assert.equal(cpu.submit(3, 'c', 1), -1);
  assert.equal(cpu.begin(10), 'a');
  assert.equal(cpu.end(10), 15, 'b starts when a is done');
  assert.equal(cpu.begin(15), 'b');
  assert.equal(cpu.end(15), 16);
  assert.equal(cpu.begin(16), 'c');
  assert.equal(cpu.end(16), -1, 'idle again');
  assert.equal(cpu.busy, false);
  // Idle since 16: a job arriving later starts at its arrival.
  assert.equal(cpu.submit(100, 'd', 7), 107);
});

test('Cpu: delay accumulates over a burst (property: job k of n is handled at the sum of costs)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 30 }),
      (costs) => {
        const cpu = new Cpu<number>();
        let due = -1;
        costs.forEach((c, i) => {
          const d = cpu.submit(0, i, c);
          if (i === 0) due = d;
          else assert.equal(d, -1);
        });
        let sum = 0;
        for (let i = 0; i < costs.length; i++) {
          sum += costs[i] as number;
          assert.equal(due, sum, `job ${i} handled at the sum of the costs up to it`);
          assert.equal(cpu.begin(due), i, 'in arrival order');
          due = cpu.end(due);
        }
        assert.equal(due, -1);
      },
    ),
    { seed: 16, numRuns: 200 },
  );
});

test('Cpu: signing inside a job delays its outputs and the next job; outside a job it queues', () => {
  const cpu = new Cpu<string>();
  assert.equal(cpu.submit(0, 'a', 10), 10);
  assert.equal(cpu.submit(1, 'b', 10), -1);
  cpu.begin(10);
  assert.equal(cpu.charge(10, 0), 10, 'an unsigned output leaves at once');
  assert.equal(cpu.charge(10, 30), 40, 'first signature');
  assert.equal(cpu.charge(10, 30), 70, 'second signature, after the first');
  assert.equal(cpu.end(10), 80, 'b waits for the signing, then its own cost');
  // Outside a job (e.g. a link came up): behind the reserved work.
  assert.equal(cpu.charge(20, 30), 110, 'queued behind b');
  assert.equal(cpu.begin(80), 'b');
  assert.equal(cpu.charge(80, 30), 140, "b's signature after the outside one");
  assert.equal(cpu.end(80), -1);
  assert.equal(cpu.charge(200, 0), 200);
  assert.equal(cpu.charge(200, 30), 230);
});

// ------------------------------------------------------------------------------------------------
// Costs per frame type

test('receive cost: frame cost plus one verification per signature (§5.4 step 1, §6.5, §7.7)', () => {
  const from = key(3);
  assert.equal(receiveCost(COSTS, keepaliveFrame()), 10);
  assert.equal(receiveCost(COSTS, announcement(1, from)), 110);
  assert.equal(receiveCost(COSTS, announcement(4, from)), 410, 'every entry is verified');
  assert.equal(receiveCost(COSTS, bootstrap(key(5))), 110, 'one per bootstrap hop');
  assert.equal(receiveCost(COSTS, wakeup(key(5))), 110);
  assert.equal(signaturesVerified(keepaliveFrame()), 0);
  // Bytes (--wire-encode) cost the same as the object.
  const bytes = encodeFrame(announcement(3, from));
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(receiveCost(COSTS, bytes), receiveCost(COSTS, announcement(3, from)));
  assert.equal(receiveCost(COSTS, new Uint8Array([1, 2, 3])), 10, 'garbage: no signature checked');
});

test('signed here: every announcement sent; bootstraps and broadcasts only by their origin', () => {
  const self = key(7);
  assert.equal(signedHere(announcement(2, key(3)), self), true, '§5.3: one entry per link');
  assert.equal(signedHere(bootstrap(key(7)), self), true, '§6.4: the origin signs');
  assert.equal(signedHere(bootstrap(key(8)), self), false, 'forwarded');
  assert.equal(signedHere(wakeup(key(7)), self), true);
  assert.equal(signedHere(wakeup(key(8)), self), false);
  assert.equal(signedHere(keepaliveFrame(), self), false);
});

test('presets: off is no model; without signatures only the frame cost remains; bad names are errors', () => {
  assert.equal(processingCosts('off'), null);
  assert.deepEqual(processingCosts('server'), PRESET_COSTS.server);
  assert.deepEqual(processingCosts('phone', false), {
    frame: PRESET_COSTS.phone.frame,
    verify: 0,
    sign: 0,
  });
  assert.ok(PRESET_COSTS.phone.verify > PRESET_COSTS.server.verify);
  assert.equal(parseProcessing('phone', '--processing'), 'phone');
  assert.throws(
    () => parseProcessing('fast', '--processing'),
    (e: unknown) =>
      e instanceof InputError && /--processing: expected one of off, server, phone/.test(e.message),
  );
});

// ------------------------------------------------------------------------------------------------
// In the host

/** A scripted router: logs what it handles (with the time) and runs per-event scripts. */
class ScriptRouter implements RouterLike {
  readonly publicKey: PublicKey;
  readonly name: string;
  readonly log: string[];
  onConnect: ((now: Micros, port: Port, fx: Effects) => void) | null = null;
  onStart: ((now: Micros, fx: Effects) => void) | null = null;
  onReceive: ((now: Micros, port: Port, frame: Frame, fx: Effects) => void) | null = null;
  private nextPort = 1;
  constructor(identity: Identity, name: string, log: string[]) {
    this.publicKey = identity.publicKey;
    this.name = name;
    this.log = log;
  }
  start(now: Micros, fx: Effects): void {
    this.onStart?.(now, fx);
  }
  connect(now: Micros, _k: PublicKey, _t: number, fx: Effects): Port | null {
    const port = this.nextPort++;
    this.onConnect?.(now, port, fx);
    return port;
  }
  disconnect(): void {}
  receive(now: Micros, port: Port, frame: Frame, fx: Effects): void {
    this.log.push(`${now} ${this.name} rx t${frame.type}`);
    this.onReceive?.(now, port, frame, fx);
  }
  receiveBytes(): void {}
  portReady(): void {}
  timer(now: Micros, timer: number): void {
    this.log.push(`${now} ${this.name} timer ${timer}`);
  }
  sendTraffic(): void {}
  snapshot(): RouterView {
    throw new Error('not used');
  }
}

function pair(processing: ProcessingCosts | undefined) {
  const log: string[] = [];
  const routers = new Map<string, ScriptRouter>();
  const host = new Host({
    seed: 'p',
    identity: (name) => ({ seed: key(name.charCodeAt(0)), publicKey: key(name.charCodeAt(0)) }),
    routerFactory: (identity, _i, name) => {
      const r = new ScriptRouter(identity, name, log);
      routers.set(name, r);
      return r;
    },
    startSpread: 0,
    linkDefaults: { latency: 1000, jitter: 0, bandwidth: 0, loss: 0 },
    ...(processing === undefined ? {} : { processing }),
  });
  host.loadTopology(['a', 'b'], [{ source: 'a', target: 'b' }]);
  return { host, log, a: routers.get('a') as ScriptRouter, b: routers.get('b') as ScriptRouter };
}

/** a sends, on connect, a signed announcement (2 entries) then a keepalive; b arms a timer. */
function script(n: ReturnType<typeof pair>): void {
  n.a.onConnect = (_now, port, fx) => {
    fx.transmit(port, announcement(2, n.a.publicKey));
    fx.transmit(port, keepaliveFrame());
  };
  n.b.onStart = (now, fx) => fx.setTimer(1, now + 1100);
}

test('host: frames queue on the receiving CPU, timers wait their turn, outputs leave after signing', () => {
  const n = pair(COSTS);
  script(n);
  n.host.runUntil(10_000);
  assert.deepEqual(n.log, [
    // a signs (30 µs) then sends; the keepalive follows it on the link: both leave at 30.
    // b: the announcement arrives at 1030 and costs 10 + 2 × 100 → handled at 1240;
    '1240 b rx t1',
    // the keepalive arrived at 1030 too, waits, costs 10 → 1250;
    '1250 b rx t0',
    // the timer fired at 1100 while the CPU was busy: handled after the frames before it.
    '1250 b timer 1',
  ]);
});

test('host: without the model the same script takes no time (and --processing off = no HostConfig field)', () => {
  const n = pair(undefined);
  script(n);
  n.host.runUntil(10_000);
  assert.deepEqual(n.log, ['1000 b rx t1', '1000 b rx t0', '1100 b timer 1']);
});

test('host: a busy node delays what it relays; a re-armed timer replaces its waiting instance', () => {
  const n = pair(COSTS);
  // a floods three announcements at once; b relays each back (signing each: 30 µs).
  n.a.onConnect = (_now, port, fx) => {
    for (let i = 0; i < 3; i++) fx.transmit(port, announcement(1, n.a.publicKey));
  };
  n.b.onReceive = (_now, port, frame, fx) => {
    if (frame.type === FrameType.TreeAnnouncement)
      fx.transmit(port, announcement(2, n.b.publicKey));
  };
  // b arms timer 1 for 1050 (fires while busy); its first frame handler re-arms it for 5000.
  n.b.onStart = (now, fx) => fx.setTimer(1, now + 1050);
  const relay = n.b.onReceive;
  let first = true;
  n.b.onReceive = (now, port, frame, fx) => {
    if (first) {
      first = false;
      fx.setTimer(1, 5000);
    }
    relay(now, port, frame, fx);
  };
  n.host.runUntil(10_000);
  // a signs three times: they leave at 30, 60, 90 and arrive at 1030, 1060, 1090. b handles each
  // for 110 µs and signs its relay for 30: 1030+110 = 1140 (relay leaves 1170), next at
  // 1170+110 = 1280 (relay 1310), next 1310+110 = 1420 (relay 1450). a gets the relays at
  // 2170, 2310, 2450 and handles each for 10 + 200.
  assert.deepEqual(n.log, [
    '1140 b rx t1',
    '1280 b rx t1',
    '1420 b rx t1',
    '2380 a rx t1',
    '2590 a rx t1',
    '2800 a rx t1',
    '5000 b timer 1',
  ]);
});
