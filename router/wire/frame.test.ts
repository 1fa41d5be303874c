import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FULL_MASK, INITIAL_WATERMARK } from '../keys.ts';
import type {
  BootstrapFrame,
  Frame,
  RootAnnouncement,
  TrafficFrame,
  TreeAnnouncementFrame,
  WakeupBroadcastFrame,
  Watermark,
} from '../types.ts';
import { FrameType } from '../types.ts';
import { CodecError } from './errors.ts';
import {
  decodeFrame,
  encodeFrame,
  frameLength,
  keepaliveFrame,
  MAX_FRAME_LENGTH,
} from './frame.ts';

// --- arbitraries -------------------------------------------------------------------------------

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const num = fc.oneof(fc.nat(300), fc.maxSafeNat());
const byte = fc.nat(255);
const coords = fc.array(num, { maxLength: 10 });
const bytes = fc.uint8Array({ maxLength: 200 });
const watermark: fc.Arbitrary<Watermark> = fc.oneof(
  fc.constant(INITIAL_WATERMARK),
  fc.record({ key, seq: num }),
);

const announcement: fc.Arbitrary<RootAnnouncement> = fc.record({
  rootKey: key,
  rootSeq: num,
  hops: fc.array(
    fc.record({
      port: num,
      signer: key,
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    }),
    { maxLength: 8 },
  ),
});

const annFrame: fc.Arbitrary<TreeAnnouncementFrame> = fc.record({
  type: fc.constant(FrameType.TreeAnnouncement),
  extra: byte,
  hopLimit: byte,
  announcement,
});
const bootFrame: fc.Arbitrary<BootstrapFrame> = fc.record({
  type: fc.constant(FrameType.Bootstrap),
  extra: byte,
  hopLimit: byte,
  destinationKey: key,
  watermark,
  payload: bytes,
});
const trafficFrame: fc.Arbitrary<TrafficFrame> = fc
  .record({
    type: fc.constant(FrameType.Traffic),
    extra: byte,
    hopLimit: byte,
    destinationCoords: coords,
    sourceCoords: coords,
    destinationKey: key,
    sourceKey: key,
    watermark,
    payload: bytes,
  })
  // Tree-routed frames carry no watermark on the wire: it can only be (FullMask, 0) (§3.6).
  .map((f) => (f.destinationCoords.length > 0 ? { ...f, watermark: INITIAL_WATERMARK } : f));
const wakeFrame: fc.Arbitrary<WakeupBroadcastFrame> = fc.record({
  type: fc.constant(FrameType.WakeupBroadcast),
  extra: byte,
  hopLimit: byte,
  sourceKey: key,
  payload: bytes,
});
const keepFrame: fc.Arbitrary<Frame> = fc.record({
  type: fc.constant(FrameType.Keepalive),
  extra: byte,
  hopLimit: byte,
});

const ARBS: [string, fc.Arbitrary<Frame>][] = [
  ['keepalive', keepFrame],
  ['tree announcement', annFrame],
  ['bootstrap', bootFrame],
  ['traffic', trafficFrame],
  ['wakeup broadcast', wakeFrame],
];
const anyFrame = fc.oneof(...ARBS.map(([, a]) => a));

function mustEncode(f: Frame): Uint8Array {
  const b = encodeFrame(f);
  assert.ok(b instanceof Uint8Array, String(b));
  return b;
}

/** Keys equal as values (the decoder shares the initial watermark; objects compare by content). */
function normalise(f: Frame): unknown {
  return JSON.parse(
    JSON.stringify(f, (_k, v) =>
      v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v,
    ),
  );
}

// --- round trips -------------------------------------------------------------------------------

