import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareKeys, keysEqual } from '../router/keys.ts';
import type { ConvergenceView } from '../router/router.ts';
import type {
  Effects,
  Identity,
  Port,
  PublicKey,
  RouterLike,
  RouterView,
} from '../router/types.ts';
import { ApiSource, ConvergenceTracker, HostSource } from './convergence.ts';
import { Host } from './host.ts';

/** A router whose state the test sets by hand. */
class StubRouter implements RouterLike {
  readonly publicKey: PublicKey;
  private nextPort = 1;
  readonly peers = new Map<Port, PublicKey>();
  rootKey: PublicKey;
  rootSeq = 1;
  parentPort: Port | null = null;
  descendingKey: PublicKey | null = null;
  coords: number[] = [];
  constructor(identity: Identity) {
    this.publicKey = identity.publicKey;
    this.rootKey = identity.publicKey;
  }
  start(): void {}
  connect(_now: number, remote: PublicKey): Port {
    const port = this.nextPort++;
    this.peers.set(port, remote);
    return port;
  }
  disconnect(_now: number, port: Port): void {
    this.peers.delete(port);
  }
  receive(): void {}
  receiveBytes(): void {}
  portReady(): void {}
  timer(): void {}
  sendTraffic(_n: number, _k: PublicKey, _p: Uint8Array, _fx: Effects): void {}
  /** The allocation-free reads of router/router.ts (HostSource uses them). */
  convergenceView(out: ConvergenceView): ConvergenceView {
    out.rootKey = this.rootKey;
    out.rootSeq = this.rootSeq;
    out.parentPort = this.parentPort;
    out.descendingKey = this.descendingKey;
    return out;
  }
  coordinates(): readonly number[] {
    return this.coords; // the same array until replaced: exercises the coordinates cache
  }
  snapshot(): RouterView {
    return {
      key: this.publicKey,
      rootKey: this.rootKey,
      rootSeq: this.rootSeq,
      parentPort: this.parentPort,
      parentKey: null,
      coords: [...this.coords],
      descendingKey: this.descendingKey,
      tableSize: 0,
      tableInstalls: 0,
      coordsCacheSize: 0,
      peers: [...this.peers].sort((a, b) => a[0] - b[0]).map(([port, key]) => ({ port, key })),
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

test('snakeLosses counts right pointers that are wrong at the next sample, not wrong ones', () => {
  const { r, tracker } = world();
  tracker.sample(0);
  converge(r);
  tracker.sample(50_000);
  assert.equal(tracker.snakeLosses, 0); // wrong → right is no loss
  r('c').descendingKey = null; // expired (§6.3 step 1)
  r('e').descendingKey = key(1); // not its predecessor
  tracker.sample(100_000);
  assert.equal(tracker.snakeLosses, 2);
  tracker.sample(150_000); // still wrong: no new loss
  assert.equal(tracker.snakeLosses, 2);
  r('c').descendingKey = key(10);
  tracker.sample(200_000);
  r('c').descendingKey = null;
  tracker.sample(250_000);
  assert.equal(tracker.snakeLosses, 3);
  assert.deepEqual([...tracker.snakeLossCount.slice(0, 6)], [0, 0, 2, 0, 1, 0]); // c twice, e once
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

test('start-up rule: named nodes without an up link are not converged until `until`', () => {
  const { host, r } = world();
  // f has no link; pretend it had planned ones (it is named) and that start-up lasts 100 ms.
  const tracker = new ConvergenceTracker(host, { startUp: { nodes: ['f', 'a'], until: 100_000 } });
  converge(r);
  assert.equal(tracker.sample(0), false);
  assert.equal(tracker.treeOk(5), false, 'f waits for its first link');
  assert.equal(tracker.treeOk(0), true, 'a has its link: not waiting');
  assert.equal(tracker.treeFraction, 5 / 6);
  assert.equal(tracker.sample(100_000), true, 'after `until` an isolated node is converged');
  assert.equal(tracker.treeSince, 100_000);
  assert.equal(tracker.treeOkSince[5], 100_000);
  assert.equal(tracker.treeOkSince[0], 0);
});

test('coordinates: tree correct and coords = parent coords + the parent port towards us', () => {
  const { r, tracker } = world();
  converge(r);
  // a–b–c with b (30) the root: a's port 1 is b; b's port 1 is a, port 2 is c; c's port 1 is b.
  r('a').parentPort = 1;
  r('a').coords = [1];
  r('c').parentPort = 1;
  r('c').coords = [2];
  r('d').parentPort = 1; // d–e, e (7) the root; e's port 1 is d
  r('d').coords = [1];
  tracker.sample(0);
  assert.equal(tracker.coordsFraction, 1);
  r('c').coords = [1]; // b's port 1 leads to a, not to c
  tracker.sample(50_000);
  assert.equal(tracker.coordsOk(2), false);
  assert.equal(tracker.treeOk(2), true, 'coordinates are not part of the headline');
  assert.equal(tracker.coordsFraction, 5 / 6);
  assert.equal(tracker.coordsSince, null);
  r('c').coords = [2];
  r('b').coords = [9]; // the root claims coordinates: its children are now inconsistent too
  tracker.sample(100_000);
  assert.equal(tracker.coordsFraction, 3 / 6);
  r('b').coords = [];
  r('e').rootSeq = 2; // d still reports 1: tree wrong for d, so its coordinates do not count
  tracker.sample(150_000);
  assert.equal(tracker.treeOk(3), false);
  assert.equal(tracker.coordsOk(3), false);
  assert.equal(tracker.coordsFraction, 5 / 6);
});

/**
 * The definition written out naively from PROTOCOL.md §5.2, §6.1, on names and
 * snapshot views: the oracle for the property test below.
 */
function reference(host: Host) {
  const names = [...host.nodeNames()];
  const adj = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [a, b] of host.links()) {
    adj.get(a)?.push(b);
    adj.get(b)?.push(a);
  }
  const comp = new Map<string, string[]>();
  for (const n of names) {
    if (comp.has(n)) continue;
    const members = [n];
    comp.set(n, members);
    for (let k = 0; k < members.length; k++)
      for (const m of adj.get(members[k] as string) ?? [])
        if (!comp.has(m)) {
          comp.set(m, members);
          members.push(m);
        }
  }
  const key = (n: string) => host.view(n).key;
  return names.map((n) => {
    const v = host.view(n);
    const members = [...(comp.get(n) as string[])].sort((x, y) => compareKeys(key(x), key(y)));
    const root = host.view(members[members.length - 1] as string);
    const tree =
      keysEqual(v.rootKey, root.key) &&
      keysEqual(root.rootKey, root.key) &&
      v.rootSeq === root.rootSeq;
    const idx = members.indexOf(n);
    const pred = idx === 0 ? null : key(members[idx - 1] as string);
    const snake =
      pred === null
        ? v.descendingKey === null
        : v.descendingKey !== null && keysEqual(v.descendingKey, pred);
    let coords = tree;
    if (coords && v.parentPort === null) coords = v.coords.length === 0;
    else if (coords) {
      const parentKey = v.peers.find((p) => p.port === v.parentPort)?.key;
      const parent = names.find((m) => parentKey !== undefined && keysEqual(key(m), parentKey));
      const pv = parent === undefined ? null : host.view(parent);
      coords =
        pv !== null &&
        members.includes(parent as string) &&
        pv.coords.length + 1 === v.coords.length &&
        pv.coords.every((c, k) => v.coords[k] === c) &&
        pv.peers.some((p) => p.port === v.coords[pv.coords.length] && keysEqual(p.key, v.key));
    }
    return { name: n, tree, snake, coords };
  });
}

test('property: HostSource and ApiSource trackers agree with the naive definition', () => {
  const N = 8;
  const names = Array.from({ length: N }, (_, i) => `n${i}`);
  const edge = fc.tuple(fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: 0, max: N - 1 }));
  // Per node and step: root choice, sequence, parent port, descending choice, coordinates.
  const nodeState = fc.record({
    root: fc.integer({ min: 0, max: N - 1 }),
    seq: fc.integer({ min: 1, max: 2 }),
    parent: fc.option(fc.integer({ min: 1, max: 3 })),
    desc: fc.option(fc.integer({ min: 0, max: N - 1 })),
    coords: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
    truthful: fc.boolean(),
    keepCoords: fc.boolean(),
  });
  const step = fc.record({
    states: fc.array(nodeState, { minLength: N, maxLength: N }),
    cut: fc.option(fc.nat()),
    remove: fc.option(fc.integer({ min: 0, max: N - 1 }), { freq: 4 }),
  });
  fc.assert(
    fc.property(
      fc.array(edge, { minLength: 3, maxLength: 14 }),
      fc.array(step, { minLength: 1, maxLength: 4 }),
      (edges, steps) => {
        const routers = new Map<string, StubRouter>();
        const keyOf = (i: number): PublicKey => key(((i * 37) % 251) + 1);
        const host = new Host({
          seed: 'p',
          identity: (n) => ({
            seed: keyOf(Number(n.slice(1))),
            publicKey: keyOf(Number(n.slice(1))),
          }),
          routerFactory: (identity, _i, n) => {
            const r = new StubRouter(identity);
            routers.set(n, r);
            return r;
          },
          startSpread: 0,
        });
        const seen = new Set<string>();
        const topo = edges
          .filter(([a, b]) => a !== b)
          .map(([a, b]) => (a < b ? [a, b] : [b, a]))
          .filter(([a, b]) => !seen.has(`${a}-${b}`) && seen.add(`${a}-${b}`) !== undefined)
          .map(([a, b]) => ({ source: `n${a}`, target: `n${b}` }));
        host.loadTopology(names, topo);
        host.runUntil(0);
        const fast = new ConvergenceTracker(new HostSource(host));
        const slow = new ConvergenceTracker(new ApiSource(host));
        let t = 0;
        for (const st of steps) {
          if (st.cut !== null) {
            const links = host.links();
            const l = links[st.cut % Math.max(1, links.length)];
            if (l !== undefined) host.removeLink(l[0], l[1]);
          }
          if (st.remove !== null && host.nodeNames().includes(`n${st.remove}`))
            host.removeNode(`n${st.remove}`);
          // "Truthful" nodes take their correct state (so converged cases occur), others random.
          const truth = reference(host);
          const present = host.nodeNames();
          for (const n of present) {
            const i = Number(n.slice(1));
            const s = st.states[i] as (typeof st.states)[number];
            const r = routers.get(n) as StubRouter;
            r.rootSeq = s.seq;
            r.parentPort = s.parent;
            if (!s.keepCoords) r.coords = s.coords; // else the same array object as before
            if (s.truthful) {
              // The component's greatest key and true predecessor, from the naive oracle's view.
              const members = present.filter(
                (m) => truth.find((x) => x.name === m) !== undefined && sameComponent(host, n, m),
              );
              members.sort((x, y) =>
                compareKeys(keyOf(Number(x.slice(1))), keyOf(Number(y.slice(1)))),
              );
              r.rootKey = keyOf(Number((members[members.length - 1] as string).slice(1)));
              r.rootSeq = 1;
              const idx = members.indexOf(n);
              r.descendingKey =
                idx === 0 ? null : keyOf(Number((members[idx - 1] as string).slice(1)));
            } else {
              r.rootKey = keyOf(s.root);
              r.descendingKey = s.desc === null ? null : keyOf(s.desc);
            }
          }
          fast.sample(t);
          slow.sample(t);
          const want = reference(host);
          const fi = fast.liveIndices();
          const si = slow.liveIndices();
          assert.equal(fi.length, want.length);
          assert.equal(si.length, want.length);
          want.forEach((w, k) => {
            const i = fi[k] as number;
            const j = si[k] as number;
            assert.equal(fast.nameAt(i), w.name);
            assert.equal(slow.nameAt(j), w.name);
            assert.equal(fast.treeOk(i), w.tree, `tree ${w.name}`);
            assert.equal(fast.snakeOk(i), w.snake, `snake ${w.name}`);
            assert.equal(fast.coordsOk(i), w.coords, `coords ${w.name}`);
            assert.equal(slow.treeOk(j), w.tree);
            assert.equal(slow.snakeOk(j), w.snake);
            assert.equal(slow.coordsOk(j), w.coords);
          });
          assert.equal(fast.treeFraction, slow.treeFraction);
          assert.equal(fast.snakeFraction, slow.snakeFraction);
          assert.equal(fast.coordsFraction, slow.coordsFraction);
          t += 50_000;
        }
      },
    ),
    { seed: 42, numRuns: 300 },
  );
});

function sameComponent(host: Host, a: string, b: string): boolean {
  const seen = new Set([a]);
  const queue = [a];
  while (queue.length > 0) {
    const u = queue.shift() as string;
    if (u === b) return true;
    for (const [x, y] of host.links()) {
      const v = x === u ? y : y === u ? x : null;
      if (v !== null && !seen.has(v)) {
        seen.add(v);
        queue.push(v);
      }
    }
  }
  return false;
}
