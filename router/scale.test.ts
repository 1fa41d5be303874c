/**
 * router/scale.test.ts — speed and memory: the shortcuts must give exactly what the
 * plain computations give.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Ed25519 } from './crypto.ts';
import { withVerificationCache } from './crypto-cache.ts';
import { createNodeEd25519 } from './crypto-node.ts';
import { type LinkInfo, NO_PORT } from './decisions/links.ts';
import {
  newSnekResult,
  nextHopSnekFast,
  type SnekEntryInfo,
  type SnekInputs,
  SnekRule,
  SnekSearch,
} from './decisions/snek-next-hop.ts';
import { compareKeys, FULL_MASK, keysEqual, worse } from './keys.ts';
import { PeerTable } from './peers.ts';
import { FairFifo, fairFifoOffset } from './queues.ts';
import { Router, TIMER_PORTS } from './router.ts';
import { SnakeState } from './snake-state.ts';
import {
  type Effects,
  FrameType,
  LinkType,
  type PublicKey,
  type RootAnnouncement,
} from './types.ts';
import { signAnnouncement, verifyAnnouncement } from './wire/announcement.ts';
import {
  buildBootstrapPayload,
  readBootstrapPayload,
  settleBootstrapPayload,
  verifyBootstrapPayload,
} from './wire/bootstrap.ts';
import { CodecError } from './wire/errors.ts';

const node = createNodeEd25519();

function counting(inner: Ed25519): Ed25519 & { calls: number } {
  const c = {
    ...inner,
    calls: 0,
    verify: (k: Uint8Array, m: Uint8Array, s: Uint8Array) => {
      c.calls++;
      return inner.verify(k, m, s);
    },
  };
  return c;
}

const seedOf = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const identityOf = (b: number, crypto: Ed25519) => {
  const seed = seedOf(b);
  return { seed, publicKey: crypto.publicKey(seed) };
};

test('scale: the sign memo returns the real signature and records it as verified', () => {
  const inner = counting(node);
  const c = withVerificationCache(inner);
  const seed = seedOf(9);
  const pk = node.publicKey(seed);
  const m1 = Uint8Array.of(1, 2, 3);
  const s1 = c.sign(seed, m1);
  assert.deepEqual(s1, node.sign(seed, m1));
  assert.equal(c.sign(seed, m1.slice()), s1, 'byte-equal repeat answered from the memo');
  assert.equal(c.signHits, 1);
  const m2 = Uint8Array.of(1, 2, 4);
  assert.deepEqual(c.sign(seed, m2), node.sign(seed, m2));
  assert.equal(c.signs, 2);
  // Provenance: our own fresh signature verifies without the backend…
  assert.ok(c.verify(pk, m2, node.sign(seed, m2)));
  assert.equal(inner.calls, 0);
  // …but a forged message or another key still goes to the backend and fails.
  assert.equal(c.verify(pk, Uint8Array.of(9), node.sign(seed, m2)), false);
  assert.equal(c.verify(node.publicKey(seedOf(8)), m2, node.sign(seed, m2)), false);
  assert.equal(inner.calls, 2);
  // signedBy: only the exact last signature object of that seed, under that seed's key.
  const last = c.sign(seed, m2);
  assert.ok(c.signedBy?.(seed, pk, last));
  assert.equal(c.signedBy?.(seed, pk, last.slice()), false);
  assert.equal(c.signedBy?.(seed, node.publicKey(seedOf(8)), last), false);
  // A refilled seed array is a different signer: no stale memo.
  const reused = seedOf(9);
  c.sign(reused, m2);
  reused.fill(8);
  assert.deepEqual(c.sign(reused, m2), node.sign(seedOf(8), m2));
});

test('scale: node backend keys (JWK import path) match the DER path and the §3.9 vectors', () => {
  const K1 = '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';
  const pk = node.publicKey(seedOf(1));
  assert.equal(Buffer.from(pk).toString('hex'), K1);
  pk[0] = 0; // callers own their copy
  assert.equal(Buffer.from(node.publicKey(seedOf(1))).toString('hex'), K1);
});

test('scale: announcement entries verified once by object; forgeries are still caught', () => {
  const inner = counting(node);
  const c = withVerificationCache(inner);
  const root = identityOf(1, node);
  const mid = identityOf(2, node);
  const base: RootAnnouncement = { rootKey: root.publicKey, rootSeq: 5, hops: [] };
  const a1 = signAnnouncement(base, 3, root, c);
  const a2 = signAnnouncement(a1, 7, mid, c);
  // Own signatures are known good at once: no hashing, no backend.
  assert.ok(verifyAnnouncement(a2, c));
  assert.equal(inner.calls + c.hits + c.misses, 0);
  // The same entry objects under another root sequence are a different message: checked, fail.
  const replayed: RootAnnouncement = { ...a2, rootSeq: 6 };
  assert.equal(verifyAnnouncement(replayed, c), false);
  // A forged entry object in front of a known one: the known one is re-checked and fails.
  const forgedFirst = { ...(a2.hops[0] as RootAnnouncement['hops'][number]), port: 4 };
  assert.equal(verifyAnnouncement({ ...a2, hops: [forgedFirst, a2.hops[1] as never] }, c), false);
  // Another backend object never inherits the record.
  const other = counting(node);
  assert.ok(verifyAnnouncement(a2, other));
  assert.equal(other.calls, 2);
});

test('scale: bootstrap payloads verified once by object, under the right key only', () => {
  const inner = counting(node);
  const c = withVerificationCache(inner);
  const me = identityOf(3, node);
  const payload = buildBootstrapPayload(1234, me.publicKey, 2, me, c);
  assert.ok(verifyBootstrapPayload(payload, me.publicKey, c));
  assert.equal(inner.calls + c.hits + c.misses, 0);
  assert.equal(verifyBootstrapPayload(payload, identityOf(4, node).publicKey, c), false);
  // A copy of the final bytes (settled: the signature is made on first read) with one bit flipped.
  const copy = settleBootstrapPayload(payload).slice();
  copy[0] = (copy[0] as number) ^ 1;
  assert.equal(verifyBootstrapPayload(copy, me.publicKey, c), false);
});

test('scale: a bootstrap payload reads back with the root key object it was built with; its bytes parse to the same fields', () => {
  const c = withVerificationCache(node);
  const me = identityOf(3, node);
  const rootKey = identityOf(9, node).publicKey;
  const payload = buildBootstrapPayload(1234, rootKey, 7, me, c);
  const read = readBootstrapPayload(payload, c.memo);
  assert.ok(!(read instanceof CodecError));
  assert.equal(read.rootKey, rootKey); // the same object: comparisons on the path are one test
  const fresh = readBootstrapPayload(settleBootstrapPayload(payload).slice());
  assert.deepEqual(fresh, { seq: 1234, rootKey, rootSeq: 7 });
  assert.deepEqual(read, fresh);
});

// Step 5 of §6.6 (routing table) against the plain full scan of the reference.
const key = (bytes: number[]): PublicKey => {
  const k = new Uint8Array(32);
  for (let i = 0; i < bytes.length; i++) k[i] = bytes[i] as number;
  return k;
};

/**
 * The table as the search may be given it: one sorted run of entries, two disjoint sorted runs
 * (main and recent inserts), or the router's own two runs of rows (router/snake-state.ts SnakeState,
 * filled as bootstrap handling fills it: the `inSide` ones inserted after the others were merged).
 */
