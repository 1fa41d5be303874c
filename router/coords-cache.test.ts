import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoordsCache } from './coords-cache.ts';

describe('CoordsCache (§7.2)', () => {
  it('fresh for < 60 s, swept at ≥ 60 s, cleared on demand', () => {
    const c = new CoordsCache();
    const key = new Uint8Array(32).fill(3);
    c.set(key, [1, 2], 0);
    assert.deepEqual(c.get(key, 59_999_999, 60_000_000), [1, 2]);
    assert.equal(c.get(key, 60_000_000, 60_000_000), null);
    c.sweep(59_000_000, 60_000_000);
    assert.equal(c.size, 1);
    c.set(key, [4], 10);
    c.sweep(60_000_005, 60_000_000);
    assert.equal(c.size, 1);
    c.sweep(60_000_010, 60_000_000);
    assert.equal(c.size, 0);
    c.set(key, [1], 0);
    c.clear();
    assert.equal(c.size, 0);
  });
});