for (const [name, arb] of ARBS) {
  test(`frame: ${name} round-trips and frameLength is exact (property)`, () => {
    fc.assert(
      fc.property(arb, (f) => {
        const b = mustEncode(f);
        assert.equal(b.length, frameLength(f));
        assert.equal((b[8] as number) * 256 + (b[9] as number), b.length);
        const d = decodeFrame(b);
        assert.ok(d !== null && !(d instanceof CodecError), String(d));
        assert.deepEqual(normalise(d), normalise(f));
        assert.deepEqual(mustEncode(d), b);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
}

test('frame: a decoded traffic frame with destination coords has watermark (FullMask, 0), shared', () => {
  const f: TrafficFrame = {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords: [1, 2],
    sourceCoords: [],
    destinationKey: new Uint8Array(32).fill(1),
    sourceKey: new Uint8Array(32).fill(2),
    // Not on the wire: encoding ignores it.
    watermark: { key: new Uint8Array(32).fill(9), seq: 5 },
    payload: new Uint8Array([1, 2, 3]),
  };
  const b = mustEncode(f);
  assert.equal(b.length, 10 + 2 + 4 + 2 + 64 + 3);
  const d = decodeFrame(b) as TrafficFrame;
  assert.equal(d.watermark, INITIAL_WATERMARK);
  assert.deepEqual(d.watermark.key, FULL_MASK);
});

test('frame: keepalive is the shared frozen instance; extra and hop limit pass through', () => {
  assert.ok(Object.isFrozen(keepaliveFrame()));
  assert.equal(decodeFrame(mustEncode(keepaliveFrame())), keepaliveFrame());
  const k = decodeFrame(Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 0, 0, 7, 9, 0, 10));
  assert.deepEqual(k, { type: 0, extra: 7, hopLimit: 9 });
  // The version byte is never checked on receipt (§3.2).
  assert.equal(
    decodeFrame(Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 5, 0, 0, 0, 0, 10)),
    keepaliveFrame(),
  );
});

test('frame: unknown type ids decode to null (silently ignored, §3.2)', () => {
  for (const t of [5, 8, 255]) {
    assert.equal(decodeFrame(Uint8Array.of(0x70, 0x69, 0x6e, 0x65, 0, t, 0, 0, 0, 12, 1, 2)), null);
  }
});

test('frame: header errors map to link-drop reasons', () => {
  const bad = (hex: number[]) => decodeFrame(Uint8Array.from(hex));
  assert.equal(
    (bad([0x70, 0x69, 0x6e, 0x66, 0, 0, 0, 0, 0, 10]) as CodecError).reason,
    'bad-magic',
  );
  assert.equal((bad([0x70, 0x69, 0x6e]) as CodecError).reason, 'bad-length');
  assert.equal(
    (bad([0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 5]) as CodecError).reason,
    'bad-length',
  );
  assert.equal(
    (bad([0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 11]) as CodecError).reason,
    'bad-length',
  );
  assert.equal(
    (bad([0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 11, 0]) as CodecError).reason,
    'bad-length',
  );
  assert.equal(
    (bad([0x70, 0x69, 0x6e, 0x65, 0, 3, 0, 0, 0, 11, 0]) as CodecError).reason,
    'bad-length',
  );
});

test('frame: the encoder refuses frames over 65535 bytes and malformed keys', () => {
  const big: WakeupBroadcastFrame = {
    type: FrameType.WakeupBroadcast,
    extra: 0,
    hopLimit: 0,
    sourceKey: new Uint8Array(32),
    payload: new Uint8Array(MAX_FRAME_LENGTH - 10 - 2 - 32 + 1),
  };
  const e = encodeFrame(big);
  assert.ok(e instanceof CodecError);
  assert.equal(e.reason, 'encode-error');
  const fits = encodeFrame({ ...big, payload: big.payload.subarray(1) });
  assert.ok(fits instanceof Uint8Array);
  assert.equal(fits.length, MAX_FRAME_LENGTH);
  assert.ok(decodeFrame(fits) !== null);
  const shortKey = encodeFrame({
    ...big,
    payload: new Uint8Array(1),
    sourceKey: new Uint8Array(31),
  });
  assert.ok(shortKey instanceof CodecError);
});

// --- garbage never throws ----------------------------------------------------------------------

/** Decoding must not throw; a successful decode must re-encode to the same bytes (canonicality). */
function checkDecode(b: Uint8Array): void {
  const d = decodeFrame(b);
  if (d === null || d instanceof CodecError) return;
  const again = mustEncode(d);
  if (d.type === FrameType.TreeAnnouncement) {
    // Trailing announcement bytes shorter than an entry are ignored (§3.7): compare objects.
    assert.deepEqual(normalise(decodeFrame(again) as Frame), normalise(d));
    return;
  }
  const expected = b.slice();
  expected[4] = 0; // the version byte is not kept
  assert.deepEqual(again, expected);
}

test('frame: decoding random bytes never throws (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (b) => checkDecode(b)),
    {
      seed: 42,
      numRuns: 3000,
    },
  );
  // Random bodies behind a well-formed header reach the body decoders.
  fc.assert(
    fc.property(fc.nat(5), fc.uint8Array({ maxLength: 400 }), (type, body) => {
      const b = new Uint8Array(10 + body.length);
      b.set([0x70, 0x69, 0x6e, 0x65, 0, type, 0, 0, b.length >> 8, b.length & 0xff]);
      b.set(body, 10);
      checkDecode(b);
    }),
    { seed: 42, numRuns: 5000 },
  );
});

test('frame: decoding mutated valid frames never throws (property)', () => {
  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), mask: fc.constant(0) }),
    fc.record({ kind: fc.constant('grow' as const), at: fc.nat(), mask: fc.nat(255) }),
  );
  fc.assert(
    fc.property(
      anyFrame,
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (f, ms, fix) => {
        let b = mustEncode(f);
        for (const m of ms) {
          const at = m.at % (b.length + 1);
          if (m.kind === 'flip' && at < b.length) {
            b = b.slice();
            b[at] = (b[at] as number) ^ m.mask;
          } else if (m.kind === 'cut') {
            b = b.slice(0, at);
          } else {
            const g = new Uint8Array(b.length + 1);
            g.set(b.subarray(0, at));
            g[at] = m.mask;
            g.set(b.subarray(at), at + 1);
            b = g;
          }
        }
        // Half the time repair the length field so the body decoders see the damage.
        if (fix && b.length >= 10 && b.length <= 0xffff) {
          b[8] = b.length >> 8;
          b[9] = b.length & 0xff;
        }
        checkDecode(b);
      },
    ),
    { seed: 42, numRuns: 5000 },
  );
});

