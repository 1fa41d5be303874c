/**
 * cli/frame.ts — `pinelab frame decode <hex>` and `pinelab frame encode <json>`.
 *
 * decode prints a frame (PROTOCOL.md §3) as JSON: keys and byte fields as hex, coordinates as
 * arrays, announcement hops with each signature's validity, the bootstrap / wakeup payload fields
 * decoded and checked with node:crypto. encode takes the same JSON shape back to hex; derived
 * fields (length, valid, coords, …) are ignored, so `decode | encode` round-trips byte-exactly.
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { InputError, locate } from '../base/index.ts';
import type { Ed25519 } from '../router/crypto.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import {
  FULL_MASK,
  fromHex,
  INITIAL_WATERMARK,
  KEY_LENGTH,
  keysEqual,
  toHex,
} from '../router/keys.ts';
import type { Frame, RootAnnouncement, SignatureHop, Watermark } from '../router/types.ts';
import { FrameType } from '../router/types.ts';
import {
  announcementCoords,
  announcementPeerCoords,
  bootstrapSignature,
  CodecError,
  decodeFrame,
  encodeAnnouncement,
  encodeFrame,
  frameLength,
  readBootstrapPayload,
  SIGNATURE_LENGTH,
  varU64Length,
  verifyBootstrapPayload,
  writeVarU64,
} from '../router/wire/index.ts';

const TYPE_NAMES = [
  'keepalive',
  'tree-announcement',
  'bootstrap',
  'traffic',
  'wakeup-broadcast',
] as const;
type TypeName = (typeof TYPE_NAMES)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// decode

function payloadFields(payload: Uint8Array, signer: Uint8Array, crypto: Ed25519): JsonObject {
  const p = readBootstrapPayload(payload);
  if (p instanceof CodecError) return { error: p.message };
  return {
    seq: p.seq,
    rootKey: toHex(p.rootKey),
    rootSeq: p.rootSeq,
    signature: toHex(bootstrapSignature(payload)),
    signatureValid: verifyBootstrapPayload(payload, signer, crypto),
  };
}

function announcementJson(ann: RootAnnouncement, crypto: Ed25519): JsonObject {
  const bytes = encodeAnnouncement(ann);
  let p = KEY_LENGTH + varU64Length(ann.rootSeq);
  const hops: Json[] = [];
  for (const hop of ann.hops) {
    // Each hop checked on its own (not stopping at the first failure) to show which one is bad.
    const valid = crypto.verify(hop.signer, bytes.subarray(0, p), hop.signature);
    hops.push({
      port: hop.port,
      signer: toHex(hop.signer),
      signature: toHex(hop.signature),
      valid,
    });
    p += varU64Length(hop.port) + KEY_LENGTH + SIGNATURE_LENGTH;
  }
  return {
    rootKey: toHex(ann.rootKey),
    rootSeq: ann.rootSeq,
    hops,
    coords: announcementCoords(ann),
    senderCoords: announcementPeerCoords(ann),
    signaturesValid: hops.every((h) => (h as JsonObject).valid === true),
  };
}

function watermarkJson(w: Watermark): JsonObject {
  return { key: toHex(w.key), seq: w.seq };
}

export function frameToJson(frame: Frame, crypto: Ed25519): JsonObject {
  const head: JsonObject = {
    type: TYPE_NAMES[frame.type] as string,
    typeId: frame.type,
    extra: frame.extra,
    hopLimit: frame.hopLimit,
    length: frameLength(frame),
  };
  switch (frame.type) {
    case FrameType.Keepalive:
      return head;
    case FrameType.TreeAnnouncement:
      return { ...head, announcement: announcementJson(frame.announcement, crypto) };
    case FrameType.Bootstrap:
      return {
        ...head,
        destinationKey: toHex(frame.destinationKey),
        watermark: watermarkJson(frame.watermark),
        payload: toHex(frame.payload),
        bootstrap: payloadFields(frame.payload, frame.destinationKey, crypto),
      };
    case FrameType.Traffic:
      return {
        ...head,
        destinationCoords: [...frame.destinationCoords],
        sourceCoords: [...frame.sourceCoords],
        destinationKey: toHex(frame.destinationKey),
        sourceKey: toHex(frame.sourceKey),
        watermark: watermarkJson(frame.watermark),
        watermarkOnWire: frame.destinationCoords.length === 0,
        payload: toHex(frame.payload),
      };
    case FrameType.WakeupBroadcast:
      return {
        ...head,
        sourceKey: toHex(frame.sourceKey),
        payload: toHex(frame.payload),
        broadcast: payloadFields(frame.payload, frame.sourceKey, crypto),
      };
  }
}

function parseHexArg(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  const bytes = fromHex(clean);
  if (bytes === null) {
    throw new InputError(
      locate(
        'pinelab frame decode <hex>',
        undefined,
        `expected an even number of hex digits (0-9, a-f), got "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`,
      ),
    );
  }
  return bytes;
}

/** Decode hex to the JSON object printed by `frame decode` (exported for tests). */
export function decodeHexToJson(hex: string, crypto: Ed25519 = createNodeEd25519()): JsonObject {
  const bytes = parseHexArg(hex);
  const frame = decodeFrame(bytes);
  if (frame instanceof CodecError) {
    throw new InputError(
      locate(
        'pinelab frame decode <hex>',
        undefined,
        `not a valid frame (a receiver drops the link, ${frame.reason}): ${frame.message}`,
      ),
    );
  }
  if (frame === null) {
    return {
      type: 'unknown',
      typeId: bytes[5] as number,
      note: 'unknown frame type: receivers silently ignore it (PROTOCOL.md §3.2)',
    };
  }
  return frameToJson(frame, crypto);
}

