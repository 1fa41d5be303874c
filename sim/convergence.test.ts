import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  Effects,
  Identity,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
} from '../router/types.ts';
import { ConvergenceTracker } from './convergence.ts';
import { Host } from './host.ts';

/** A router whose state the test sets by hand. */
class StubRouter implements RouterLike {
  readonly publicKey: PublicKey;
  private nextPort = 1;
  rootKey: PublicKey;
  rootSeq = 1;
  parentPort: Port | null = null;
  descendingKey: PublicKey | null = null;
  constructor(identity: Identity) {
    this.publicKey = identity.publicKey;
    this.rootKey = identity.publicKey;
  }
  start(): void {}
  connect(): Port {
    return this.nextPort++;
  }
  disconnect(): void {}
  receive(): void {}
  receiveBytes(): void {}
  portReady(): void {}
  timer(): void {}
  sendTraffic(_n: number, _k: PublicKey, _p: Uint8Array, _fx: Effects): void {}
  snapshot(): RouterView {
    return {
      key: this.publicKey,
      rootKey: this.rootKey,
      rootSeq: this.rootSeq,
      parentPort: this.parentPort,
      parentKey: null,
      coords: [],
      descendingKey: this.descendingKey,
      tableSize: 0,
      coordsCacheSize: 0,
      peers: [],
    };
  }
}

const key = (b: number): PublicKey => {
  const k = new Uint8Array(32);
  k[0] = b;
  return k;
};

// Keys: a=10, b=30, c=20 (component 1: a–b–c), d=5, e=7 (component 2: d–e), f=1 alone.
const KEYS: Record<string, number> = { a: 10, b: 30, c: 20, d: 5, e: 7, f: 1 };

function world() {
  const routers = new Map<string, StubRouter>();
  const host = new Host({
    seed: 'c',
    identity: (name) => ({ seed: key(KEYS[name]!), publicKey: key(KEYS[name]!) }),
    routerFactory: (identity, _i, name) => {
      const r = new StubRouter(identity);
      routers.set(name, r);
      return r;
    },
    startSpread: 0,
  });
  host.loadTopology(Object.keys(KEYS), [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
    { source: 'd', target: 'e' },
  ]);
  host.runUntil(0);
  const r = (n: string) => routers.get(n)!;
  return { host, r, tracker: new ConvergenceTracker(host) };
}

function converge(r: (n: string) => StubRouter): void {
  for (const n of ['a', 'c']) r(n).rootKey = key(30);
  r('e').rootKey = key(7);
  r('d').rootKey = key(7);
  r('b').descendingKey = key(20);
  r('c').descendingKey = key(10);
  r('e').descendingKey = key(5);
}

test('per-component root and predecessor; times are the first sample from which it held', () => {
  const { r, tracker } = world();
  assert.equal(tracker.sample(0), false);
  assert.equal(tracker.treeSince, null);
  // Every node starts as its own root with no descending: right only for each component's
  // greatest (tree: b, e, f) and smallest (snake: a, d, f).
  assert.equal(tracker.treeFraction, 3 / 6);
  assert.equal(tracker.snakeFraction, 3 / 6);
  converge(r);
  assert.equal(tracker.sample(50_000), true);
  assert.equal(tracker.sample(100_000), true);
  assert.equal(tracker.treeSince, 50_000);
  assert.equal(tracker.snakeSince, 50_000);
  // A different sequence somewhere breaks the tree; a wrong pointer breaks the snake.
  r('a').rootSeq = 2;
  r('c').descendingKey = key(5);
  assert.equal(tracker.sample(150_000), false);
  assert.equal(tracker.treeSince, null);
  assert.equal(tracker.snakeSince, null);
  r('a').rootSeq = 1;
  r('c').descendingKey = key(10);
  tracker.sample(200_000);
  assert.equal(tracker.treeSince, 200_000);
  assert.equal(tracker.snakeSince, 200_000);
  // Per node: a changed tree state at 200 ms, c changed its snake state at 200 ms; e settled at 50 ms.
  assert.equal(tracker.treeChangedAt[0], 200_000);
  assert.equal(tracker.snakeChangedAt[2], 200_000);
  assert.equal(tracker.snakeChangedAt[4], 50_000);
  assert.equal(tracker.treeChangedAt[5], 0);
});

test('components follow link changes: removing a link changes who is greatest', () => {
  const { host, r, tracker } = world();
  converge(r);
  assert.equal(tracker.sample(0), true);
  host.removeLink('b', 'c');
  // c is now alone: it must be its own root with no descending.
  assert.equal(tracker.sample(50_000), false);
  r('c').rootKey = key(20);
  r('c').descendingKey = null;
  r('b').descendingKey = key(10);
  assert.equal(tracker.sample(100_000), true);
  host.removeNode('f');
  assert.equal(tracker.sample(150_000), true);
  assert.equal(tracker.liveNodes, 5);
});
