import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowMatches } from '../scripts/bench-only.ts';

test('bench --only picks a row by a name not followed by more digits', () => {
  assert.ok(rowMatches('geo:100000,r=0.0036 (deg≈4)', 'geo:100000'));
  assert.ok(!rowMatches('geo:1000000,r=0.00113 (99.9% quorum)', 'geo:100000'));
  assert.ok(rowMatches('geo:1000000,r=0.00113 (99.9% quorum)', 'geo:1000000'));
  assert.ok(rowMatches('ba:20000,m=2 (99.9% quorum)', 'ba:20000'));
  assert.ok(!rowMatches('ba:20000,m=2 (99.9% quorum)', 'ba:2000'));
  assert.ok(rowMatches('sim-skitter --max-ports 2100', 'sim-skitter'));
  assert.ok(rowMatches('sim-skitter (253 ports)', 'sim-skitter'));
  assert.ok(rowMatches('fc00 (598/1,593)', 'fc00'));
  assert.ok(!rowMatches('fc00 (598/1,593)', 'yggdrasil'));
  // A later occurrence counts where the first is followed by a digit.
  assert.ok(rowMatches('x:10 and x:1 (y)', 'x:1'));
});
