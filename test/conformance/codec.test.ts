/**
 * test/conformance/codec.test.ts — PROTOCOL.md §10 checklist items 1–8, codec parts.
 * (The link-drop halves of items 7 and 8 are the router's tests.) Tests marked [needs ../shared]
 * read /work/shared/spec/vectors.json, which CI checks out beside the repository.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Ed25519 } from '../../router/crypto.ts';
import { createNobleEd25519 } from '../../router/crypto-noble.ts';
import { createNodeEd25519 } from '../../router/crypto-node.ts';
import { compareKeys, FULL_MASK, fromHex, INITIAL_WATERMARK, toHex } from '../../router/keys.ts';
import type {
  BootstrapFrame,
  Frame,
  Identity,
  RootAnnouncement,
  TrafficFrame,
  TreeAnnouncementFrame,
} from '../../router/types.ts';
import { FrameType } from '../../router/types.ts';
import {
  bootstrapProtectedPayload,
  buildBootstrapPayload,
  CodecError,
  checkAnnouncementSanity,
  coordinateDistance,
  decodeAnnouncement,
  decodeCoordinates,
  decodeFrame,
  decodeVarU64,
  encodeAnnouncement,
  encodeCoordinates,
  encodeFrame,
  encodeVarU64,
  frameLength,
  keepaliveFrame,
  readBootstrapPayload,
  signAnnouncement,
  verifyAnnouncement,
  verifyBootstrapPayload,
} from '../../router/wire/index.ts';

interface Vectors {
  coordinate_distance: { a: string; b: string; distance: number }[];
  coordinates: { hex: string; ports: number[] }[];
  frames: { hex: string; name: string; payload_hex?: string; protected_payload_hex?: string }[];
  keys: { public_key_hex: string; seed_byte: number; seed_hex: string }[];
  ordering: Record<string, number | string>;
  varu64: { hex: string; value: string }[];
}

const VECTORS = new URL('../../../shared/spec/vectors.json', import.meta.url);
const skip = existsSync(VECTORS) ? false : `[needs ../shared] no ${VECTORS.pathname}`;

function loadVectors(): Vectors {
  return JSON.parse(readFileSync(VECTORS, 'utf8')) as Vectors;
}

const hex = (s: string) => fromHex(s.replace(/\s/g, '')) as Uint8Array;
const node = createNodeEd25519();
const noble = createNobleEd25519();
function identity(byte: number, crypto: Ed25519 = node): Identity {
  const seed = new Uint8Array(32).fill(byte);
  return { seed, publicKey: crypto.publicKey(seed) };
}

function encoded(frame: Frame): string {
  const b = encodeFrame(frame);
  assert.ok(b instanceof Uint8Array, String(b));
  assert.equal(b.length, frameLength(frame));
  return toHex(b);
}

function decoded(h: string): Frame {
  const f = decodeFrame(hex(h));
  assert.ok(f !== null && !(f instanceof CodecError), `decode ${h.slice(0, 20)}…: ${String(f)}`);
  return f;
}

/** "[1 2 3]" → [1, 2, 3], the Go notation used by vectors.json. */
function goList(s: string): number[] {
  const inner = s
    .trim()
    .replace(/^\[|\]$/g, '')
    .trim();
  return inner === '' ? [] : inner.split(/\s+/).map(Number);
}

