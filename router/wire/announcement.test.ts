import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { withVerificationCache } from '../crypto-cache.ts';
import { createNodeEd25519 } from '../crypto-node.ts';
import type { BootstrapFrame, Identity, RootAnnouncement, SignatureHop } from '../types.ts';
import { FrameType } from '../types.ts';
import {
  announcementCoords,
  announcementLength,
  announcementPeerCoords,
  checkAnnouncementSanity,
  decodeAnnouncement,
  encodeAnnouncement,
  signAnnouncement,
  verifyAnnouncement,
  ZERO_SIGNATURE,
} from './announcement.ts';
import {
  bootstrapProtectedPayload,
  bootstrapSignature,
  buildBootstrapPayload,
  readBootstrapPayload,
  settleBootstrapPayload,
  verifyBootstrapPayload,
} from './bootstrap.ts';
import { CodecError } from './errors.ts';
import { encodeFrame } from './frame.ts';
import { checkHandshake, decodeHandshake, encodeHandshake, HANDSHAKE_LENGTH } from './handshake.ts';

const crypto = createNodeEd25519();
function identity(byte: number): Identity {
  const seed = new Uint8Array(32).fill(byte);
  return { seed, publicKey: crypto.publicKey(seed) };
}
const ids = [1, 2, 3, 4, 5, 6].map(identity);
const [A, B, C] = ids as [Identity, Identity, Identity];

function chain(ports: number[], signers: Identity[] = ids, seq = 1): RootAnnouncement {
  let ann: RootAnnouncement = {
    rootKey: (signers[0] as Identity).publicKey,
    rootSeq: seq,
    hops: [],
  };
  ports.forEach((p, i) => {
    ann = signAnnouncement(ann, p, signers[i] as Identity, crypto);
  });
  return ann;
}

test('announcement: signed chains verify, decode back and give coordinates', () => {
  const ann = chain([1, 300, 2]);
  assert.ok(verifyAnnouncement(ann, crypto));
  const bytes = encodeAnnouncement(ann);
  assert.equal(bytes.length, announcementLength(ann));
  assert.equal(bytes.length, 33 + 97 + 98 + 97);
  const d = decodeAnnouncement(bytes, 0, bytes.length);
  assert.ok(!(d instanceof CodecError));
  assert.deepEqual(d, ann);
  assert.deepEqual(announcementCoords(ann), [1, 300, 2]);
  assert.deepEqual(announcementPeerCoords(ann), [1, 300]);
  assert.deepEqual(announcementPeerCoords({ ...ann, hops: [] }), []);
  assert.equal(checkAnnouncementSanity(ann, C.publicKey), null);
});

test('announcement: a forged port, key or signature anywhere fails verification', () => {
  const ann = chain([1, 2, 3]);
  for (let i = 0; i < ann.hops.length; i++) {
    const hops = [...ann.hops];
    const h = hops[i] as (typeof hops)[number];
    const sig = h.signature.slice();
    sig[5] = (sig[5] as number) ^ 1;
    hops[i] = { ...h, signature: sig };
    assert.equal(verifyAnnouncement({ ...ann, hops }, crypto), false, `signature ${i}`);
    if (i < ann.hops.length - 1) {
      // Port and key of entry i are covered by entry i+1's signature.
      hops[i] = { ...h, port: h.port + 1 };
      assert.equal(verifyAnnouncement({ ...ann, hops }, crypto), false, `port ${i}`);
    }
  }
  assert.equal(verifyAnnouncement({ ...ann, rootSeq: 2 }, crypto), false);
});

test('announcement: trailing bytes shorter than an entry are ignored; a cut entry is an error', () => {
  const bytes = encodeAnnouncement(chain([1, 2]));
  const padded = new Uint8Array(bytes.length + 96);
  padded.set(bytes);
  const d = decodeAnnouncement(padded, 0, padded.length);
  assert.ok(!(d instanceof CodecError));
  assert.equal(d.hops.length, 2);
  // A 2-byte port leaves 96 bytes: parsed as an entry (≥ 97 remain) but truncated.
  const two = new Uint8Array(bytes.length + 97);
  two.set(bytes);
  two[bytes.length] = 0x81;
  assert.ok(decodeAnnouncement(two, 0, two.length) instanceof CodecError);
  assert.ok(decodeAnnouncement(bytes, 0, 32) instanceof CodecError);
  assert.ok(decodeAnnouncement(bytes, 0, bytes.length + 1) instanceof CodecError);
});