// ---------------------------------------------------------------------------------------------
// encode

class JsonReader {
  readonly where = 'pinelab frame encode <json>';
  fail(path: string, expected: string): never {
    throw new InputError(locate(this.where, undefined, `field "${path}": expected ${expected}`));
  }
  obj(v: Json | undefined, path: string): JsonObject {
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v))
      this.fail(path, 'an object');
    return v;
  }
  int(v: Json | undefined, path: string, max = Number.MAX_SAFE_INTEGER, dflt?: number): number {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
      this.fail(path, `an integer in 0..${max}`);
    }
    return v;
  }
  bytes(v: Json | undefined, path: string, length?: number): Uint8Array {
    const b = typeof v === 'string' ? fromHex(v) : null;
    if (b === null || (length !== undefined && b.length !== length)) {
      this.fail(
        path,
        length === undefined ? 'a hex string' : `${length} bytes as ${2 * length} hex digits`,
      );
    }
    return b;
  }
  coords(v: Json | undefined, path: string): number[] {
    if (!Array.isArray(v)) this.fail(path, 'an array of port numbers');
    return v.map((p, i) => this.int(p, `${path}[${i}]`));
  }
  watermark(v: Json | undefined, path: string): Watermark {
    if (v === undefined) return INITIAL_WATERMARK;
    const o = this.obj(v, path);
    return {
      key: this.bytes(o.key, `${path}.key`, KEY_LENGTH),
      seq: this.int(o.seq, `${path}.seq`),
    };
  }
}

/** A bootstrap / wakeup payload from `payload` hex, or from its decoded fields. */
function payloadFromJson(r: JsonReader, o: JsonObject, fieldsName: string): Uint8Array {
  if (o.payload !== undefined) return r.bytes(o.payload, 'payload');
  const f = r.obj(o[fieldsName], fieldsName);
  const seq = r.int(f.seq, `${fieldsName}.seq`);
  const rootKey = r.bytes(f.rootKey, `${fieldsName}.rootKey`, KEY_LENGTH);
  const rootSeq = r.int(f.rootSeq, `${fieldsName}.rootSeq`);
  const signature = r.bytes(f.signature, `${fieldsName}.signature`, SIGNATURE_LENGTH);
  const out = new Uint8Array(
    varU64Length(seq) + KEY_LENGTH + varU64Length(rootSeq) + SIGNATURE_LENGTH,
  );
  let p = writeVarU64(out, 0, seq);
  out.set(rootKey, p);
  p = writeVarU64(out, p + KEY_LENGTH, rootSeq);
  out.set(signature, p);
  return out;
}

