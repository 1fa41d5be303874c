import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { FULL_MASK, INITIAL_WATERMARK, keyTag } from '../keys.ts';
import { SnakeState } from '../snake-state.ts';
import { LinkType, LOCAL_PORT, type PublicKey, type Watermark } from '../types.ts';
import { type LinkInfo, NO_PORT } from './links.ts';
import {
  newSnekResult,
  nextHopSnek,
  nextHopSnekFast,
  type SnekEntryInfo,
  type SnekInputs,
  SnekRule,
  SnekSearch,
} from './snek-next-hop.ts';

const k = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};
const S = 1_000_000;
const ROOT = 9;
const PARENT = 1;
const L6 = 2;
const L2 = 3;

function link(
  port: number,
  remote: number,
  signers: number[] | null,
  opts: { type?: LinkType; order?: number; seq?: number; rootKey?: number; up?: boolean } = {},
): LinkInfo {
  return {
    port,
    remoteKey: k(remote),
    remoteTag: keyTag(k(remote)), // as the router's links (LinkInfo.remoteTag)
    linkType: opts.type ?? LinkType.Pipe,
    up: opts.up ?? true,
    stored:
      signers === null
        ? null
        : {
            announcement: {
              rootKey: k(opts.rootKey ?? ROOT),
              rootSeq: opts.seq ?? 1,
              hops: signers.map((s, i) => ({
                port: i + 1,
                signer: k(s),
                signature: new Uint8Array(64),
              })),
            },
            receiveTime: 0,
            receiveOrder: opts.order ?? port,
            coords: [],
            peerCoords: [],
          },
  };
}

function run(
  boot: boolean,
  dest: number,
  self: number,
  links: LinkInfo[],
  entries: SnekEntryInfo[] = [],
  watermark: Watermark = INITIAL_WATERMARK,
  parentPort: number | null = PARENT,
  wholeRoot = false,
) {
  const byPort: (LinkInfo | undefined)[] = [];
  for (const l of links) byPort[l.port] = l;
  const input: SnekInputs = {
    boot,
    dest: k(dest),
    self: k(self),
    watermark,
    parent: parentPort === null ? null : (byPort[parentPort] ?? null),
    rootKey: k(ROOT),
    links,
    linkByPort: byPort,
    entries,
    now: 20 * S,
    neighExpiry: 10 * S,
    wholeRoot,
  };
  const r = nextHopSnek(input, newSnekResult());
  // The fast search answers the same (its own property test below covers random tables).
  const f = nextHopSnekFast(input, newSnekResult());
  assert.deepEqual([f.port, [...f.key], f.seq, f.rule], [r.port, [...r.key], r.seq, r.rule]);
  return {
    port: r.port,
    wm: r.key === FULL_MASK ? 'FullMask' : r.key[0],
    seq: r.seq,
    rule: r.rule,
  };
}

const entry2: SnekEntryInfo = {
  key: k(2),
  sourcePort: L2,
  watermark: { key: k(2), seq: 7 },
  lastSeen: 15 * S,
};

