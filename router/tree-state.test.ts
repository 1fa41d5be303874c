import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_ROUTER_OPTIONS } from './options.ts';
import { PeerTable } from './peers.ts';
import { storeAnnouncement, TreeState } from './tree-state.ts';
import { LinkType, type RootAnnouncement } from './types.ts';

const key = (b: number) => {
  const k = new Uint8Array(32);
  k[0] = b;
  return k;
};

test('rootAnnouncement, cached, equals §5.2 read afresh through parent changes, stores and clears (property)', () => {
  const op = fc.oneof(
    fc.record({ parent: fc.integer({ min: 0, max: 3 }) }), // 0: no parent
    fc.record({ store: fc.integer({ min: 1, max: 3 }), root: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ clear: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ sequence: fc.integer({ min: 0, max: 3 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const peers = new PeerTable(8);
      const tree = new TreeState(key(200), peers);
      const links = [1, 2, 3].map((p) =>
        peers.add(p, key(p), LinkType.Pipe, 0, DEFAULT_ROUTER_OPTIONS, () => 0),
      );
      let made = 0;
      // §5.2 as written: the parent's stored announcement, else our own (key, sequence).
      const plain = (): RootAnnouncement | { rootKey: Uint8Array; rootSeq: number } => {
        const p = tree.parent;
        if (p !== null && p.stored !== null) return p.stored.announcement;
        return { rootKey: key(200), rootSeq: tree.sequence };
      };
      for (const o of ops) {
        if ('parent' in o) tree.parent = o.parent === 0 ? null : (links[o.parent - 1] ?? null);
        else if ('store' in o) {
          const ann: RootAnnouncement = { rootKey: key(210 + o.root), rootSeq: ++made, hops: [] };
          (links[o.store - 1] as (typeof links)[number]).stored = storeAnnouncement(ann, 0, made);
        } else if ('clear' in o) (links[o.clear - 1] as (typeof links)[number]).stored = null;
        else tree.sequence = o.sequence;
        const got = tree.rootAnnouncement();
        const want = plain();
        if (tree.parent !== null && tree.parent.stored !== null) assert.equal(got, want);
        else assert.deepEqual([got.rootKey, got.rootSeq], [want.rootKey, want.rootSeq]);
      }
    }),
    { seed: 5, numRuns: 500 },
  );
});