test('announcement: sanity checks of §5.4 step 2', () => {
  const ok = chain([1, 2]);
  assert.equal(checkAnnouncementSanity(ok, B.publicKey), null);
  const reason = (a: RootAnnouncement, link = B.publicKey) =>
    checkAnnouncementSanity(a, link)?.reason;
  assert.equal(reason(ok, C.publicKey), 'announcement-sanity'); // last signer is not the link key
  assert.equal(reason({ ...ok, hops: [] }), 'announcement-sanity'); // no entries
  assert.equal(reason(chain([0, 2])), 'announcement-sanity'); // hop port 0
  assert.equal(reason(chain([1, 2, 3], [A, B, A]), A.publicKey), 'announcement-sanity'); // repeated
  assert.equal(
    reason({ ...chain([1, 2], [B, C]), rootKey: A.publicKey }, C.publicKey),
    'announcement-sanity',
  );
});

test('announcement: sanity equals the reference pairwise check (property, repeats and port 0)', () => {
  // The reference compares every pair of signers; ours does for short announcements and uses a
  // hash set for long ones. Keys from a small pool that share their leading bytes force hash
  // collisions; long chains force the set to grow.
  const pool = Array.from({ length: 12 }, (_, i) => {
    const k = new Uint8Array(32);
    k[0] = i < 6 ? 7 : i; // six keys with the same first bytes: same hash slot, differ at byte 31
    k[31] = i;
    return k;
  });
  const reference = (a: RootAnnouncement, link: Uint8Array): string | null => {
    const hops = a.hops;
    if (hops.length === 0) return 'announcement has no entries';
    const eq = (x: Uint8Array, y: Uint8Array) => Buffer.from(x).equals(Buffer.from(y));
    if (!eq((hops[0] as SignatureHop).signer, a.rootKey))
      return 'announcement first signer is not the root key';
    if (!eq((hops[hops.length - 1] as SignatureHop).signer, link))
      return "announcement last signer is not the link's key";
    for (let i = 0; i < hops.length; i++) {
      if ((hops[i] as SignatureHop).port === 0) return `announcement entry ${i + 1} has hop port 0`;
      for (let j = 0; j < i; j++)
        if (eq((hops[j] as SignatureHop).signer, (hops[i] as SignatureHop).signer))
          return `announcement signer of entry ${i + 1} repeats entry ${j + 1}`;
    }
    return null;
  };
  const distinct = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const k = new Uint8Array(32);
      k[0] = i & 0xff; // many keys in few slots of a small set
      k[30] = i >> 8;
      k[31] = i & 0xff;
      return k;
    });
  let repeats = 0;
  fc.assert(
    fc.property(
      fc.array(fc.record({ s: fc.nat(11), p: fc.nat(40) }), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 700 }),
      (raw, long) => {
        const signers = [...raw.map((h) => pool[h.s] as Uint8Array), ...distinct(long)];
        const hops = signers.map((signer, i) => ({
          port: i < raw.length ? (raw[i]?.p ?? 1) : 1,
          signer,
          signature: ZERO_SIGNATURE,
        }));
        const a: RootAnnouncement = { rootKey: signers[0] as Uint8Array, rootSeq: 1, hops };
        const link = signers[signers.length - 1] as Uint8Array;
        const want = reference(a, link);
        if (want?.includes('repeats')) repeats++;
        assert.equal(checkAnnouncementSanity(a, link)?.message ?? null, want);
      },
    ),
    { seed: 73, numRuns: 300 },
  );
  assert.ok(repeats > 50, `the property met repeated signers (${repeats} runs)`);
});