function runs(
  entries: SnekEntryInfo[],
  inSide: boolean[],
  layout: 'one run' | 'two runs' | "the router's runs",
): Pick<SnekInputs, 'entries' | 'sideEntries' | 'table'> {
  if (layout === 'one run') return { entries };
  const main = entries.filter((_, i) => !inSide[i]);
  const side = entries.filter((_, i) => inSide[i] === true);
  if (layout === 'two runs') return { entries: main, sideEntries: side };
  return { entries: [], table: SnakeState.withRuns(main, side) };
}

test('scale: SNEK step 5 with lower bound and early stop equals the full scan (property)', () => {
  const linkA: LinkInfo = {
    port: 1,
    remoteKey: key([200]),
    linkType: LinkType.Pipe,
    up: true,
    stored: null,
  };
  const linkB: LinkInfo = {
    port: 2,
    remoteKey: key([201]),
    linkType: LinkType.Pipe,
    up: false,
    stored: null,
  };
  const byPort = [undefined, linkA, linkB];
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })), {
        selector: (t) => t[0],
        maxLength: 30,
      }),
      fc.array(
        fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.boolean()),
      ),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 40 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
      fc.array(fc.boolean()),
      fc.constantFrom('one run', 'two runs', "the router's runs"),
      (keys, attrs, destByte, selfByte, boot, wmSeq, inSide, layout) => {
        // In the router's runs (keyPrefix first in each row), a key's first 6 bytes are (byte 0 >> 3, 0…): keys whose byte 0 differs
        // only in the low 3 bits tie on the prefix and fall back to whole keys; others differ
        // there. The order is unchanged.
        const K = (bytes: number[]): PublicKey =>
          layout === "the router's runs"
            ? key([(bytes[0] as number) >> 3, 0, 0, 0, 0, 0, ...bytes])
            : key(bytes);
        const sorted = [...keys].sort((a, b) => a[0] - b[0]);
        const entries: SnekEntryInfo[] = sorted.map(([kb, b], i) => {
          const [port, seq, stale] = attrs[i] ?? [1, 0, false];
          return {
            key: K([kb, b]),
            sourcePort: port,
            watermark: { key: K([kb, b]), seq },
            lastSeen: stale ? 0 : 900,
          };
        });
        const dest = K([destByte, 1]);
        const self = K([selfByte, 2]);
        const wm = { key: K([destByte + (wmSeq % 2), 3]), seq: wmSeq };
        const input: SnekInputs = {
          boot,
          dest,
          self,
          watermark: wm,
          parent: null,
          rootKey: self,
          links: [],
          linkByPort: byPort,
          ...runs(entries, inSide, layout),
          now: 1000,
          neighExpiry: 500,
          wholeRoot: false,
        };
        const got = nextHopSnekFast(input, newSnekResult());
        // The reference: every entry, in order, with consider().
        let bestKey = self;
        let bestSeq = 0;
        let bestPort = boot ? NO_PORT : 0;
        let rule: number = SnekRule.None;
        if (!boot && keysEqual(dest, self)) return; // loopback, not step 5
        for (const e of entries) {
          const src = byPort[e.sourcePort];
          if (src === undefined || !src.up) continue;
          if (input.now - e.lastSeen >= input.neighExpiry) continue;
          if (worse(e.watermark, wm)) continue;
          const better =
            (!boot && keysEqual(e.key, dest) && !keysEqual(bestKey, dest)) ||
            (compareKeys(dest, e.key) < 0 && compareKeys(e.key, bestKey) < 0);
          if (better) {
            bestKey = e.key;
            bestSeq = e.watermark.seq;
            bestPort = src.port;
            rule = SnekRule.TableEntry;
          }
        }
        assert.equal(got.port, bestPort);
        assert.ok(keysEqual(got.key, bestKey));
        assert.equal(got.seq, bestSeq);
        assert.equal(got.rule, rule);
      },
    ),
    { seed: 42, numRuns: 2000 },
  );
});