test('checklist 1: every vector in vectors.json encodes and decodes byte-exactly [needs ../shared]', {
  skip,
}, () => {
  const v = loadVectors();
  let n = 0;
  for (const { hex: h, value } of v.varu64) {
    assert.equal(toHex(encodeVarU64(BigInt(value))), h, `varu64 ${value}`);
    const d = decodeVarU64(hex(h), 0);
    assert.ok(!(d instanceof CodecError));
    assert.equal(d.value, BigInt(value));
    n++;
  }
  for (const { hex: h, ports } of v.coordinates) {
    assert.equal(toHex(encodeCoordinates(ports)), h);
    const d = decodeCoordinates(hex(h), 0);
    assert.ok(!(d instanceof CodecError));
    assert.deepEqual([...d.coords], ports);
    n++;
  }
  for (const { a, b, distance } of v.coordinate_distance) {
    assert.equal(coordinateDistance(goList(a), goList(b)), distance, `${a} vs ${b}`);
    n++;
  }
  const keys = v.keys.map((k) => hex(k.public_key_hex));
  for (const k of v.keys) {
    assert.equal(
      toHex(node.publicKey(hex(k.seed_hex))),
      k.public_key_hex,
      `node key ${k.seed_byte}`,
    );
    assert.equal(
      toHex(noble.publicKey(hex(k.seed_hex))),
      k.public_key_hex,
      `noble key ${k.seed_byte}`,
    );
    assert.equal(k.seed_hex, toHex(new Uint8Array(32).fill(k.seed_byte)));
    n++;
  }
  for (const [name, expected] of Object.entries(v.ordering)) {
    const m = /^key(\d)_vs_key(\d)$/.exec(name);
    if (!m) continue;
    const c = compareKeys(
      keys[Number(m[1]) - 1] as Uint8Array,
      keys[Number(m[2]) - 1] as Uint8Array,
    );
    assert.equal(Math.sign(c), expected, name);
    n++;
  }
  for (const f of v.frames) {
    const frame = decoded(f.hex);
    assert.equal(encoded(frame), f.hex, f.name);
    if (frame.type === FrameType.TreeAnnouncement) {
      assert.equal(toHex(encodeAnnouncement(frame.announcement)), f.payload_hex, f.name);
      assert.ok(verifyAnnouncement(frame.announcement, node), `${f.name} signatures`);
    }
    if (frame.type === FrameType.Bootstrap) {
      assert.equal(toHex(frame.payload), f.payload_hex);
      const p = readBootstrapPayload(frame.payload);
      assert.ok(!(p instanceof CodecError));
      assert.equal(
        toHex(bootstrapProtectedPayload(p.seq, p.rootKey, p.rootSeq)),
        f.protected_payload_hex,
      );
      assert.ok(verifyBootstrapPayload(frame.payload, frame.destinationKey, node));
    }
    n++;
  }
  assert.ok(n >= 30, `only ${n} vectors checked`);
});

test('checklist 2: keepalive encodes to 70 69 6e 65 00 00 00 00 00 0a', () => {
  assert.equal(encoded(keepaliveFrame()), '70696e6500000000000a');
  assert.equal(decoded('70696e6500000000000a').type, FrameType.Keepalive);
});

test('checklist 3: varu64 round-trips the §3.4 values; non-canonical 80 05 is rejected', () => {
  const cases: [bigint, string][] = [
    [0n, '00'],
    [127n, '7f'],
    [128n, '8100'],
    [200n, '8148'],
    [16383n, 'ff7f'],
    [16384n, '818000'],
    [2n ** 32n, '9080808000'],
    [2n ** 63n - 1n, 'ffffffffffffffff7f'],
  ];
  for (const [value, h] of cases) {
    assert.equal(toHex(encodeVarU64(value)), h);
    const d = decodeVarU64(hex(h), 0);
    assert.ok(!(d instanceof CodecError));
    assert.equal(d.value, value);
  }
  const bad = decodeVarU64(hex('8005'), 0);
  assert.ok(bad instanceof CodecError);
  assert.equal(bad.reason, 'decode-error');
});

test('checklist 4: coordinates [1 2 3 4000] ↔ 00 05 01 02 03 9f 20 and [] ↔ 00 00; L counts bytes', () => {
  assert.equal(toHex(encodeCoordinates([1, 2, 3, 4000])), '00050102039f20');
  assert.equal(toHex(encodeCoordinates([])), '0000');
  const d = decodeCoordinates(hex('00050102039f20'), 0);
  assert.ok(!(d instanceof CodecError));
  assert.deepEqual([...d.coords], [1, 2, 3, 4000]);
  assert.equal(d.next, 7);
  // Read as a port count, 00 05 would need five ports: there are four.
  assert.equal(d.coords.length, 4);
});

const K1 = hex('8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c');
const K2 = hex('8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394');
const HI = Uint8Array.of(0x68, 0x69);

function traffic(destinationCoords: number[], watermark = INITIAL_WATERMARK): TrafficFrame {
  return {
    type: FrameType.Traffic,
    extra: 0,
    hopLimit: 0,
    destinationCoords,
    sourceCoords: [1],
    destinationKey: K1,
    sourceKey: K2,
    watermark,
    payload: HI,
  };
}

