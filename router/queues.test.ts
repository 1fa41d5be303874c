import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_WATERMARK } from './keys.ts';
import { FairFifo, FrameFifo, fairFifoOffset } from './queues.ts';
import { FrameType, type TrafficFrame } from './types.ts';

function traffic(src: number, id: number): TrafficFrame {
  const sourceKey = new Uint8Array(32);
  sourceKey[0] = src;
  return {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords: [],
    sourceCoords: [],
    destinationKey: new Uint8Array(32),
    sourceKey,
    watermark: INITIAL_WATERMARK,
    payload: Uint8Array.of(id),
  };
}

describe('FrameFifo', () => {
  it('is first in, first out across compaction', () => {
    const q = new FrameFifo<number>();
    for (let i = 0; i < 3000; i++) q.push(i);
    for (let i = 0; i < 2500; i++) assert.equal(q.shift(), i);
    q.push(3000);
    const rest: number[] = [];
    q.drain((x) => rest.push(x));
    assert.equal(rest.length, 501);
    assert.equal(rest[0], 2500);
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
  });

  it('reads as empty before its first push, and after being emptied', () => {
    const q = new FrameFifo<number>();
    assert.equal(q.length, 0);
    assert.equal(q.peek(), undefined);
    assert.equal(q.shift(), undefined);
    q.drain(() => assert.fail('nothing to drain'));
    q.push(1);
    q.push(2);
    assert.equal(q.peek(), 1);
    assert.equal(q.length, 2);
    assert.equal(q.shift(), 1);
    assert.equal(q.shift(), 2);
    assert.equal(q.length, 0);
    q.push(3);
    assert.deepEqual([q.length, q.peek()], [1, 3]);
  });
});

describe('FairFifo (§7.3, checklist 43)', () => {
  it('first frame into an empty queue goes to bucket 0 and is served first', () => {
    const q = new FairFifo(254, 16, 0);
    q.push(traffic(1, 0));
    q.push(traffic(2, 1));
    assert.equal(q.pop()?.payload[0], 0);
  });
  it('head-drops the oldest frame when a bucket holds 16', () => {
    const q = new FairFifo(254, 16, 0);
    q.push(traffic(9, 99)); // bucket 0
    const dropped: number[] = [];
    for (let i = 0; i < 20; i++) {
      const d = q.push(traffic(1, i));
      if (d !== null) dropped.push(d.payload[0] as number);
    }
    assert.deepEqual(dropped, [0, 1, 2, 3]);
    assert.equal(q.length, 17);
    assert.equal(q.pop()?.payload[0], 99);
    assert.equal(q.pop()?.payload[0], 4);
  });
  it('serves buckets round-robin', () => {
    const q = new FairFifo(254, 16, 0);
    q.push(traffic(0, 100)); // bucket 0
    for (let i = 0; i < 3; i++) q.push(traffic(1, 10 + i));
    for (let i = 0; i < 3; i++) q.push(traffic(2, 20 + i));
    const order: number[] = [];
    for (let f = q.pop(); f !== undefined; f = q.pop()) order.push(f.payload[0] as number);
    assert.deepEqual(order, [100, 10, 20, 11, 21, 12, 22]);
  });
  it('the bucket hash includes the per-queue offset', () => {
    const a = new FairFifo(254, 16, 0);
    const b = new FairFifo(
      254,
      16,
      fairFifoOffset(254, () => 0.5),
    );
    const f = traffic(3, 0);
    assert.equal(b.bucketOf(f), 1 + ((a.bucketOf(f) - 1 + 127) % 254));
  });
});