test('scale: lazy port table and traffic buckets behave like the full arrays', () => {
  const t = new PeerTable(3);
  assert.equal(t.freePort(), 1);
  const opts = { trafficBuckets: 4, bluetoothTrafficBuckets: 4, bucketSize: 2 } as never;
  t.add(1, key([1]), LinkType.Pipe, 0, opts, () => 0.5);
  t.add(2, key([2]), LinkType.Pipe, 0, opts, () => 0.5);
  assert.equal(t.freePort(), 3);
  t.remove(1);
  assert.equal(t.freePort(), 1);
  t.add(1, key([1]), LinkType.Pipe, 0, opts, () => 0.5);
  t.add(3, key([3]), LinkType.Pipe, 0, opts, () => 0.5);
  assert.equal(t.freePort(), null);
  assert.equal(t.get(7), undefined);
  const q = new FairFifo(
    4,
    2,
    fairFifoOffset(4, () => 0.5),
  );
  assert.equal(q.pop(), undefined);
  let drained = 0;
  q.drain(() => drained++);
  assert.equal(drained, 0);
});

test('scale: ports above 1023 (simulator-only maxPorts) share the one ports timer; each gets its keepalive', () => {
  const timers = new Map<number, number>();
  const keepalives = new Set<number>();
  const fx: Effects = {
    transmit: (port, frame) => {
      if (frame.type === FrameType.Keepalive) keepalives.add(port);
      return true;
    },
    setTimer: (id, at) => {
      timers.set(id, at);
    },
    closeLink: () => {},
    deliver: () => {},
    dropTraffic: () => {},
  };
  const r = new Router(identityOf(5, node), { maxPorts: 1100, keepalives: true }, node, () => 0.5);
  r.start(0, fx);
  for (let i = 0; i < 1100; i++)
    assert.ok(r.connect(0, key([i >> 8, i & 0xff, 7]), LinkType.Pipe, fx) !== null);
  // The 3 timers of start() plus one for every link's keepalive and read deadline (§4.3).
  assert.deepEqual(
    [...timers.keys()].sort((a, b) => a - b),
    [0, 1, 2, TIMER_PORTS],
  );
  assert.equal(timers.get(TIMER_PORTS), 3_000_000);
  r.timer(3_000_000, TIMER_PORTS, fx);
  assert.equal(keepalives.size, 1100);
  assert.equal(timers.get(TIMER_PORTS), 5_000_000); // nothing received yet: read deadlines next
});