/** Build a Frame from the JSON shape `frame decode` prints (exported for tests). */
export function frameFromJson(value: Json): Frame {
  const r: JsonReader = new JsonReader();
  const o = r.obj(value, '(top level)');
  let typeId: number;
  if (typeof o.type === 'string' && (TYPE_NAMES as readonly string[]).includes(o.type)) {
    typeId = TYPE_NAMES.indexOf(o.type as TypeName);
  } else if (o.type === undefined && o.typeId !== undefined) {
    typeId = r.int(o.typeId, 'typeId', 4);
  } else {
    r.fail('type', `one of ${TYPE_NAMES.join(', ')}`);
  }
  const extra = r.int(o.extra, 'extra', 255, 0);
  const hopLimit = r.int(o.hopLimit, 'hopLimit', 255, 0);
  switch (typeId) {
    case FrameType.Keepalive:
      return { type: FrameType.Keepalive, extra, hopLimit };
    case FrameType.TreeAnnouncement: {
      const a = r.obj(o.announcement, 'announcement');
      const rawHops = a.hops;
      if (!Array.isArray(rawHops)) r.fail('announcement.hops', 'an array');
      const hops: SignatureHop[] = rawHops.map((h, i) => {
        const ho = r.obj(h, `announcement.hops[${i}]`);
        return {
          port: r.int(ho.port, `announcement.hops[${i}].port`),
          signer: r.bytes(ho.signer, `announcement.hops[${i}].signer`, KEY_LENGTH),
          signature: r.bytes(ho.signature, `announcement.hops[${i}].signature`, SIGNATURE_LENGTH),
        };
      });
      const announcement: RootAnnouncement = {
        rootKey: r.bytes(a.rootKey, 'announcement.rootKey', KEY_LENGTH),
        rootSeq: r.int(a.rootSeq, 'announcement.rootSeq'),
        hops,
      };
      return { type: FrameType.TreeAnnouncement, extra, hopLimit, announcement };
    }
    case FrameType.Bootstrap:
      return {
        type: FrameType.Bootstrap,
        extra,
        hopLimit,
        destinationKey: r.bytes(o.destinationKey, 'destinationKey', KEY_LENGTH),
        watermark: r.watermark(o.watermark, 'watermark'),
        payload: payloadFromJson(r, o, 'bootstrap'),
      };
    case FrameType.Traffic: {
      const destinationCoords = r.coords(o.destinationCoords, 'destinationCoords');
      const wm = r.watermark(o.watermark, 'watermark');
      // With destination coordinates the watermark is not on the wire (§3.6): normalise it.
      const isInitial = wm.seq === 0 && keysEqual(wm.key, FULL_MASK);
      return {
        type: FrameType.Traffic,
        extra,
        hopLimit,
        destinationCoords,
        sourceCoords: r.coords(o.sourceCoords, 'sourceCoords'),
        destinationKey: r.bytes(o.destinationKey, 'destinationKey', KEY_LENGTH),
        sourceKey: r.bytes(o.sourceKey, 'sourceKey', KEY_LENGTH),
        watermark: destinationCoords.length > 0 || isInitial ? INITIAL_WATERMARK : wm,
        payload: r.bytes(o.payload ?? '', 'payload'),
      };
    }
    default:
      return {
        type: FrameType.WakeupBroadcast,
        extra,
        hopLimit,
        sourceKey: r.bytes(o.sourceKey, 'sourceKey', KEY_LENGTH),
        payload: payloadFromJson(r, o, 'broadcast'),
      };
  }
}

/** JSON text → hex of the encoded frame (exported for tests). */
export function encodeJsonToHex(text: string): string {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (error) {
    throw new InputError(
      locate(
        'pinelab frame encode <json>',
        undefined,
        `not valid JSON (${(error as Error).message})`,
      ),
    );
  }
  const bytes = encodeFrame(frameFromJson(value));
  if (bytes instanceof CodecError) {
    throw new InputError(
      locate('pinelab frame encode <json>', undefined, `cannot encode: ${bytes.message}`),
    );
  }
  return toHex(bytes);
}

// ---------------------------------------------------------------------------------------------
// yargs

/** "-" means standard input (yargs hands a lone "-" positional over as ""). */
function readArg(arg: string): string {
  if (arg !== '-' && arg !== '') return arg;
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    throw new InputError(`pinelab frame: cannot read standard input (${(error as Error).message})`);
  }
}

interface DecodeArgs {
  hex: string;
}
interface EncodeArgs {
  json: string;
}

const decodeCommand: CommandModule<object, DecodeArgs> = {
  command: 'decode <hex>',
  describe: 'decode a frame from hex and print it as JSON (signatures checked with node:crypto)',
  builder: (y: Argv) =>
    y
      .positional('hex', {
        type: 'string',
        demandOption: true,
        describe: 'the frame bytes in hex ("-" reads stdin)',
      })
      .example('$0 frame decode 70696e6500000000000a', 'a keepalive')
      .strict() as unknown as Argv<DecodeArgs>,
  // async: a throw becomes a rejected parseAsync, which cli/main.ts turns into exit 2.
  handler: async (args) => {
    const json = decodeHexToJson(readArg(args.hex).trim());
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  },
};

const encodeCommand: CommandModule<object, EncodeArgs> = {
  command: 'encode <json>',
  describe: 'encode a frame given as JSON (the shape `frame decode` prints) and print its hex',
  builder: (y: Argv) =>
    y
      .positional('json', {
        type: 'string',
        demandOption: true,
        describe: 'the frame as JSON ("-" reads stdin)',
      })
      .example(`$0 frame encode '{"type":"keepalive"}'`, 'prints 70696e6500000000000a')
      .example('$0 frame decode <hex> | $0 frame encode -', 'round trip')
      .strict() as unknown as Argv<EncodeArgs>,
  handler: async (args) => {
    process.stdout.write(`${encodeJsonToHex(readArg(args.json))}\n`);
  },
};

export const frameCommand: CommandModule = {
  command: 'frame <command>',
  describe: 'decode or encode Pinecone wire frames (PROTOCOL.md §3)',
  builder: (y: Argv) =>
    y
      .command(decodeCommand as unknown as CommandModule)
      .command(encodeCommand as unknown as CommandModule)
      .demandCommand(1, 'Name a subcommand: decode or encode.')
      .example('$0 frame decode 70696e6500000000000a', 'decode a keepalive')
      .example(`$0 frame encode '{"type":"keepalive"}'`, 'encode one')
      .strict(),
  handler: () => {},
};