describe('nextHopSnek (§6.6, checklist 34)', () => {
  it('checklist 34a: traffic to 6 from 4, parent [] → parent, (9, 0)', () => {
    assert.deepEqual(run(false, 6, 4, [link(PARENT, 3, [])]), {
      port: PARENT,
      wm: 9,
      seq: 0,
      rule: SnekRule.RootViaParent,
    });
  });
  it('checklist 34b: traffic to 6 at 6 → local, watermark unchanged (FullMask, 0)', () => {
    const r = run(false, 6, 6, [link(PARENT, 3, []), link(L6, 6, [6])]);
    assert.deepEqual(r, { port: LOCAL_PORT, wm: 'FullMask', seq: 0, rule: SnekRule.Loopback });
  });
  it('checklist 34c: bootstrap to 6 at its origin 6 → parent (climb to root), (9, 0)', () => {
    const r = run(true, 6, 6, [link(PARENT, 3, [])]);
    assert.deepEqual(r, { port: PARENT, wm: 9, seq: 0, rule: SnekRule.RootViaParent });
  });
  it('checklist 34d: traffic to 6 from 4 with L6 [6] → L6, (6, 0)', () => {
    const r = run(false, 6, 4, [link(PARENT, 3, []), link(L6, 6, [6])]);
    assert.deepEqual([r.port, r.wm, r.seq], [L6, 6, 0]);
  });
  it('checklist 34e: bootstrap to 6 from 4 with L6 [6] → parent (never the exact key), (9, 0)', () => {
    const r = run(true, 6, 4, [link(PARENT, 3, []), link(L6, 6, [6])]);
    assert.deepEqual([r.port, r.wm, r.seq], [PARENT, 9, 0]);
  });
  it('checklist 34f: traffic to 6 from 4, parent [6] → parent, (6, 0)', () => {
    const r = run(false, 6, 4, [link(PARENT, 3, [6])]);
    assert.deepEqual(r, { port: PARENT, wm: 6, seq: 0, rule: SnekRule.ParentAncestor });
  });
  it('checklist 34g: traffic to 6 from 4, parent [5] → parent, (9, 0)', () => {
    const r = run(false, 6, 4, [link(PARENT, 3, [5])]);
    assert.deepEqual([r.port, r.wm, r.seq], [PARENT, 9, 0]);
  });
  it('checklist 34h: bootstrap to 6 from 4, parent [5] → parent, (9, 0)', () => {
    const r = run(true, 6, 4, [link(PARENT, 3, [5])]);
    assert.deepEqual([r.port, r.wm, r.seq], [PARENT, 9, 0]);
  });
  it('checklist 34i: traffic to 2 from 4, table key 2 via L2 (2, 7) → L2, (2, 7)', () => {
    const r = run(false, 2, 4, [link(PARENT, 3, []), link(L2, 2, null)], [entry2]);
    assert.deepEqual(r, { port: L2, wm: 2, seq: 7, rule: SnekRule.TableEntry });
  });
  it('checklist 34j: bootstrap to 2 from 4, same table → none (dead end here), (4, 0)', () => {
    const r = run(true, 2, 4, [link(PARENT, 3, []), link(L2, 2, null)], [entry2]);
    assert.deepEqual([r.port, r.wm, r.seq], [NO_PORT, 4, 0]);
  });
});

describe('nextHopSnek: further rules', () => {
  it('expired entries, entries on down links and entries worse than the watermark are ignored', () => {
    const links = [link(PARENT, 3, []), link(L2, 2, null)];
    const expired = { ...entry2, lastSeen: 10 * S };
    assert.equal(run(false, 2, 4, links, [expired]).port, LOCAL_PORT);
    const down = [link(PARENT, 3, []), link(L2, 2, null, { up: false })];
    assert.equal(run(false, 2, 4, down, [entry2]).port, LOCAL_PORT);
    // Watermark (2, 8) is better than the entry's (2, 7): the entry is worse, ignored.
    assert.equal(run(false, 2, 4, links, [entry2], { key: k(2), seq: 8 }).port, LOCAL_PORT);
    assert.equal(run(false, 2, 4, links, [entry2], { key: k(2), seq: 7 }).port, L2);
  });
  it('a root (no parent) sends traffic for a key above it nowhere but local', () => {
    assert.equal(
      run(false, 0xf0, 9, [link(2, 5, [9, 5])], [], INITIAL_WATERMARK, null).port,
      LOCAL_PORT,
    );
  });
  it('peer ancestors: the closest greater key among all announcements wins, first port on ties', () => {
    const links = [link(PARENT, 3, [9, 3]), link(2, 8, [9, 7, 8]), link(3, 5, [9, 7, 5])];
    // traffic to 6 from 4: candidates 7 (via port 2 first), then nothing closer than 7.
    const r = run(false, 6, 4, links);
    assert.deepEqual([r.port, r.wm], [2, 7]);
  });
  it('direct peering shortcut: a link whose remote key is the best key is taken (last wins)', () => {
    const links = [
      link(PARENT, 3, []),
      link(2, 8, [9, 7, 8]),
      link(4, 7, [9, 7], { order: 10 }),
      link(5, 7, [9, 7], { order: 5 }),
    ];
    const r = run(false, 6, 4, links);
    // Last matching link (5) taken by step 4 and kept by step 6 (its announcement is earlier).
    assert.deepEqual([r.port, r.wm, r.rule], [5, 7, SnekRule.DirectPeer]);
  });
  it('parallel-link refinement: lower link type, then same root sequence and earlier receive order', () => {
    const typed = [
      link(PARENT, 3, []),
      link(2, 6, [9, 6], { type: LinkType.Remote, order: 1 }),
      link(3, 6, [9, 6], { type: LinkType.Multicast, order: 9 }),
    ];
    // Step 4 takes port 3 (last), step 6 keeps it (lower type).
    assert.equal(run(false, 6, 4, typed).port, 3);
    const ordered = [
      link(PARENT, 3, []),
      link(2, 6, [9, 6], { order: 1 }),
      link(3, 6, [9, 6], { order: 9 }),
    ];
    assert.equal(run(false, 6, 4, ordered).port, 2);
    const seqDiffers = [
      link(PARENT, 3, []),
      link(2, 6, [9, 6], { order: 1, seq: 2 }),
      link(3, 6, [9, 6], { order: 9 }),
    ];
    assert.equal(run(false, 6, 4, seqDiffers).port, 3);
    // [HEAD] #73: the whole root must match (key too).
    const keyDiffers = [
      link(PARENT, 3, []),
      link(2, 6, [0xa0, 6], { order: 1, rootKey: 0xa0 }),
      link(3, 6, [9, 6], { order: 9 }),
    ];
    assert.equal(run(false, 6, 4, keyDiffers, [], INITIAL_WATERMARK, PARENT, false).port, 2);
    assert.equal(run(false, 6, 4, keyDiffers, [], INITIAL_WATERMARK, PARENT, true).port, 3);
  });
  it('parallel-link refinement after step 5 moved best to a table entry of another key', () => {
    // Steps 2-4 leave best at the root 9 via the parent; step 5 takes the entry for 7 (via port 2,
    // a Remote link); step 6 then finds port 3, a Multicast link to 7: lower type, taken.
    const links = [
      link(PARENT, 3, []),
      link(2, 7, [9], { type: LinkType.Remote }),
      link(3, 7, [9], { type: LinkType.Multicast }),
    ];
    const e7: SnekEntryInfo = {
      key: k(7),
      sourcePort: 2,
      watermark: { key: k(7), seq: 3 },
      lastSeen: 15 * S,
    };
    const r = run(false, 6, 4, links, [e7]);
    assert.deepEqual([r.port, r.wm, r.seq, r.rule], [3, 7, 3, SnekRule.ParallelLink]);
  });
});