test('checklist 5: traffic frames carry watermark bytes iff destination coords are empty', () => {
  const wm = { key: K1, seq: 0 };
  const tree = encoded(traffic([1, 2, 200], wm)); // the watermark object is ignored on the wire
  const snek = encoded(traffic([], wm));
  assert.equal(tree.length / 2, 87);
  assert.equal(snek.length / 2, 87 - 4 + 33);
  assert.ok(!tree.includes(toHex(K1) + toHex(K2) + toHex(K1)));
  assert.ok(snek.includes(`${toHex(K1) + toHex(K2) + toHex(K1)}00`));
  const t = decoded(tree) as TrafficFrame;
  assert.deepEqual(t.watermark.key, FULL_MASK);
  assert.equal(t.watermark.seq, 0);
  const s = decoded(snek) as TrafficFrame;
  assert.deepEqual(s.watermark, wm);
});

const EX = {
  A: '70696e6500000000000a',
  B: '70696e6500030000005700020004010281480001018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3946869',
  C: '70696e65000300000074000200000001018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3948a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c006869',
  D: '70696e650002000000b400678139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3948a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c00b0b7f6c5ec008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c01fd2ac3454c3a059c3efd27f54abc73808b3044b7174c3203c882023dd7ee7b0758aadf27404796f19e53b72de1dd8da8c7ce30883507bc53a589db15a26d710b',
  E: '70696e6500010000008e00828a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c01018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5cff89960dbc4fe6149da0411d5e62ea0decbdec6f5bce6e85e15fec10c3458c6580c6d5bc7e5060e7895cc538ec6a4164ceb56f105bc89730dd4173f5051c010b',
  E2: '70696e650001000000ef00e38a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c01018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5cff89960dbc4fe6149da0411d5e62ea0decbdec6f5bce6e85e15fec10c3458c6580c6d5bc7e5060e7895cc538ec6a4164ceb56f105bc89730dd4173f5051c010b038139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39406d17394993ce0dfef90118896f539fd45e11cbfa6acdf1950a9eea05170b6f5c678fe3003c22854ed813ee21a66a714c6bade6dc01282c6fc7cc8c17563c908',
};

function annFrame(announcement: RootAnnouncement): TreeAnnouncementFrame {
  return { type: FrameType.TreeAnnouncement, extra: 0, hopLimit: 0, announcement };
}

test('checklist 6: examples A–E2 of §3.9 reproduce exactly, signatures included (node and noble)', () => {
  assert.equal(encoded(keepaliveFrame()), EX.A);
  assert.equal(encoded(traffic([1, 2, 200])), EX.B);
  assert.equal(encoded(traffic([], { key: K1, seq: 0 })), EX.C);
  for (const crypto of [node, noble]) {
    const k1 = identity(1, crypto);
    const k2 = identity(2, crypto);
    assert.deepEqual(k1.publicKey, K1);
    assert.deepEqual(k2.publicKey, K2);
    const boot: BootstrapFrame = {
      type: FrameType.Bootstrap,
      extra: 0,
      hopLimit: 0,
      destinationKey: K2,
      watermark: { key: K1, seq: 0 },
      payload: buildBootstrapPayload(1664280000000, K1, 1, k2, crypto),
    };
    assert.equal(encoded(boot), EX.D, `D with ${crypto.name}`);
    const root: RootAnnouncement = { rootKey: K1, rootSeq: 1, hops: [] };
    const e = signAnnouncement(root, 1, k1, crypto);
    assert.equal(encoded(annFrame(e)), EX.E, `E with ${crypto.name}`);
    const e2 = signAnnouncement(e, 3, k2, crypto);
    assert.equal(encoded(annFrame(e2)), EX.E2, `E2 with ${crypto.name}`);
    assert.ok(verifyAnnouncement(e2, crypto));
  }
  // And back: every example decodes to a frame that re-encodes to itself.
  for (const [name, h] of Object.entries(EX)) assert.equal(encoded(decoded(h)), h, name);
  const d = decoded(EX.D) as BootstrapFrame;
  assert.ok(verifyBootstrapPayload(d.payload, d.destinationKey, node));
  const e2 = decoded(EX.E2) as TreeAnnouncementFrame;
  assert.ok(verifyAnnouncement(e2.announcement, node));
  assert.equal(checkAnnouncementSanity(e2.announcement, K2), null);
});

