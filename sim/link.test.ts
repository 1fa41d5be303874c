import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputError } from './errors.ts';
import { DEFAULT_LINK_PROPS, Link, resolveLinkProps } from './link.ts';
import { RandomStreams } from './rng.ts';

const streams = new RandomStreams('link-test');
const make = (p: Partial<typeof DEFAULT_LINK_PROPS>): Link =>
  new Link(1, 0, 1, resolveLinkProps(DEFAULT_LINK_PROPS, p, 'test'), streams, 'l');

test('defaults: 1 ms, no jitter, unlimited bandwidth, no loss', () => {
  assert.deepEqual({ ...DEFAULT_LINK_PROPS }, { latency: 1000, jitter: 0, bandwidth: 0, loss: 0 });
  const link = make({});
  assert.equal(link.send(0, 500, 100), 1500);
  assert.equal(link.readyAt, 500); // never busy
});

test('jitter never reorders a direction', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 100 }),
      (gaps) => {
        const link = make({ latency: 200, jitter: 5000 });
        let now = 0;
        let previous = 0;
        for (const gap of gaps) {
          now += gap;
          const arrival = link.send(1, now, 50);
          assert.ok(
            (arrival >= previous && arrival >= now + 200 && arrival < now + 200 + 5000) ||
              arrival === previous,
          );
          previous = arrival;
        }
      },
    ),
    { seed: 42, numRuns: 100 },
  );
});

test('bandwidth: serialisation delay, sender busy, back-to-back frames queue', () => {
  const link = make({ latency: 1000, bandwidth: 8_000_000 }); // 1 byte per µs
  assert.equal(link.send(0, 0, 100), 1100);
  assert.equal(link.readyAt, 100);
  assert.equal(link.busyUntil(0), 100);
  assert.equal(link.send(0, 10, 100), 1200); // waits for the first to finish
  assert.equal(link.readyAt, 200);
  assert.equal(link.busyUntil(1), 0); // the other direction is independent
  assert.equal(link.send(1, 10, 3), 1013);
});

test('loss follows the probability, from the seeded stream', () => {
  const run = (): number => {
    const link = make({ loss: 0.25 });
    let lost = 0;
    for (let i = 0; i < 10000; i++) if (link.send(0, i, 10) < 0) lost++;
    return lost;
  };
  const lost = run();
  assert.ok(lost > 2300 && lost < 2700, `lost ${lost}`);
  assert.equal(run(), lost);
});

test('bad properties are input errors', () => {
  assert.throws(() => resolveLinkProps(DEFAULT_LINK_PROPS, { loss: 2 }, 'x'), InputError);
  assert.throws(() => resolveLinkProps(DEFAULT_LINK_PROPS, { latency: -1 }, 'x'), InputError);
  assert.throws(() => resolveLinkProps(DEFAULT_LINK_PROPS, { latency: 1.5 }, 'x'), InputError);
});
