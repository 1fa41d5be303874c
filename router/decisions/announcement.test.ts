import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnnouncementAction as A, determineAnnouncementAction } from './announcement.ts';

// Every row of the PROTOCOL.md §5.4 table: [fromParent, loop, rootDelta, newSeq, lastSeq, action].
const rows: [string, boolean, boolean, number, number, number, A][] = [
  ['parent, loop', true, true, 1, 5, 5, A.SelectNewParentWithWait],
  ['parent, loop wins over stronger root', true, true, 1, 9, 1, A.SelectNewParentWithWait],
  ['parent, weaker root', true, false, -1, 9, 1, A.SelectNewParentWithWait],
  ['parent, same root same seq', true, false, 0, 4, 4, A.SelectNewParentWithWait],
  ['parent, stronger root', true, false, 1, 1, 9, A.AcceptUpdate],
  ['parent, same root newer seq', true, false, 0, 5, 4, A.AcceptUpdate],
  ['parent, same root older seq (unreachable)', true, false, 0, 3, 4, A.Nothing],
  ['non-parent, loop', false, true, 1, 1, 1, A.Nothing],
  ['non-parent, loop with weaker root', false, true, -1, 1, 1, A.Nothing],
  ['non-parent, stronger root', false, false, 1, 1, 7, A.AcceptNewParent],
  ['non-parent, weaker root', false, false, -1, 7, 1, A.InformPeerOfStrongerRoot],
  ['non-parent, same root same seq', false, false, 0, 3, 3, A.SelectNewParent],
  ['non-parent, same root newer seq', false, false, 0, 4, 3, A.SelectNewParent],
  ['non-parent, same root older seq', false, false, 0, 2, 3, A.SelectNewParent],
];

describe('determineAnnouncementAction (§5.4 table)', () => {
  for (const [name, fromParent, loop, delta, newSeq, lastSeq, want] of rows) {
    it(name, () => {
      assert.equal(determineAnnouncementAction(fromParent, loop, delta, newSeq, lastSeq), want);
    });
  }
  it('uses only the sign of rootDelta', () => {
    assert.equal(determineAnnouncementAction(false, false, 200, 1, 1), A.AcceptNewParent);
    assert.equal(determineAnnouncementAction(true, false, -37, 1, 1), A.SelectNewParentWithWait);
  });
});