test('announcement: signatures disabled write 64 zero bytes', () => {
  const ann = signAnnouncement({ rootKey: A.publicKey, rootSeq: 1, hops: [] }, 1, A, null);
  assert.deepEqual(ann.hops[0]?.signature, ZERO_SIGNATURE);
  assert.equal(verifyAnnouncement(ann, crypto), false);
});

test('announcement: decode never throws on random payloads (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(400), fc.nat(400), (b, x, y) => {
      const d = decodeAnnouncement(b, Math.min(x, y), Math.max(x, y));
      if (!(d instanceof CodecError)) assert.ok(d.rootKey.length === 32);
    }),
    { seed: 42, numRuns: 3000 },
  );
});

test('bootstrap payload: build, read, verify; protected payload is everything but the signature', () => {
  const payload = buildBootstrapPayload(1664280000000, A.publicKey, 7, B, crypto);
  const r = readBootstrapPayload(payload);
  assert.ok(!(r instanceof CodecError));
  assert.equal(r.seq, 1664280000000);
  assert.equal(r.rootSeq, 7);
  assert.deepEqual(r.rootKey, A.publicKey);
  assert.deepEqual(
    payload.subarray(0, payload.length - 64),
    bootstrapProtectedPayload(1664280000000, A.publicKey, 7),
  );
  assert.ok(verifyBootstrapPayload(payload, B.publicKey, crypto));
  assert.equal(verifyBootstrapPayload(payload, A.publicKey, crypto), false);
  for (let i = 0; i < payload.length; i += 7) {
    const bad = payload.slice();
    bad[i] = (bad[i] as number) ^ 0x10;
    assert.equal(verifyBootstrapPayload(bad, B.publicKey, crypto), false, `byte ${i}`);
  }
  const insecure = buildBootstrapPayload(5, A.publicKey, 7, null, null);
  assert.deepEqual(insecure.subarray(insecure.length - 64), ZERO_SIGNATURE);
  assert.ok(readBootstrapPayload(payload.subarray(0, payload.length - 1)) instanceof CodecError);
  const longer = new Uint8Array(payload.length + 1);
  longer.set(payload);
  assert.ok(readBootstrapPayload(longer) instanceof CodecError);
  assert.equal(verifyBootstrapPayload(new Uint8Array(10), B.publicKey, crypto), false);
});

test('bootstrap payload: reading random bytes never throws (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 150 }), (b) => {
      const r = readBootstrapPayload(b);
      if (!(r instanceof CodecError)) {
        assert.deepEqual(
          buildBootstrapPayload(r.seq, r.rootKey, r.rootSeq, null, null).length,
          b.length,
        );
      }
    }),
    { seed: 42, numRuns: 3000 },
  );
});

test('handshake: 104 bytes, verifies, rejects version, capabilities and signature faults', () => {
  const hs = encodeHandshake(A, crypto);
  assert.equal(hs.length, HANDSHAKE_LENGTH);
  assert.deepEqual([...hs.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 0x3b]);
  const ok = checkHandshake(hs, crypto);
  assert.ok(!(ok instanceof CodecError));
  assert.deepEqual(ok.publicKey, A.publicKey);
  const more = encodeHandshake(A, crypto, 0x3f);
  assert.ok(!(checkHandshake(more, crypto) instanceof CodecError), 'd0beb18: superset accepted');
  assert.ok(checkHandshake(more, crypto, 0x3b, true) instanceof CodecError, '[HEAD]: exact match');
  assert.ok(checkHandshake(encodeHandshake(A, crypto, 0x1b), crypto) instanceof CodecError);
  const v2 = hs.slice();
  v2[0] = 2;
  assert.ok(checkHandshake(v2, crypto) instanceof CodecError);
  const forged = hs.slice();
  forged[20] = (forged[20] as number) ^ 1;
  assert.equal((checkHandshake(forged, crypto) as CodecError).reason, 'bad-signature');
  assert.ok(decodeHandshake(hs.subarray(0, 103)) instanceof CodecError);
});