test('scale: convergenceView reports what snapshot reports', () => {
  const fx: Effects = {
    transmit: () => true,
    setTimer: () => {},
    closeLink: () => {},
    deliver: () => {},
    dropTraffic: () => {},
  };
  const r = new Router(identityOf(6, node), {}, node, () => 0.5);
  r.start(0, fx);
  r.connect(0, identityOf(7, node).publicKey, LinkType.Pipe, fx);
  const v = r.convergenceView({
    rootKey: new Uint8Array(0),
    rootSeq: -1,
    parentPort: 5,
    descendingKey: null,
  });
  const s = r.snapshot();
  assert.deepEqual(v, {
    rootKey: s.rootKey,
    rootSeq: s.rootSeq,
    parentPort: s.parentPort,
    descendingKey: s.descendingKey,
  });
});

type MutableLink = {
  port: number;
  remoteKey: PublicKey;
  linkType: LinkType;
  up: boolean;
  stored: LinkInfo['stored'];
};

for (const mode of ['off', 'on', 'on, versioned', 'sorted', 'sorted, versioned'] as const) {
  const sortedMode = mode.startsWith('sorted');
  // 'on': the hub index (signerIndexMinLinks); 'sorted': the sorted index of ordinary nodes.
  // '…, versioned': the inputs carry a links version (PeerTable.version), bumped on every change,
  // and each search is made twice, the second time answered by the index without re-checking.
  let version = 0;
  test(`scale: SNEK steps 2–4 (signer index ${mode}) equal the in-order scan (property)`, () => {
    // One search for the whole property, as a router keeps one: its indexes are carried from run
    // to run and must follow the links' changes.
    const search = new SnekSearch({
      hubMinLinks: mode.startsWith('on') ? 1 : Number.POSITIVE_INFINITY,
      sortedMinLinks: sortedMode ? 1 : Number.POSITIVE_INFINITY,
    });
    // The sorted index compares 6-byte key prefixes first: there, keys b and b ^ 1 share theirs,
    // so the whole-key fall-back is exercised as well.
    const hopKey = (b: number): PublicKey =>
      sortedMode ? key([b >> 1, 0, 0, 0, 0, 0, b]) : key([b, 5]);
    // One links array for all runs, partly re-used with changed announcements and link states,
    // so the index's incremental updates are exercised, not only fresh builds.
    const links: MutableLink[] = [];
    fc.assert(
      fc.property(
        // Up to 6 links, each with an announcement of 0..12 signers from a small key space.
        fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 12 }), { maxLength: 6 }),
        fc.integer({ min: -1, max: 5 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        (signerLists, parentIndex, destByte, selfByte, rootByte, boot) => {
          if (links.length > signerLists.length) links.length = signerLists.length;
          signerLists.forEach((signers, i) => {
            const stored =
              signers.length === 0 && i % 2 === 1
                ? null
                : {
                    announcement: {
                      rootKey: hopKey(rootByte),
                      rootSeq: 1,
                      hops: signers.map((b, h) => ({
                        port: h + 1,
                        signer: hopKey(b),
                        signature: new Uint8Array(64),
                      })),
                    },
                    receiveTime: 0,
                    receiveOrder: i,
                    coords: [],
                    peerCoords: [],
                  };
            const existing = links[i];
            if (existing !== undefined && (destByte + i) % 3 !== 0) {
              existing.stored = stored;
              existing.up = (selfByte + i) % 7 !== 0;
            } else {
              const remoteKey = key([100 + i]);
              links[i] = { port: i + 1, remoteKey, linkType: LinkType.Pipe, up: true, stored };
            }
          });
          const parent =
            parentIndex >= 0 && parentIndex < links.length
              ? (links[parentIndex] as LinkInfo)
              : null;
          const dest = hopKey(destByte);
          const self = hopKey(selfByte);
          const rootKey = hopKey(rootByte);
          if (!boot && keysEqual(dest, self)) return;
          const input: SnekInputs = {
            boot,
            dest,
            self,
            watermark: { key: FULL_MASK, seq: 0 },
            parent,
            rootKey,
            links,
            linkByPort: [undefined, ...links],
            entries: [],
            now: 0,
            neighExpiry: 1,
            wholeRoot: false,
            ...(mode.endsWith('versioned') ? { linksVersion: ++version } : {}),
            indexSlot: search,
          };
          const got = nextHopSnekFast(input, newSnekResult());
          if (mode.endsWith('versioned')) {
            const again = nextHopSnekFast(input, newSnekResult());
            assert.deepEqual(again, got);
          }
          // Reference: §6.6 steps 2–4 as written (every signer in hop order).
          let bestKey = self;
          let bestPort = boot ? NO_PORT : 0;
          let rule: number = SnekRule.None;
          const better = (k: PublicKey): boolean =>
            (!boot && keysEqual(k, dest) && !keysEqual(bestKey, dest)) ||
            (compareKeys(dest, k) < 0 && compareKeys(k, bestKey) < 0);
          const consider = (l: LinkInfo, r: number): void => {
            for (const h of l.stored?.announcement.hops ?? []) {
              if (better(h.signer)) {
                bestKey = h.signer;
                bestPort = l.port;
                rule = r;
              }
            }
          };
          if (parent?.up) {
            if (
              (boot && keysEqual(bestKey, dest)) ||
              (compareKeys(self, dest) < 0 && compareKeys(dest, rootKey) < 0)
            ) {
              bestKey = rootKey;
              bestPort = parent.port;
              rule = SnekRule.RootViaParent;
            }
            consider(parent, SnekRule.ParentAncestor);
          }
          for (const l of links) if (l.up) consider(l, SnekRule.PeerAncestor);
          for (const l of links) {
            if (!l.up || l.stored === null) continue;
            if (keysEqual(l.remoteKey, bestKey)) {
              bestPort = l.port;
              rule = SnekRule.DirectPeer;
            }
          }
          assert.equal(got.port, bestPort);
          assert.ok(keysEqual(got.key, bestKey));
          assert.equal(got.rule, rule);
        },
      ),
      { seed: 42, numRuns: 3000 },
    );
  });
}
