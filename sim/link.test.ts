import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../base/index.ts';
import {
  baseRto,
  DEFAULT_LINK_PROPS,
  HELD,
  Link,
  MSS_BYTES,
  RTO_MAX,
  resolveLinkProps,
} from './link.ts';
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

const makeT = (p: Partial<typeof DEFAULT_LINK_PROPS>, transport: 'stream' | 'datagram'): Link =>
  new Link(1, 0, 1, resolveLinkProps(DEFAULT_LINK_PROPS, p, 'test'), streams, 'l', transport);

test('stream without loss: the datagram arrivals exactly, and no random draw at all', () => {
  const s = makeT({ latency: 3000, bandwidth: 8_000_000 }, 'stream');
  const d = makeT({ latency: 3000, bandwidth: 8_000_000 }, 'datagram');
  for (let i = 0; i < 200; i++)
    assert.equal(s.send(0, i * 37, 100 + i), d.send(0, i * 37, 100 + i));
  // The link's stream is made on first use only: none was needed.
  assert.equal((s as unknown as { rng: unknown }).rng, null);
});

test('RTO: SRTT + max(200 ms, 4·RTTVAR) from the link latency and jitter (RFC 6298, Linux)', () => {
  assert.equal(baseRto({ ...DEFAULT_LINK_PROPS, latency: 20_000, jitter: 5_000 }), 245_000);
  assert.equal(baseRto({ ...DEFAULT_LINK_PROPS, latency: 1_000 }), 202_000);
  // Large jitter: the variance term passes the 200 ms floor.
  assert.equal(baseRto({ ...DEFAULT_LINK_PROPS, latency: 0, jitter: 300_000 }), 700_000);
});

test('stream with loss: nothing is lost, a lost segment costs backed-off RTOs, frames behind wait', () => {
  const props = { latency: 20_000, loss: 0.2 };
  const link = makeT(props, 'stream');
  const base = baseRto(link.props);
  assert.equal(base, 240_000); // 2·20 ms + max(200 ms, 0)
  // The delay of a frame is a sum base·(1 + 2 + 4 + …) over the retransmissions of a segment.
  const sums = new Set<number>();
  for (let k = 0, acc = 0, r = base; k < 16; k++, r = Math.min(2 * r, RTO_MAX)) {
    sums.add(acc);
    acc += r;
  }
  let previous = 0;
  let delayed = 0;
  const n = 5000;
  for (let i = 0; i < n; i++) {
    const now = i * 1_000_000; // 1 s apart: no head-of-line wait between them
    const arrival = link.send(0, now, 100);
    assert.ok(arrival >= 0, 'a stream never loses a frame');
    assert.ok(arrival >= previous);
    const extra = arrival - now - 20_000;
    if (extra > 0) delayed++;
    assert.ok(sums.has(extra) || arrival === previous, `delay ${extra}`);
    previous = arrival;
  }
  // One segment per frame: delayed with probability 0.2.
  assert.ok(delayed > 0.17 * n && delayed < 0.23 * n, `delayed ${delayed}`);
  // Head-of-line blocking: a frame sent right behind a delayed one arrives no earlier.
  const hol = makeT({ latency: 1_000, loss: 0.5 }, 'stream');
  let last = 0;
  for (let i = 0; i < 100; i++) {
    const a = hol.send(1, i * 10, 50);
    assert.ok(a >= last);
    last = a;
  }
  // Datagram loses instead.
  const dg = makeT(props, 'datagram');
  let lost = 0;
  for (let i = 0; i < n; i++) if (dg.send(0, i * 1_000_000, 100) < 0) lost++;
  assert.ok(lost > 0.17 * n && lost < 0.23 * n, `lost ${lost}`);
});

test('stream: a frame of n bytes is ceil(n / 1448) segments, any of which may be lost', () => {
  const count = (bytes: number): number => {
    const link = makeT({ latency: 1_000, loss: 0.1 }, 'stream');
    let delayed = 0;
    for (let i = 0; i < 4000; i++)
      if (link.send(0, i * 1_000_000, bytes) > i * 1_000_000 + 1_000) delayed++;
    return delayed / 4000;
  };
  assert.equal(MSS_BYTES, 1448);
  const one = count(1448);
  const three = count(1449 + 1448);
  assert.ok(Math.abs(one - 0.1) < 0.02, `one segment ${one}`);
  assert.ok(Math.abs(three - (1 - 0.9 ** 3)) < 0.03, `three segments ${three}`);
});

test('severed (out of range): nothing gets through and nothing is drawn; a stream holds its frames until its next retransmission after the link is back', () => {
  const datagram = makeT({ latency: 1_000, jitter: 500, loss: 0.1 }, 'datagram');
  datagram.severed = true;
  assert.equal(datagram.send(0, 0, 10), -1);
  const link = makeT({ latency: 1_000 }, 'stream');
  link.severed = true;
  assert.equal(link.send(0, 100_000, 10), HELD);
  assert.equal(link.send(0, 150_000, 10), HELD);
  assert.equal((link as unknown as { rng: unknown }).rng, null);
  assert.equal(link.resume(1, 900_000), -1, 'nothing held that way');
  // Retransmissions of the first held segment: 100 ms + 202 ms · (1, 3, 7, …) = 302, 706, 1514 ms.
  link.severed = false;
  assert.equal(link.resume(0, 900_000), 1_514_000 + 1_000);
  // Frames sent now wait behind them (head-of-line blocking).
  assert.equal(link.send(0, 1_000_000, 10), 1_515_000);
  assert.equal(link.resume(0, 2_000_000), -1, 'released once');
});
