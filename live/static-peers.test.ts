import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from './clock.ts';
import { type DialOutcome, StaticPeers } from './static-peers.ts';

test('static peers: first dial at once, failures back off 2^k s on the 5 s worker, success resets (§4.6)', () => {
  const clock = new ManualClock();
  const dials: number[] = [];
  let pending: DialOutcome | null = null;
  const sp = new StaticPeers(['tcp://127.0.0.1:1'], clock, (_uri, outcome) => {
    dials.push(clock.now() / 1e6);
    pending = outcome;
  });
  sp.start();
  assert.deepEqual(dials, [0]);
  (pending as unknown as DialOutcome).failed('refused'); // k=1: next at 2 s → worker at 5 s
  clock.advanceTo(4.9e6);
  assert.deepEqual(dials, [0]);
  clock.advanceTo(5e6);
  assert.deepEqual(dials, [0, 5]);
  (pending as unknown as DialOutcome).failed('refused'); // k=2: next at 9 s → worker at 10 s
  clock.advanceTo(10e6);
  assert.deepEqual(dials, [0, 5, 10]);
  (pending as unknown as DialOutcome).failed('refused'); // k=3: next at 18 → not at 15, worker at 20
  clock.advanceTo(19e6);
  assert.deepEqual(dials, [0, 5, 10]);
  clock.advanceTo(20e6);
  assert.deepEqual(dials, [0, 5, 10, 20]);
  (pending as unknown as DialOutcome).up();
  assert.equal(sp.status()[0]?.failures, 0);
  clock.advanceTo(40e6);
  assert.deepEqual(dials, [0, 5, 10, 20], 'no dial while connected');
  (pending as unknown as DialOutcome).gone(); // at 40 s: re-dialled at the next tick (45 s)
  clock.advanceTo(45e6);
  assert.deepEqual(dials, [0, 5, 10, 20, 45]);
  sp.stop();
});

test('static peers: the backoff stops growing at 1 h (§4.6)', () => {
  const clock = new ManualClock();
  const dials: number[] = [];
  const sp = new StaticPeers(['tcp://127.0.0.1:1'], clock, (_uri, outcome) => {
    dials.push(clock.now() / 1e6);
    outcome.failed('refused');
  });
  sp.start();
  clock.advanceTo(5 * 3600e6);
  const gaps = dials.slice(1).map((d, i) => d - (dials[i] as number));
  assert.equal(Math.max(...gaps), 3600, `gaps ${gaps.join(',')}`);
  assert.deepEqual(gaps.slice(0, 6), [5, 5, 10, 20, 35, 65]);
  sp.stop();
});