test('announcement: signatures through the cache are made on first read, byte-identical', () => {
  // With a backend that vouches for the identity (crypto.signLater), signAnnouncement defers the
  // ed25519 signature until something reads it. What is read must be exactly the eager bytes.
  const cached = withVerificationCache(createNodeEd25519());
  const eager = chain([1, 300, 2, 7]);
  let lazy: RootAnnouncement = { rootKey: A.publicKey, rootSeq: 1, hops: [] };
  [1, 300, 2, 7].forEach((p, i) => {
    lazy = signAnnouncement(lazy, p, ids[i] as Identity, cached);
  });
  assert.equal(cached.signs + cached.signHits, 0, 'nothing signed before a read');
  // Known good by provenance: verifying reads no signature.
  assert.ok(verifyAnnouncement(lazy, cached));
  assert.equal(cached.signs + cached.hits + cached.misses, 0);
  // Reading the last entry's signature forces the entries before it (its message holds them).
  assert.deepEqual(lazy.hops[3]?.signature, eager.hops[3]?.signature);
  assert.equal(cached.signs, 4);
  assert.deepEqual(encodeAnnouncement(lazy), encodeAnnouncement(eager));
  assert.equal(cached.signs, 4, 'each signature made once');
  // Spread and deep equality see the bytes as an ordinary property.
  assert.deepEqual({ ...lazy.hops[1] }, { ...eager.hops[1] });
  assert.deepEqual(lazy, eager);
  assert.deepEqual(Object.keys(lazy.hops[0] as object), ['port', 'signer', 'signature']);
});

test('announcement: announce-to-all entries share one deferred signature', () => {
  const cached = withVerificationCache(createNodeEd25519());
  const base = chain([1]);
  // The signer's slot (the router's TreeState) carries the deferred signature from port to port.
  const slot = { signCell: null };
  const toPorts = [2, 5, 9].map((p) => signAnnouncement(base, p, B, cached, slot));
  assert.equal(cached.signs, 0);
  const bytes = toPorts.map((a) => encodeAnnouncement(a));
  assert.equal(
    cached.signs + cached.signHits,
    1,
    'one signature for the three ports (the message excludes the port)',
  );
  const eager = [2, 5, 9].map((p) => encodeAnnouncement(signAnnouncement(base, p, B, crypto)));
  assert.deepEqual(bytes, eager);
  // Without a slot each port gets its own deferred signature; the backend's memo answers repeats.
  const unshared = withVerificationCache(createNodeEd25519());
  const apart = [2, 5, 9].map((p) => encodeAnnouncement(signAnnouncement(base, p, B, unshared)));
  assert.deepEqual(apart, eager);
  assert.deepEqual([unshared.signs, unshared.signHits], [1, 2]);
  // A decoded copy of a lazy announcement verifies for real, like any received bytes.
  const d = decodeAnnouncement(bytes[0] as Uint8Array, 0, (bytes[0] as Uint8Array).length);
  assert.ok(!(d instanceof CodecError));
  assert.ok(verifyAnnouncement(d, createNodeEd25519()));
});

test('announcement: no deferral when the backend does not vouch for the key pairing', () => {
  const cached = withVerificationCache(createNodeEd25519());
  // An identity whose public key is not its seed's: signed now, and not recorded as verified.
  const liar: Identity = { seed: A.seed, publicKey: B.publicKey };
  const ann = signAnnouncement({ rootKey: B.publicKey, rootSeq: 1, hops: [] }, 1, liar, cached);
  assert.equal(cached.signs, 1);
  assert.equal(verifyAnnouncement(ann, cached), false);
});

