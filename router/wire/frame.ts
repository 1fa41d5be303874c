/**
 * router/wire/frame.ts — frames on the wire: the 10-byte header (PROTOCOL.md §3.2) and the bodies
 * of every frame type (§3.6).
 *
 * Header: magic "pine" | version 0 | type | extra | hop limit ([HEAD]) | total length (BE u16,
 * header included). `frameLength` gives the exact encoded size without encoding, for per-hop byte
 * counters and serialisation delay. Decoding never throws: it returns a CodecError whose reason
 * is the link-drop reason (§4.4), or null for an unknown type id (silently ignored, §3.2).
 *
 * Strictness choices (the reference is laxer; all are listed in the codec report):
 * - every body must be consumed exactly: the reference does not cross-check PLEN for types 1 and 2
 *   (it copies min(PLEN, rest) and ignores extra bytes) and ignores a keepalive body; we treat any
 *   mismatch as a decode error ('bad-length'), checklist item 7;
 * - varu64 fields must be canonical and ≤ Number.MAX_SAFE_INTEGER (§3.4).
 */
import { FULL_MASK, INITIAL_WATERMARK, KEY_LENGTH, keysEqual } from '../keys.ts';
import type {
  BootstrapFrame,
  Frame,
  KeepaliveFrame,
  TrafficFrame,
  TreeAnnouncementFrame,
  WakeupBroadcastFrame,
  Watermark,
} from '../types.ts';
import { FrameType } from '../types.ts';
import {
  announcementLength,
  decodeAnnouncement,
  SIGNATURE_LENGTH,
  writeAnnouncement,
} from './announcement.ts';
import { settleBootstrapPayload } from './bootstrap.ts';
import { copyBytes } from './bytes.ts';
import { coordinatesLength, decodeCoordinates, writeCoordinates } from './coordinates.ts';
import { CodecError } from './errors.ts';
import { readVarU64Number, varU64Error, varU64Length, writeVarU64 } from './varu64.ts';

export const FRAME_MAGIC: Uint8Array = Uint8Array.of(0x70, 0x69, 0x6e, 0x65);
export const FRAME_VERSION = 0;
export const FRAME_HEADER_LENGTH = 10;
/** The 16-bit length field bounds a whole frame (§3.6, §7.5). */
export const MAX_FRAME_LENGTH = 0xffff;

const KEEPALIVE: KeepaliveFrame = Object.freeze({
  type: FrameType.Keepalive,
  extra: 0,
  hopLimit: 0,
});

/** The shared, frozen keepalive (extra bytes zero). */
export function keepaliveFrame(): KeepaliveFrame {
  return KEEPALIVE;
}

/** Exact encoded size of `frame`, header included, without encoding it. */
export function frameLength(frame: Frame): number {
  switch (frame.type) {
    case FrameType.Keepalive:
      return FRAME_HEADER_LENGTH;
    case FrameType.TreeAnnouncement:
      return FRAME_HEADER_LENGTH + 2 + announcementLength(frame.announcement);
    case FrameType.Bootstrap:
      return (
        FRAME_HEADER_LENGTH +
        2 +
        2 * KEY_LENGTH +
        varU64Length(frame.watermark.seq) +
        frame.payload.length
      );
    case FrameType.Traffic: {
      let n =
        FRAME_HEADER_LENGTH +
        2 +
        coordinatesLength(frame.destinationCoords) +
        coordinatesLength(frame.sourceCoords) +
        2 * KEY_LENGTH +
        frame.payload.length;
      // The watermark is on the wire only for SNEK-routed frames (§3.6).
      if (frame.destinationCoords.length === 0) n += KEY_LENGTH + varU64Length(frame.watermark.seq);
      return n;
    }
    case FrameType.WakeupBroadcast:
      return FRAME_HEADER_LENGTH + 2 + KEY_LENGTH + frame.payload.length;
  }
}

function badKey(key: Uint8Array, what: string): CodecError | null {
  return key.length === KEY_LENGTH
    ? null
    : new CodecError('encode-error', `${what} is ${key.length} bytes, expected 32`);
}

/** Structural checks the byte layout depends on (a malformed object is a router bug). */
function checkEncodable(frame: Frame): CodecError | null {
  switch (frame.type) {
    case FrameType.Keepalive:
      return null;
    case FrameType.TreeAnnouncement: {
      const ann = frame.announcement;
      const e = badKey(ann.rootKey, 'announcement root key');
      if (e) return e;
      for (const hop of ann.hops) {
        const k = badKey(hop.signer, 'announcement signer');
        if (k) return k;
        if (hop.signature.length !== SIGNATURE_LENGTH) {
          return new CodecError('encode-error', 'announcement signature is not 64 bytes');
        }
      }
      return null;
    }
    case FrameType.Bootstrap:
      return (
        badKey(frame.destinationKey, 'destination key') ??
        badKey(frame.watermark.key, 'watermark key')
      );
    case FrameType.Traffic:
      return (
        badKey(frame.destinationKey, 'destination key') ??
        badKey(frame.sourceKey, 'source key') ??
        (frame.destinationCoords.length === 0 ? badKey(frame.watermark.key, 'watermark key') : null)
      );
    case FrameType.WakeupBroadcast:
      return badKey(frame.sourceKey, 'source key');
  }
}

