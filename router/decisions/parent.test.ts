import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkType, PublicKey, RootAnnouncement } from '../types.ts';
import { type LinkInfo, NO_PORT, type StoredAnnouncement } from './links.ts';
import { isBetterParentCandidate, selectParent } from './parent.ts';

const k = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};
const MIN45 = 45 * 60 * 1_000_000;

function stored(
  root: number,
  seq: number,
  signers: number[],
  order: number,
  at = 0,
): StoredAnnouncement {
  const announcement: RootAnnouncement = {
    rootKey: k(root),
    rootSeq: seq,
    hops: signers.map((s, i) => ({ port: i + 1, signer: k(s), signature: new Uint8Array(64) })),
  };
  const coords = signers.map((_, i) => i + 1);
  return {
    announcement,
    receiveTime: at,
    receiveOrder: order,
    coords,
    peerCoords: coords.slice(0, -1),
  };
}

function link(port: number, remote: number, s: StoredAnnouncement | null, up = true): LinkInfo {
  return { port, remoteKey: k(remote), linkType: 0 as LinkType, up, stored: s };
}

describe('isBetterParentCandidate (§5.6 step 2)', () => {
  const best = () => ({ key: k(9), seq: 5, order: 10, port: 1 });
  it('skips announcements ≥ 45 min old', () => {
    assert.equal(
      isBetterParentCandidate(stored(0xf0, 1, [0xf0], 1, 0), MIN45, k(4), best(), MIN45),
      false,
    );
    assert.equal(
      isBetterParentCandidate(stored(0xf0, 1, [0xf0], 1, 1), MIN45, k(4), best(), MIN45),
      true,
    );
  });
  it('skips announcements containing our key', () => {
    assert.equal(
      isBetterParentCandidate(stored(0xf0, 1, [0xf0, 4, 6], 1), 0, k(4), best(), MIN45),
      false,
    );
  });
  it('stronger key wins; weaker loses; then sequence; then receive order', () => {
    assert.equal(isBetterParentCandidate(stored(10, 1, [10], 99), 0, k(4), best(), MIN45), true);
    assert.equal(isBetterParentCandidate(stored(8, 99, [8], 1), 0, k(4), best(), MIN45), false);
    assert.equal(isBetterParentCandidate(stored(9, 6, [9], 99), 0, k(4), best(), MIN45), true);
    assert.equal(isBetterParentCandidate(stored(9, 4, [9], 1), 0, k(4), best(), MIN45), false);
    assert.equal(isBetterParentCandidate(stored(9, 5, [9], 9), 0, k(4), best(), MIN45), true);
    assert.equal(isBetterParentCandidate(stored(9, 5, [9], 10), 0, k(4), best(), MIN45), false);
  });
});

describe('selectParent (§5.6)', () => {
  it('picks the strongest root, then highest sequence, then earliest receive order', () => {
    const links = [
      link(1, 7, stored(9, 1, [9, 7], 1)),
      link(2, 8, stored(9, 2, [9, 8], 5)),
      link(3, 6, stored(9, 2, [9, 6], 3)),
      link(4, 5, stored(8, 9, [8, 5], 0)),
    ];
    assert.equal(selectParent(links, 0, k(4), k(4), 1, MIN45), 3);
  });
  it('starts from our current root, so the current parent qualifies (pinecone #20, §9.2)', () => {
    const links = [link(1, 7, stored(9, 3, [9, 7], 4)), link(2, 8, stored(9, 3, [9, 8], 2))];
    assert.equal(selectParent(links, 0, k(4), k(9), 3, MIN45), 2);
  });
  it('after parent loss best starts at our own key: an older sequence of the old root qualifies', () => {
    const links = [link(1, 7, stored(9, 1, [9, 7], 4))];
    assert.equal(selectParent(links, 0, k(4), k(4), 7, MIN45), 1);
  });
  it('no candidate (weaker roots, loops, stale, down links) → NO_PORT', () => {
    const links = [
      link(1, 2, stored(3, 9, [3, 2], 1)),
      link(2, 7, stored(9, 1, [9, 4, 7], 2)),
      link(3, 8, stored(9, 1, [9, 8], 3, -MIN45)),
      link(4, 6, stored(9, 1, [9, 6], 4), false),
      link(5, 6, null),
    ];
    assert.equal(selectParent(links, 0, k(4), k(4), 1, MIN45), NO_PORT);
  });
  it('our own key greater than the current root resets best to (our key, 0)', () => {
    const links = [link(1, 6, stored(5, 1, [5, 6], 1))];
    // current root (3, 9) is weaker than us (key 4): a root-5 announcement is a candidate.
    assert.equal(selectParent(links, 0, k(4), k(3), 9, MIN45), 1);
  });
});