test('frame: decoded keys and payloads never alias the receive buffer (even a Node Buffer)', () => {
  const f: TrafficFrame = {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords: [],
    sourceCoords: [1],
    destinationKey: new Uint8Array(32).fill(1),
    sourceKey: new Uint8Array(32).fill(2),
    watermark: { key: new Uint8Array(32).fill(3), seq: 4 },
    payload: Uint8Array.of(5, 6),
  };
  const buf = Buffer.from(mustEncode(f));
  const d = decodeFrame(buf) as TrafficFrame;
  buf.fill(0xee);
  assert.deepEqual(normalise(d), normalise(f));
});

test('frame: a non-canonical varu64 inside a frame is a decode error (re-encoding would differ)', () => {
  const ok = mustEncode({
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords: [5],
    sourceCoords: [],
    destinationKey: new Uint8Array(32),
    sourceKey: new Uint8Array(32),
    watermark: INITIAL_WATERMARK,
    payload: new Uint8Array(0),
  });
  assert.ok(decodeFrame(ok) !== null);
  // Destination coords 00 01 05 → 00 02 80 05: the same port, non-canonically.
  const b = new Uint8Array(ok.length + 1);
  b.set(ok.subarray(0, 12));
  b.set([0x00, 0x02, 0x80, 0x05], 12);
  b.set(ok.subarray(15), 16);
  b[9] = b.length;
  assert.equal((decodeFrame(b) as CodecError).reason, 'decode-error');
});