function writeU16(out: Uint8Array, offset: number, value: number): number {
  out[offset] = value >>> 8;
  out[offset + 1] = value & 0xff;
  return offset + 2;
}

/**
 * Encode `frame`. Refuses (returns CodecError 'encode-error') a frame longer than 65535 bytes,
 * which the reference would let wrap the length field (§3.6, §9.1 item 2), and malformed objects.
 */
export function encodeFrame(frame: Frame): Uint8Array | CodecError {
  const len = frameLength(frame);
  if (len > MAX_FRAME_LENGTH) {
    return new CodecError('encode-error', `frame of ${len} bytes exceeds the 65535-byte limit`);
  }
  const bad = checkEncodable(frame);
  if (bad) return bad;
  const out = new Uint8Array(len);
  out.set(FRAME_MAGIC, 0);
  out[4] = FRAME_VERSION;
  out[5] = frame.type;
  out[6] = frame.extra & 0xff;
  out[7] = frame.hopLimit & 0xff;
  let p = writeU16(out, 8, len);
  switch (frame.type) {
    case FrameType.Keepalive:
      break;
    case FrameType.TreeAnnouncement:
      p = writeU16(out, p, len - FRAME_HEADER_LENGTH - 2);
      p = writeAnnouncement(out, p, frame.announcement);
      break;
    case FrameType.Bootstrap:
      p = writeU16(out, p, frame.payload.length);
      out.set(frame.destinationKey, p);
      out.set(frame.watermark.key, p + KEY_LENGTH);
      p = writeVarU64(out, p + 2 * KEY_LENGTH, frame.watermark.seq);
      out.set(settleBootstrapPayload(frame.payload), p);
      p += frame.payload.length;
      break;
    case FrameType.Traffic:
      p = writeU16(out, p, frame.payload.length);
      p = writeCoordinates(out, p, frame.destinationCoords);
      p = writeCoordinates(out, p, frame.sourceCoords);
      out.set(frame.destinationKey, p);
      out.set(frame.sourceKey, p + KEY_LENGTH);
      p += 2 * KEY_LENGTH;
      if (frame.destinationCoords.length === 0) {
        out.set(frame.watermark.key, p);
        p = writeVarU64(out, p + KEY_LENGTH, frame.watermark.seq);
      }
      out.set(frame.payload, p);
      p += frame.payload.length;
      break;
    case FrameType.WakeupBroadcast:
      p = writeU16(out, p, frame.payload.length);
      out.set(frame.sourceKey, p);
      out.set(settleBootstrapPayload(frame.payload), p + KEY_LENGTH);
      p += KEY_LENGTH + frame.payload.length;
      break;
  }
  // p === len by construction; frameLength and the writers describe the same layout.
  return out;
}

function lengthError(what: string): CodecError {
  return new CodecError('bad-length', what);
}

function readKey(bytes: Uint8Array, at: number): Uint8Array {
  return copyBytes(bytes, at, at + KEY_LENGTH);
}

/** A watermark, sharing the initial one when it is (FullMask, 0). */
function watermarkOf(key: Uint8Array, seq: number): Watermark {
  return seq === 0 && keysEqual(key, FULL_MASK) ? INITIAL_WATERMARK : { key, seq };
}

/**
 * Decode one whole frame (`bytes` = exactly the frame the receiver read: 10 header bytes, then
 * length − 10). Bad magic → 'bad-magic'; fewer than 10 bytes, a length field < 10 or different
 * from bytes.length, or a body that does not fill the frame exactly → 'bad-length'; malformed
 * fields → 'decode-error'. Unknown type ids → null (silently ignored, §3.2).
 */
export function decodeFrame(bytes: Uint8Array): Frame | CodecError | null {
  const total = bytes.length;
  if (total < FRAME_HEADER_LENGTH) {
    return lengthError(`frame of ${total} bytes is shorter than the 10-byte header`);
  }
  if (bytes[0] !== 0x70 || bytes[1] !== 0x69 || bytes[2] !== 0x6e || bytes[3] !== 0x65) {
    return new CodecError('bad-magic', 'frame does not start with the magic bytes "pine"');
  }
  const type = bytes[5] as number;
  const extra = bytes[6] as number;
  const hopLimit = bytes[7] as number;
  const len = ((bytes[8] as number) << 8) | (bytes[9] as number);
  // §3.2 [QUIRK]: the reference panics on length < 10; we drop the link instead.
  if (len < FRAME_HEADER_LENGTH)
    return lengthError(`length field ${len} is below the header size 10`);
  if (len !== total) return lengthError(`length field says ${len} bytes, frame has ${total}`);
  // Byte 4 (version) is never checked on receipt (§3.2).
  switch (type) {
    case FrameType.Keepalive:
      if (total !== FRAME_HEADER_LENGTH)
        return lengthError(`keepalive with a ${total - 10}-byte body`);
      return extra === 0 && hopLimit === 0 ? KEEPALIVE : { type, extra, hopLimit };
    case FrameType.TreeAnnouncement:
      return decodeAnnouncementFrame(bytes, extra, hopLimit);
    case FrameType.Bootstrap:
      return decodeBootstrapFrame(bytes, extra, hopLimit);
    case FrameType.Traffic:
      return decodeTrafficFrame(bytes, extra, hopLimit);
    case FrameType.WakeupBroadcast:
      return decodeWakeupFrame(bytes, extra, hopLimit);
    default:
      return null;
  }
}