test('checklist 7 (codec): bad magic, length < 10 and length/decode mismatches are errors, never throws', () => {
  const reason = (b: Uint8Array) => {
    const r = decodeFrame(b);
    assert.ok(r instanceof CodecError, `expected an error for ${toHex(b)}`);
    return r.reason;
  };
  assert.equal(reason(hex('70696e6600000000000a')), 'bad-magic');
  assert.equal(reason(hex('00000000000000000000')), 'bad-magic');
  for (let len = 0; len < 10; len++) {
    const b = hex(EX.A);
    b[9] = len;
    assert.equal(reason(b), 'bad-length', `length field ${len}`);
  }
  assert.equal(reason(hex('70696e65000000')), 'bad-length'); // shorter than a header
  // Length field disagreeing with the bytes, both ways, for every example.
  for (const h of Object.values(EX)) {
    const b = hex(h);
    assert.equal(reason(b.subarray(0, b.length - 1)), 'bad-length');
    const longer = new Uint8Array(b.length + 1);
    longer.set(b);
    assert.equal(reason(longer), 'bad-length');
    // Body shorter or longer than its PLEN, with a consistent header length.
    if (b.length > 12) {
      const cut = b.slice(0, b.length - 1);
      cut[8] = cut.length >> 8;
      cut[9] = cut.length & 0xff;
      assert.ok(decodeFrame(cut) instanceof CodecError, 'PLEN beyond the frame');
      longer[8] = longer.length >> 8;
      longer[9] = longer.length & 0xff;
      const r = decodeFrame(longer);
      assert.ok(r instanceof CodecError, 'bytes beyond PLEN');
    }
  }
  // Every truncation of every example, length field fixed up, is an error.
  for (const h of Object.values(EX)) {
    const b = hex(h);
    for (let n = 0; n < b.length; n++) {
      const t = b.slice(0, n);
      if (n >= 10) {
        t[8] = n >> 8;
        t[9] = n & 0xff;
      }
      assert.ok(decodeFrame(t) instanceof CodecError, `truncated to ${n}`);
    }
  }
});

test('checklist 8 (codec): a flipped byte before the last entry, a wrong last signer, port 0 or a repeated signer fail', () => {
  const payloadStart = 12;
  const frame = hex(EX.E2);
  const lastEntry = payloadStart + 130; // E's 130 payload bytes are covered by K2's signature
  /** What the router does on receipt from the link of key K2: true = drop the link. */
  const dropped = (b: Uint8Array, linkKey = K2): boolean => {
    const f = decodeFrame(b);
    if (f === null) return false;
    if (f instanceof CodecError) return true;
    if (f.type !== FrameType.TreeAnnouncement) return true;
    return (
      !verifyAnnouncement(f.announcement, node) ||
      checkAnnouncementSanity(f.announcement, linkKey) !== null
    );
  };
  assert.equal(dropped(frame), false);
  for (let i = payloadStart; i < lastEntry; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const b = frame.slice();
      b[i] = (b[i] as number) ^ mask;
      assert.ok(dropped(b), `byte ${i} ^ ${mask}`);
      // The verification alone must fail whenever the mutated bytes still decode with 2 entries.
      const f = decodeFrame(b);
      if (f !== null && !(f instanceof CodecError) && f.type === FrameType.TreeAnnouncement) {
        if (f.announcement.hops.length === 2)
          assert.equal(verifyAnnouncement(f.announcement, node), false);
      }
    }
  }
  // The last signer must be the link's key.
  assert.ok(dropped(frame, K1));
  const k1 = identity(1);
  const k2 = identity(2);
  const k3 = identity(3);
  const root: RootAnnouncement = { rootKey: K1, rootSeq: 1, hops: [] };
  const enc = (a: RootAnnouncement) => hex(encoded(annFrame(a)));
  // Validly signed but insane: hop port 0, and a repeated signer.
  const port0 = signAnnouncement(signAnnouncement(root, 0, k1, node), 3, k2, node);
  assert.ok(verifyAnnouncement(port0, node));
  assert.ok(dropped(enc(port0)));
  const repeated = signAnnouncement(
    signAnnouncement(signAnnouncement(root, 1, k1, node), 2, k2, node),
    4,
    k1,
    node,
  );
  assert.ok(verifyAnnouncement(repeated, node));
  assert.ok(dropped(enc(repeated), K1));
  const sane = signAnnouncement(
    signAnnouncement(signAnnouncement(root, 1, k1, node), 2, k2, node),
    4,
    k3,
    node,
  );
  assert.equal(dropped(enc(sane), k3.publicKey), false);
  // A decoded announcement's bytes are exactly what was signed: decoding is canonical.
  const d = decodeAnnouncement(frame, 12, frame.length);
  assert.ok(!(d instanceof CodecError));
  assert.equal(toHex(encodeAnnouncement(d)), EX.E2.slice(24));
});
