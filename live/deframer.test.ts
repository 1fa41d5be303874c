import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeFrame, keepaliveFrame } from '../router/wire/frame.ts';
import { Deframer } from './deframer.ts';

const KA = encodeFrame(keepaliveFrame()) as Uint8Array;

function frameOf(n: number): Uint8Array {
  const f = new Uint8Array(10 + n);
  f.set([0x70, 0x69, 0x6e, 0x65, 0, 9, 0, 0, (10 + n) >> 8, (10 + n) & 0xff]);
  for (let i = 0; i < n; i++) f[10 + i] = i & 0xff;
  return f;
}

test('frames split at any byte boundaries come out whole and in order (property, seed 22)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (sizes, cuts) => {
        const frames = sizes.map(frameOf);
        const stream = Buffer.concat(frames);
        const d = new Deframer();
        const out: Uint8Array[] = [];
        let p = 0;
        let i = 0;
        while (p < stream.length) {
          const n = cuts[i++ % cuts.length] as number;
          assert.equal(
            d.push(stream.subarray(p, p + n), (f) => out.push(f)),
            null,
          );
          p += n;
        }
        assert.deepEqual(
          out.map((f) => Buffer.from(f).toString('hex')),
          frames.map((f) => Buffer.from(f).toString('hex')),
        );
        assert.equal(d.buffered, 0);
      },
    ),
    { seed: 22, numRuns: 200 },
  );
});

test('bad magic is refused once 10 header bytes are in (§3.2), frames before it still come out', () => {
  const d = new Deframer();
  const out: Uint8Array[] = [];
  const bad = Uint8Array.from([0x70, 0x69, 0x6e, 0x66, 0, 0, 0, 0, 0, 10]);
  assert.equal(
    d.push(Buffer.concat([KA, bad.subarray(0, 9)]), (f) => out.push(f)),
    null,
  );
  assert.equal(out.length, 1);
  assert.equal(
    d.push(bad.subarray(9), (f) => out.push(f)),
    'bad-magic',
  );
});

test('a length field below 10 is refused (the reference panics there, §9.1)', () => {
  const d = new Deframer();
  const bad = Uint8Array.from([0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 5]);
  assert.equal(
    d.push(bad, () => assert.fail('no frame')),
    'bad-length',
  );
});

test('a partial frame is held, never more than one frame (< 64 KiB)', () => {
  const d = new Deframer();
  const big = frameOf(65535 - 10);
  assert.equal(
    d.push(big.subarray(0, 40000), () => assert.fail('not yet')),
    null,
  );
  assert.equal(d.buffered, 40000);
  let got = 0;
  assert.equal(
    d.push(big.subarray(40000), (f) => (got = f.length)),
    null,
  );
  assert.equal(got, 65535);
});
