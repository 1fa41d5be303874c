import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkType, LOCAL_PORT, type PublicKey } from '../types.ts';
import { type LinkInfo, NO_PORT } from './links.ts';
import { nextHopTree, type TreeHopInfo } from './tree-next-hop.ts';

const k = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};

/** A link whose peer has coordinates `peer` under root (9, seq). */
function link(
  port: number,
  remote: number,
  peer: number[],
  opts: { seq?: number; root?: number; type?: LinkType; order?: number; up?: boolean } = {},
): LinkInfo {
  const coords = [...peer, 7];
  return {
    port,
    remoteKey: k(remote),
    linkType: opts.type ?? LinkType.Pipe,
    up: opts.up ?? true,
    stored: {
      announcement: { rootKey: k(opts.root ?? 9), rootSeq: opts.seq ?? 1, hops: [] },
      receiveTime: 0,
      receiveOrder: opts.order ?? port,
      coords,
      peerCoords: peer,
    },
  };
}

const ours = [1, 2];

describe('nextHopTree (§5.8, checklist 25)', () => {
  it('local when the destination coordinates are ours', () => {
    assert.equal(nextHopTree([link(1, 5, [1])], ours, k(9), 1, [1, 2], 3), LOCAL_PORT);
  });
  it('picks the strictly closest peer and reports distances', () => {
    const info: TreeHopInfo = { ourDistance: 0, bestDistance: 0 };
    const links = [link(1, 5, [1]), link(2, 6, [1, 2, 3]), link(3, 7, [3])];
    assert.equal(nextHopTree(links, ours, k(9), 1, [3, 1], LOCAL_PORT, info), 3);
    assert.deepEqual(info, { ourDistance: 4, bestDistance: 1 });
  });
  it('never the arrival link, even when it is closest', () => {
    const links = [link(1, 5, [1]), link(3, 7, [3])];
    assert.equal(nextHopTree(links, ours, k(9), 1, [3, 1], 3), 1);
  });
  it('skips peers under a different root key or sequence, and down links', () => {
    const links = [
      link(1, 5, [3], { seq: 2 }),
      link(2, 6, [3], { root: 8 }),
      link(3, 7, [3], { up: false }),
    ];
    assert.equal(nextHopTree(links, ours, k(9), 1, [3, 1], LOCAL_PORT), NO_PORT);
  });
  it('none when nobody is strictly closer (equal distance is not enough)', () => {
    assert.equal(nextHopTree([link(1, 5, [1, 3])], ours, k(9), 1, [1, 4], LOCAL_PORT), NO_PORT);
  });
  it('[DET] ties: first in port order, unless a parallel link to the same key is preferred', () => {
    // Distinct keys at equal distance: lowest port wins.
    assert.equal(nextHopTree([link(2, 5, [3]), link(4, 6, [3])], ours, k(9), 1, [3, 1], 0), 2);
    // Same key: lower link type wins.
    const t = [
      link(2, 5, [3], { type: LinkType.Remote }),
      link(4, 5, [3], { type: LinkType.Multicast }),
    ];
    assert.equal(nextHopTree(t, ours, k(9), 1, [3, 1], 0), 4);
    // Same key, same type: earlier announcement wins.
    const o = [link(2, 5, [3], { order: 9 }), link(4, 5, [3], { order: 3 })];
    assert.equal(nextHopTree(o, ours, k(9), 1, [3, 1], 0), 4);
    const o2 = [link(2, 5, [3], { order: 3 }), link(4, 5, [3], { order: 9 })];
    assert.equal(nextHopTree(o2, ours, k(9), 1, [3, 1], 0), 2);
  });
});
