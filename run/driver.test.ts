import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MICROS_PER_SECOND } from '../router/types.ts';
import { Host } from '../sim/host.ts';
import { CONVERGED_GRACE, Driver } from './driver.ts';

const S = MICROS_PER_SECOND;

/** A host with no nodes: only the actions the test schedules run. */
function emptyHost(): Host {
  return new Host({
    seed: 'driver',
    identity: () => {
      throw new Error('no nodes in this test');
    },
    routerFactory: () => {
      throw new Error('no nodes in this test');
    },
    startSpread: 0,
  });
}

test('advance(until) runs up to the bound, time passes to it, the run is over at its end', () => {
  const host = emptyHost();
  const driver = new Driver(host, 10 * S);
  const seen: number[] = [];
  for (const t of [1, 4, 10, 11]) host.at(t * S, () => seen.push(t));
  assert.equal(driver.advance(5 * S), false);
  assert.deepEqual(seen, [1, 4]);
  assert.equal(host.now, 5 * S);
  assert.equal(driver.advance(), true);
  // Events at exactly the end run; later ones do not.
  assert.deepEqual(seen, [1, 4, 10]);
  assert.equal(host.now, 10 * S);
  assert.equal(driver.advance(), true);
  assert.equal(driver.events, 0, 'actions are not router events');
});

test('stopWhen: a stop event CONVERGED_GRACE after the holding sample stops the run right after it', () => {
  const host = emptyHost();
  const driver = new Driver(host, 60 * S);
  const sampled: number[] = [];
  driver.stopWhen({ snakeQuorum: 1, sampleNow: () => sampled.push(host.now) });
  const after: number[] = [];
  host.at(2 * S, () => driver.onSample(1, 1, 5));
  // Scheduled after the stop event is armed, at its instant: must not run (the stop is an event).
  host.at(2 * S + 1, () => host.at(2 * S + CONVERGED_GRACE, () => after.push(host.now)));
  host.at(30 * S, () => after.push(host.now));
  assert.equal(driver.advance(), true);
  assert.equal(host.now, 2 * S + CONVERGED_GRACE);
  assert.deepEqual(sampled, [2 * S + CONVERGED_GRACE]);
  assert.deepEqual(after, []);
  assert.equal(driver.advance(), true, 'a stopped run stays over');
  assert.deepEqual(after, []);
});

test('stopWhen: a sample that breaks convergence disarms the stop event; the next hold re-arms it', () => {
  const host = emptyHost();
  const driver = new Driver(host, 60 * S);
  const sampled: number[] = [];
  driver.stopWhen({ snakeQuorum: 0.9, sampleNow: () => sampled.push(host.now) });
  host.at(1 * S, () => driver.onSample(1, 0.95, 20));
  host.at(2 * S, () => driver.onSample(1, 0.5, 20));
  host.at(3 * S, () => driver.onSample(1, 0.9, 20));
  assert.equal(driver.advance(), true);
  // The stale event at 4 s only samples; the one armed at 3 s stops the run.
  assert.deepEqual(sampled, [4 * S, 6 * S]);
  assert.equal(host.now, 6 * S);
  assert.deepEqual(driver.last, { tree: 1, snake: 0.9, nodes: 20 });
});

test('without stopWhen the run goes to its end; a stop event past the end is not scheduled', () => {
  const host = emptyHost();
  const driver = new Driver(host, 4 * S);
  host.at(1 * S, () => driver.onSample(1, 1, 3));
  assert.equal(driver.advance(), true);
  assert.equal(host.now, 4 * S);
  const late = new Driver(emptyHost(), 4 * S);
  late.stopWhen({ snakeQuorum: 1, sampleNow: () => assert.fail('no stop event past the end') });
  late.host.at(2 * S, () => late.onSample(1, 1, 3));
  assert.equal(late.advance(), true);
  assert.equal(late.host.now, 4 * S);
});

test('finish() takes the final measurement once', () => {
  const driver = new Driver(emptyHost(), S);
  let measured = 0;
  driver.finish(() => measured++);
  driver.finish(() => measured++);
  assert.equal(measured, 1);
  assert.equal(driver.advance(), true);
});
