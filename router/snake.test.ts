import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_PORT } from './decisions/links.ts';
import { SnakeEntry, SnakeState } from './snake.ts';

const k = (b: number) => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};
const e = (key: number, src: number, dst: number, at = 0) =>
  new SnakeEntry(k(key), src, dst, 1, at, k(9), 1);

describe('SnakeState', () => {
  it('keeps entries in ascending key order and overwrites by key', () => {
    const s = new SnakeState(5);
    for (const key of [5, 1, 3, 7]) s.put(e(key, 1, 2));
    s.put(e(3, 4, NO_PORT));
    assert.deepEqual(
      s.entries.map((x) => x.key[0]),
      [1, 3, 5, 7],
    );
    assert.equal(s.get(k(3))?.sourcePort, 4);
    assert.equal(s.get(k(4)), null);
  });
  it('removes entries by source or destination port and by age (§4.5, §6.3)', () => {
    const s = new SnakeState(5);
    s.put(e(1, 1, 2));
    s.put(e(2, 3, 1));
    s.put(e(3, 3, 4, 5));
    s.removePort(1);
    assert.deepEqual(
      s.entries.map((x) => x.key[0]),
      [3],
    );
    s.removeExpired(14, 10);
    assert.equal(s.entries.length, 1);
    s.removeExpired(15, 10);
    assert.equal(s.entries.length, 0);
  });
  it('descending changes trigger bootstrap soon; same-key refresh does not; clearing always does', () => {
    const s = new SnakeState(5_000_000);
    s.lastBootstrap = 100;
    s.setDescending(e(2, 1, 2), 1_000);
    assert.equal(s.lastBootstrap, 1_000 - 5_000_000);
    s.lastBootstrap = 100;
    s.setDescending(e(2, 3, 2), 2_000);
    assert.equal(s.lastBootstrap, 100);
    s.setDescending(null, 3_000);
    assert.equal(s.lastBootstrap, 3_000 - 5_000_000);
    s.lastBootstrap = 100;
    s.setDescending(null, 4_000);
    assert.equal(s.lastBootstrap, 4_000 - 5_000_000);
  });
  it('the descending pointer is a snapshot: deleting the table entry does not clear it (§6.1)', () => {
    const s = new SnakeState(5);
    const x = e(2, 1, 3);
    s.put(x);
    s.setDescending(x, 0);
    s.removePort(3);
    assert.equal(s.entries.length, 0);
    assert.equal(s.descending, x);
  });
});