// ---- The fast search against the plain one -----------------------------------------------

/**
 * Keys from a small space so that ties happen: signers shared between announcements, parallel
 * links to one key, table keys equal to dest or to a signer. Keys b and b ^ 1 share their 6-byte
 * prefix (keys.ts keyPrefix), so the whole-key fall-backs are exercised too; keys b and b ^ 2
 * share their first byte (the hub index's bucket) but not their prefix.
 */
const key6 = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b >> 2;
  a[3] = b >> 1;
  a[6] = b;
  return a;
};

type TestLink = {
  port: number;
  remoteKey: PublicKey;
  remoteTag?: number;
  linkType: LinkType;
  up: boolean;
  stored: LinkInfo['stored'];
};

interface LinkSpec {
  readonly gap: number;
  readonly remote: number;
  readonly type: LinkType;
  readonly up: boolean;
  readonly signers: number[] | null;
  readonly root: number;
  readonly seq: number;
  readonly order: number;
}

const arbLink: fc.Arbitrary<LinkSpec> = fc.record({
  gap: fc.integer({ min: 1, max: 3 }),
  remote: fc.integer({ min: 0, max: 15 }),
  type: fc.constantFrom(LinkType.Pipe, LinkType.Multicast, LinkType.Bluetooth, LinkType.Remote),
  up: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
  signers: fc.option(fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 9 }), {
    freq: 5,
  }),
  root: fc.constantFrom(14, 15),
  seq: fc.integer({ min: 1, max: 2 }),
  order: fc.integer({ min: 0, max: 5 }),
});

const arbEntry = fc.record({
  key: fc.integer({ min: 0, max: 15 }),
  port: fc.integer({ min: 0, max: 12 }),
  seq: fc.integer({ min: 0, max: 3 }),
  stale: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  side: fc.boolean(),
});

function storedOf(l: LinkSpec): LinkInfo['stored'] {
  if (l.signers === null) return null;
  return {
    announcement: {
      rootKey: key6(l.root),
      rootSeq: l.seq,
      hops: [l.root, ...l.signers, l.remote].map((s, i) => ({
        port: i + 1,
        signer: key6(s),
        signature: new Uint8Array(64),
      })),
    },
    receiveTime: 0,
    receiveOrder: l.order,
    coords: [],
    peerCoords: [],
  };
}