function readPlen(bytes: Uint8Array): number {
  if (bytes.length < FRAME_HEADER_LENGTH + 2) return -1;
  return ((bytes[10] as number) << 8) | (bytes[11] as number);
}

function decodeAnnouncementFrame(
  bytes: Uint8Array,
  extra: number,
  hopLimit: number,
): TreeAnnouncementFrame | CodecError {
  const plen = readPlen(bytes);
  if (plen < 0) return lengthError('announcement frame without a payload length');
  if (12 + plen !== bytes.length) {
    return lengthError(`announcement PLEN ${plen} but ${bytes.length - 12} payload bytes present`);
  }
  const announcement = decodeAnnouncement(bytes, 12, bytes.length);
  if (announcement instanceof CodecError) return announcement;
  return { type: FrameType.TreeAnnouncement, extra, hopLimit, announcement };
}

function decodeBootstrapFrame(
  bytes: Uint8Array,
  extra: number,
  hopLimit: number,
): BootstrapFrame | CodecError {
  const plen = readPlen(bytes);
  if (plen < 0) return lengthError('bootstrap frame without a payload length');
  const end = bytes.length;
  if (end < 12 + 2 * KEY_LENGTH + 1)
    return lengthError('bootstrap frame truncated before its watermark');
  const destinationKey = readKey(bytes, 12);
  const wmKey = readKey(bytes, 12 + KEY_LENGTH);
  const cursor = { pos: 12 + 2 * KEY_LENGTH };
  const seq = readVarU64Number(bytes, cursor, end);
  if (seq < 0) return varU64Error(seq, 'bootstrap watermark sequence', 12 + 2 * KEY_LENGTH);
  if (cursor.pos + plen !== end) {
    return lengthError(`bootstrap PLEN ${plen} but ${end - cursor.pos} payload bytes present`);
  }
  return {
    type: FrameType.Bootstrap,
    extra,
    hopLimit,
    destinationKey,
    watermark: watermarkOf(wmKey, seq),
    payload: copyBytes(bytes, cursor.pos, end),
  };
}

function decodeTrafficFrame(
  bytes: Uint8Array,
  extra: number,
  hopLimit: number,
): TrafficFrame | CodecError {
  const plen = readPlen(bytes);
  if (plen < 0) return lengthError('traffic frame without a payload length');
  const end = bytes.length;
  const dst = decodeCoordinates(bytes, 12);
  if (dst instanceof CodecError) return dst;
  const src = decodeCoordinates(bytes, dst.next);
  if (src instanceof CodecError) return src;
  let p = src.next;
  if (end - p < 2 * KEY_LENGTH) return lengthError('traffic frame truncated in its keys');
  const destinationKey = readKey(bytes, p);
  const sourceKey = readKey(bytes, p + KEY_LENGTH);
  p += 2 * KEY_LENGTH;
  let watermark: Watermark = INITIAL_WATERMARK;
  if (dst.coords.length === 0) {
    // SNEK-routed: watermark on the wire (§3.6). Tree-routed frames get (FullMask, 0).
    if (end - p < KEY_LENGTH + 1) return lengthError('traffic frame truncated in its watermark');
    const wmKey = readKey(bytes, p);
    const cursor = { pos: p + KEY_LENGTH };
    const seq = readVarU64Number(bytes, cursor, end);
    if (seq < 0) return varU64Error(seq, 'traffic watermark sequence', p + KEY_LENGTH);
    watermark = watermarkOf(wmKey, seq);
    p = cursor.pos;
  }
  if (p + plen !== end)
    return lengthError(`traffic PLEN ${plen} but ${end - p} payload bytes present`);
  return {
    type: FrameType.Traffic,
    extra,
    hopLimit,
    destinationCoords: dst.coords,
    sourceCoords: src.coords,
    destinationKey,
    sourceKey,
    watermark,
    payload: copyBytes(bytes, p, end),
  };
}

function decodeWakeupFrame(
  bytes: Uint8Array,
  extra: number,
  hopLimit: number,
): WakeupBroadcastFrame | CodecError {
  const plen = readPlen(bytes);
  if (plen < 0) return lengthError('wakeup broadcast without a payload length');
  const end = bytes.length;
  if (12 + KEY_LENGTH + plen !== end) {
    return lengthError(
      `wakeup broadcast PLEN ${plen} but ${end - 12 - KEY_LENGTH} payload bytes present`,
    );
  }
  return {
    type: FrameType.WakeupBroadcast,
    extra,
    hopLimit,
    sourceKey: readKey(bytes, 12),
    payload: copyBytes(bytes, 12 + KEY_LENGTH, end),
  };
}