test('bootstrap payload: signatures through the cache are made on first read, byte-identical', () => {
  const cached = withVerificationCache(createNodeEd25519());
  const eager = buildBootstrapPayload(1664280000000, A.publicKey, 7, B, crypto);
  const frame = (payload: Uint8Array): BootstrapFrame => ({
    type: FrameType.Bootstrap,
    extra: 0,
    hopLimit: 0,
    destinationKey: B.publicKey,
    watermark: { key: A.publicKey, seq: 3 },
    payload,
  });
  // Honest use in object mode: built, parsed and verified at every hop, never signed.
  const lazy = buildBootstrapPayload(1664280000000, A.publicKey, 7, B, cached);
  const r = readBootstrapPayload(lazy);
  assert.ok(!(r instanceof CodecError));
  assert.equal(r.seq, 1664280000000);
  assert.ok(verifyBootstrapPayload(lazy, B.publicKey, cached));
  assert.equal(cached.signs + cached.hits + cached.misses, 0, 'no signature, no verification');
  // The wire encoder settles it: exactly the eager frame's bytes, signed once.
  assert.deepEqual(encodeFrame(frame(lazy)), encodeFrame(frame(eager)));
  assert.equal(cached.signs, 1);
  assert.deepEqual(lazy, eager);
  assert.deepEqual(encodeFrame(frame(lazy)), encodeFrame(frame(eager)));
  assert.equal(cached.signs + cached.signHits, 1, 'settled once');
  // A verifier asking under another key settles it and checks it for real.
  const other = buildBootstrapPayload(1664280000000, A.publicKey, 7, B, cached);
  assert.equal(verifyBootstrapPayload(other, A.publicKey, cached), false);
  assert.deepEqual(other, eager);
  // bootstrapSignature settles too.
  const third = buildBootstrapPayload(1664280000000, A.publicKey, 7, B, cached);
  assert.deepEqual(bootstrapSignature(third), eager.subarray(eager.length - 64));
  // Settling anything else is a no-op.
  const copy = eager.slice();
  assert.equal(settleBootstrapPayload(copy), copy);
  assert.deepEqual(copy, eager);
});

test('deferred signatures use the seed as it was when signing, whatever the caller does later', () => {
  const cached = withVerificationCache(createNodeEd25519());
  const seed = Uint8Array.from(B.seed);
  const mutable: Identity = { seed, publicKey: B.publicKey };
  const base = chain([1]);
  const ann = signAnnouncement(base, 2, mutable, cached);
  const payload = buildBootstrapPayload(99, A.publicKey, 7, mutable, cached);
  seed.fill(9); // the caller reuses its seed array before anything read the signatures
  assert.deepEqual(ann.hops[1]?.signature, signAnnouncement(base, 2, B, crypto).hops[1]?.signature);
  assert.deepEqual(
    settleBootstrapPayload(payload),
    buildBootstrapPayload(99, A.publicKey, 7, B, crypto),
  );
});

test('a seed key is derived once, for vouching and for the deferred signatures made with it', () => {
  const inner = createNodeEd25519();
  let derived = 0;
  const cached = withVerificationCache({
    ...inner,
    publicKey: (seed) => {
      derived++;
      return inner.publicKey(seed);
    },
  });
  const ann = signAnnouncement(chain([1]), 2, B, cached);
  const payload = buildBootstrapPayload(99, A.publicKey, 7, B, cached);
  encodeAnnouncement(ann);
  settleBootstrapPayload(payload);
  assert.equal(cached.signs, 2);
  assert.equal(derived, 1);
});

test('announcement: signing copies the entries, from a frozen root announcement too', () => {
  // A root's own announcement has one frozen, empty hops array (router/tree-state.ts): signing
  // must never write into the announcement it signs, only into the copy it returns.
  const root: RootAnnouncement = Object.freeze({
    rootKey: A.publicKey,
    rootSeq: 1,
    hops: Object.freeze([]) as readonly SignatureHop[],
  });
  const cached = withVerificationCache(crypto);
  for (const backend of [crypto, cached, null]) {
    const one = signAnnouncement(root, 1, A, backend);
    const two = signAnnouncement(one, 2, B, backend);
    assert.equal(root.hops.length, 0);
    assert.equal(one.hops.length, 1);
    assert.deepEqual(
      two.hops.map((h) => h.port),
      [1, 2],
    );
    assert.equal(two.hops[0], one.hops[0]); // entries are shared, the array is not
    assert.notEqual(two.hops, one.hops);
    if (backend !== null) assert.ok(verifyAnnouncement(two, backend));
  }
});
