import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LINK_PROPS } from './link.ts';
import {
  BACKOFF_MAX,
  backoffDelay,
  Dialler,
  handshakeDelay,
  nextTick,
  PeeringTable,
  WORKER_INTERVAL,
} from './peering.ts';

test('backoff: failed attempts wait 2, 4, 8, … s, capped at 1 h; success resets (§4.6)', () => {
  const d = new Dialler();
  const waits: number[] = [];
  let now = 0;
  for (let k = 0; k < 14; k++) {
    const next = d.fail(now);
    waits.push((next - now) / 1_000_000);
    now = next;
  }
  assert.deepEqual(waits, [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600, 3600]);
  assert.equal(d.failures, 14);
  d.succeed();
  assert.equal(d.failures, 0);
  assert.equal(d.nextAttempt, 0);
  assert.equal(d.fail(now) - now, 2_000_000);
  assert.equal(backoffDelay(1000), BACKOFF_MAX);
});

test('worker ticks: the first tick at or after t of a 5 s worker started at its phase', () => {
  assert.equal(nextTick(1_234, 0, WORKER_INTERVAL), 1_234);
  assert.equal(nextTick(1_234, 1_234, WORKER_INTERVAL), 1_234);
  assert.equal(nextTick(1_234, 1_235, WORKER_INTERVAL), 5_001_234);
  assert.equal(nextTick(1_234, 5_001_234, WORKER_INTERVAL), 5_001_234);
  assert.equal(nextTick(1_234, 12_000_000, WORKER_INTERVAL), 15_001_234);
});

test('handshake: TCP three-way handshake plus the 104-byte exchange, 2 RTT (§3.1)', () => {
  assert.equal(handshakeDelay({ ...DEFAULT_LINK_PROPS, latency: 20_000 }), 80_000);
});

test('wanted peerings: intended with both ends present, counted as nodes come and go', () => {
  const t = new PeeringTable();
  t.nodeUp('x');
  t.nodeUp('a');
  const xa = t.add('x', 'a', DEFAULT_LINK_PROPS, 'static');
  t.add('a', 'b', DEFAULT_LINK_PROPS, 'static');
  assert.equal(t.wanted, 1); // b is not there
  t.nodeUp('b');
  assert.equal(t.wanted, 2);
  t.nodeDown('a');
  assert.equal(t.wanted, 0);
  t.nodeUp('a');
  t.setIntended(xa, false);
  assert.equal(t.wanted, 1);
  assert.deepEqual(t.intended(), [['a', 'b']]);
  assert.deepEqual(t.intended('x'), []);
  t.setIntended(xa, true);
  assert.deepEqual(t.intended(), [
    ['a', 'b'],
    ['a', 'x'],
  ]);
  assert.equal(t.wanted, 2);
});

test('a peering is its own dialler; a node lists its peerings in creation order', () => {
  const t = new PeeringTable();
  const ab = t.add('a', 'b', DEFAULT_LINK_PROPS, 'static');
  const ca = t.add('c', 'a', DEFAULT_LINK_PROPS, 'static');
  const bc = t.add('b', 'c', DEFAULT_LINK_PROPS, 'static');
  assert.equal(ab.dialler, ab);
  ab.dialler.fail(0);
  assert.equal(ab.failures, 1);
  assert.equal(ab.nextAttempt, 2_000_000);
  assert.equal(ca.failures, 0);
  ab.dialler.succeed();
  assert.equal(ab.nextAttempt, 0);
  const aList = t.of('a');
  assert.deepEqual(aList, [ab, ca]);
  assert.deepEqual(t.of('b'), [ab, bc]);
  assert.deepEqual(t.of('c'), [ca, bc]);
  assert.deepEqual(t.of('z'), []);
  // A list handed out is not changed by a later add (lists are copied on add).
  t.add('a', 'd', DEFAULT_LINK_PROPS, 'static');
  assert.equal(aList.length, 2);
  assert.equal(t.of('a').length, 3);
});