test('nextHopSnekFast equals the plain nextHopSnek on random tables, before and after a link changes (property)', () => {
  const S = 1_000_000;
  fc.assert(
    fc.property(
      fc.array(arbLink, { maxLength: 9 }),
      fc.uniqueArray(arbEntry, { selector: (e) => e.key, maxLength: 12 }),
      fc.record({
        boot: fc.boolean(),
        dest: fc.integer({ min: 0, max: 15 }),
        self: fc.integer({ min: 0, max: 15 }),
        parent: fc.integer({ min: -1, max: 8 }),
        root: fc.constantFrom(14, 15),
        wm: fc.option(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 3 }))),
        wholeRoot: fc.boolean(),
        table: fc.boolean(),
        tuning: fc.constantFrom(
          { hubMinLinks: 1, sortedMinLinks: 1 },
          { hubMinLinks: Number.POSITIVE_INFINITY, sortedMinLinks: 1 },
          { hubMinLinks: Number.POSITIVE_INFINITY, sortedMinLinks: Number.POSITIVE_INFINITY },
          {},
        ),
        change: fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 2 })),
      }),
      (linkSpecs, entrySpecs, o) => {
        let port = 0;
        const links: TestLink[] = linkSpecs.map((l) => {
          port += l.gap;
          return {
            port,
            remoteKey: key6(l.remote),
            // Half the links keep a tag (the router's do), half not (LinkInfo allows both).
            ...(l.remote % 2 === 0 ? { remoteTag: keyTag(key6(l.remote)) } : {}),
            linkType: l.type,
            up: l.up,
            stored: storedOf(l),
          };
        });
        const byPort: (LinkInfo | undefined)[] = [];
        for (const l of links) byPort[l.port] = l;
        const entries = entrySpecs
          .map((e) => ({
            key: key6(e.key),
            sourcePort: e.port,
            watermark: { key: key6(e.key), seq: e.seq },
            lastSeen: e.stale ? 0 : 15 * S,
            side: e.side,
          }))
          .sort((a, b) => (a.key[6] as number) - (b.key[6] as number));
        const main = entries.filter((e) => !e.side);
        const side = entries.filter((e) => e.side);
        // The router's layout: rows in two runs (router/snake-state.ts), the side run's entries
        // inserted after the main run's were merged.
        const table = SnakeState.withRuns(main, side);
        const search = new SnekSearch(o.tuning);
        let version = 0;
        const input = (rows: boolean): SnekInputs => ({
          boot: o.boot,
          dest: key6(o.dest),
          self: key6(o.self),
          watermark: o.wm === null ? INITIAL_WATERMARK : { key: key6(o.wm[0]), seq: o.wm[1] },
          parent: links[o.parent] ?? null,
          rootKey: key6(o.root),
          links,
          linkByPort: byPort,
          ...(rows ? { entries: [], table } : { entries: main, sideEntries: side }),
          now: 20 * S,
          neighExpiry: 10 * S,
          wholeRoot: o.wholeRoot,
          linksVersion: version,
          indexSlot: search,
        });
        const same = (why: string): void => {
          const plain = nextHopSnek(input(false), newSnekResult());
          const fast = nextHopSnekFast(input(o.table), newSnekResult());
          // The table's lazy view, as variants get it: searched through the rows behind it.
          const viaView = nextHopSnekFast(
            { ...input(false), sideEntries: [], entries: table.view },
            newSnekResult(),
          );
          assert.deepEqual(
            { port: viaView.port, key: [...viaView.key], seq: viaView.seq, rule: viaView.rule },
            { port: plain.port, key: [...plain.key], seq: plain.seq, rule: plain.rule },
            `${why}, through the view`,
          );
          assert.deepEqual(
            { port: fast.port, key: [...fast.key], seq: fast.seq, rule: fast.rule },
            { port: plain.port, key: [...plain.key], seq: plain.seq, rule: plain.rule },
            why,
          );
        };
        same('fresh');
        // A change the router makes (PeerTable bumps its version): the kept indexes must follow.
        const changed = links[o.change[0]];
        if (changed === undefined) return;
        if (o.change[1] === 0) changed.up = !changed.up;
        else if (o.change[1] === 1) changed.stored = null;
        else
          changed.stored = storedOf({
            ...(linkSpecs[o.change[0]] as LinkSpec),
            signers: [o.dest, o.self],
          });
        version++;
        same('after a change');
      },
    ),
    { seed: 2026, numRuns: 5000 },
  );
});
