/**
 * router/wire/announcement.ts — the root announcement payload (PROTOCOL.md §3.7).
 *
 * ```
 * root key (32) | root sequence (varu64) | entry_1 | … | entry_n
 * entry_i = hop port (varu64) | signer key (32) | signature (64)
 * ```
 * Signing appends an entry whose signature covers the announcement as it was BEFORE the entry (so
 * an entry's own port and key are covered only by the next signer) [types/announcement.go: Sign].
 * Decoding and verification are separate: in object mode frames are never re-encoded, so the
 * router calls `verifyAnnouncement` on the decoded object. Because our decoders reject
 * non-canonical varu64s (§3.4), re-encoding a decoded announcement gives back the received bytes,
 * so verifying over our encoding is verifying over the raw bytes as the reference does.
 */
import type { DeferredSignature, Ed25519, SignedMessage } from '../crypto.ts';
import { KEY_LENGTH, keysEqual } from '../keys.ts';
import type { Identity, PublicKey, RootAnnouncement, SignatureHop } from '../types.ts';
import { copyBytes } from './bytes.ts';
import { CodecError } from './errors.ts';
import { readVarU64Number, varU64Error, varU64Length, writeVarU64 } from './varu64.ts';

export const SIGNATURE_LENGTH = 64;
/** Smallest entry: 1-byte port + key + signature; entries are parsed while this many bytes remain. */
export const MIN_ENTRY_LENGTH = 1 + KEY_LENGTH + SIGNATURE_LENGTH;

/** 64 zero bytes: the signature written when signatures are disabled (§2, "insecure"). */
export const ZERO_SIGNATURE: Uint8Array = new Uint8Array(SIGNATURE_LENGTH);

/** Encoded size of the announcement payload. */
export function announcementLength(ann: RootAnnouncement): number {
  let n = KEY_LENGTH + varU64Length(ann.rootSeq);
  const hops = ann.hops;
  for (let i = 0; i < hops.length; i++) {
    n += varU64Length((hops[i] as SignatureHop).port) + KEY_LENGTH + SIGNATURE_LENGTH;
  }
  return n;
}

/** Write the payload at `offset`; returns the next offset. */
export function writeAnnouncement(out: Uint8Array, offset: number, ann: RootAnnouncement): number {
  out.set(ann.rootKey, offset);
  let p = writeVarU64(out, offset + KEY_LENGTH, ann.rootSeq);
  const hops = ann.hops;
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i] as SignatureHop;
    p = writeVarU64(out, p, hop.port);
    out.set(hop.signer, p);
    out.set(hop.signature, p + KEY_LENGTH);
    p += KEY_LENGTH + SIGNATURE_LENGTH;
  }
  return p;
}

/** The payload bytes: root key | varu64 seq | entries. */
export function encodeAnnouncement(ann: RootAnnouncement): Uint8Array {
  const out = new Uint8Array(announcementLength(ann));
  writeAnnouncement(out, 0, ann);
  return out;
}

/**
 * An announcement signature made on first read. In object mode nobody reads the bytes of an
 * honest entry: receivers find it known good (knownGood), lengths use SIGNATURE_LENGTH, and the
 * trace records lengths. Yet signing was about a third of a run while a deep tree forms (geo:30000:
 * ed25519 over the whole ~15 KB announcement, plus copying and hashing it for the caches). RFC 8032
 * signing is deterministic (PROTOCOL.md §2), so signing later gives the same 64 bytes as signing
 * now: any reader — the wire encoder (--wire-encode), a verifier that does not know the entry, the
 * next signer's message when that is forced — gets exactly the eager bytes. The backend makes the
 * signature (crypto.signLater): this module never holds a seed. One cell serves every port
 * "announce to all" signs the same announcement for (the message excludes the port, §3.7).
 */
class LazySignature implements SignedMessage {
  private deferred: DeferredSignature | null = null;
  /** The announcement signed (the message), until signed; also the reuse check (SigningSlot). */
  ann: RootAnnouncement | null;
  readonly identity: Identity;
  readonly crypto: Ed25519;
  /** Its hops' verification record, the same for every hop of the cell (see knownGood). */
  verified: VerifiedHop | null = null;

  constructor(ann: RootAnnouncement, identity: Identity, crypto: Ed25519) {
    this.ann = ann;
    this.identity = identity;
    this.crypto = crypto;
  }

  /** Ask the backend to sign later; false when it cannot (it does not vouch for the identity). */
  defer(): boolean {
    this.deferred =
      this.crypto.signLater?.(this.identity.seed, this.identity.publicKey, this) ?? null;
    return this.deferred !== null;
  }

  message(): Uint8Array {
    return encodeAnnouncement(this.ann as RootAnnouncement);
  }

  get(): Uint8Array {
    const bytes = (this.deferred as DeferredSignature).bytes();
    this.ann = null; // no longer needed: the signature is made
    return bytes;
  }
}

const CELL = Symbol('LazySignature');

/** The `signature` accessor of lazy hops: one shared pair, so the hops share one hidden class. */
const SIGNATURE_ACCESSOR: PropertyDescriptor = {
  get(this: { [CELL]: LazySignature }): Uint8Array {
    return this[CELL].get();
  },
  enumerable: true,
};

/**
 * A hop entry whose signature is a LazySignature. A plain object whose `signature` is an own
 * enumerable accessor, so it reads, spreads ({...hop} copies the bytes) and compares
 * (assert.deepEqual) like an eager entry; the cell is a hidden (non-enumerable symbol) property.
 */
function lazyHop(port: number, signer: PublicKey, cell: LazySignature): SignatureHop {
  const hop = { port, signer };
  Object.defineProperty(hop, CELL, { value: cell });
  Object.defineProperty(hop, 'signature', SIGNATURE_ACCESSOR);
  return hop as unknown as SignatureHop;
}

/**
 * Where a signer keeps its last deferred signature, so that "announce to all" (§5.3), which signs
 * one announcement object once per port in a row, makes one signature for all the ports. The
 * router keeps one (router/tree-state.ts TreeState.signCell); opaque to it.
 */
export interface SigningSlot {
  signCell: unknown;
}

/**
 * A copy of `ann` with the entry (port, identity.publicKey, signature over encodeAnnouncement(ann))
 * appended [types/announcement.go: Sign; router/state_tree.go: forPeer]. With `crypto` null
 * (signatures disabled, §2 PINECONE_DISABLE_SIGNATURES) the signature is 64 zero bytes. When the
 * backend can defer it (crypto.signLater: it vouches for the identity's key pairing) the signature
 * is made on first read (LazySignature), otherwise now. With a `slot`, a deferred signature is
 * shared with the previous call's when that signed the same announcement for the same identity.
 */
export function signAnnouncement(
  ann: RootAnnouncement,
  port: number,
  identity: Identity,
  crypto: Ed25519 | null,
  slot?: SigningSlot,
): RootAnnouncement {
  const hops = ann.hops;
  if (crypto?.signLater !== undefined) {
    let cell = slot?.signCell as LazySignature | null | undefined;
    if (
      cell === null ||
      cell === undefined ||
      cell.ann !== ann ||
      cell.identity !== identity ||
      cell.crypto !== crypto
    ) {
      cell = new LazySignature(ann, identity, crypto);
      if (!cell.defer()) cell = null;
      // Whenever it is made, the signature is this backend's under a key it vouches for: it
      // verifies, so receivers need not verify it, given the entries before it do.
      if (cell !== null) cell.verified = ownRecord(ann, crypto);
      if (slot !== undefined) slot.signCell = cell;
    }
    if (cell !== null) {
      const hop = lazyHop(port, identity.publicKey, cell);
      return { rootKey: ann.rootKey, rootSeq: ann.rootSeq, hops: appendHop(hops, hop) };
    }
  }
  const signature =
    crypto === null ? ZERO_SIGNATURE : crypto.sign(identity.seed, encodeAnnouncement(ann));
  const hop: SignatureHop = { port, signer: identity.publicKey, signature };
  // Our own fresh signature under our own key verifies (crypto.signedBy checks that pairing), so
  // receivers need not hash or verify this entry again (knownGood).
  if (crypto?.signedBy?.(identity.seed, identity.publicKey, signature)) {
    const record = ownRecord(ann, crypto);
    if (record !== null) crypto.memo?.set(hop, record);
  }
  return { rootKey: ann.rootKey, rootSeq: ann.rootSeq, hops: appendHop(hops, hop) };
}

/**
 * `hops` and then `hop`, in an array of exactly that length. A spread ([...hops, hop]) grows its
 * array as push does, by about half plus 16 slots (Node 20: 23 slots for 5 entries, 77 for 41),
 * and every link stores one signed announcement: unused slots were ~1 KB of each idle router's
 * heap on geo:10000 (scripts/bench-heap.ts). concat sizes it exactly and keeps it packed.
 */
function appendHop(hops: readonly SignatureHop[], hop: SignatureHop): SignatureHop[] {
  return hops.length === 0 ? [hop] : hops.concat([hop]);
}

/** The verification record of our own new entry appended to `ann`, if the entries before it are. */
function ownRecord(ann: RootAnnouncement, crypto: Ed25519): VerifiedHop | null {
  const hops = ann.hops;
  const previous = hops.length === 0 ? null : (hops[hops.length - 1] as SignatureHop);
  if (
    previous === null ||
    knownGood(
      previous,
      hops.length < 2 ? null : (hops[hops.length - 2] as SignatureHop),
      ann,
      crypto,
    )
  ) {
    return { previous, rootKey: ann.rootKey, rootSeq: ann.rootSeq };
  }
  return null;
}

/**
 * What a hop entry was verified under: the entry object before it and the root (the backend is
 * the one whose memo holds the record, or the lazy cell's). The message an entry signs is exactly
 * (root key, root sequence, entries before it), so the same immutable entry object behind the
 * same predecessor object under the same root signs the same bytes (frames and their parts are
 * immutable, router/types.ts).
 */
interface VerifiedHop {
  readonly previous: SignatureHop | null;
  readonly rootKey: PublicKey;
  readonly rootSeq: number;
}

/**
 * Entries already verified under `crypto`, by object: our own lazy entries carry their record in
 * their cell, others are in the backend's per-run memo (crypto.memo). Frames are shared between
 * hops and a forwarder's announcement reuses its parent's entry objects, so without the record
 * every receiver would re-encode the whole announcement and re-hash every prefix for the
 * verification cache: O(depth²) bytes per announcement (12% of an fc00 run).
 */
function knownGood(
  hop: SignatureHop,
  previous: SignatureHop | null,
  ann: RootAnnouncement,
  crypto: Ed25519,
): boolean {
  const cell = (hop as { readonly [CELL]?: LazySignature })[CELL];
  const v =
    cell !== undefined && cell.crypto === crypto
      ? cell.verified
      : (crypto.memo?.get(hop) as VerifiedHop | undefined);
  return (
    v !== undefined &&
    v !== null &&
    v.previous === previous &&
    v.rootSeq === ann.rootSeq &&
    keysEqual(v.rootKey, ann.rootKey)
  );
}

/**
 * Entry i must be signer i's signature over the encoding of root, sequence and entries 0..i−1
 * [types/announcement.go: UnmarshalBinary]. One encoding serves every entry (prefixes of it); it is
 * made only when some entry is not already known good (knownGood).
 */
export function verifyAnnouncement(ann: RootAnnouncement, crypto: Ed25519): boolean {
  const hops = ann.hops;
  if (hops.length === 0) return true;
  let bytes: Uint8Array | null = null;
  let p = KEY_LENGTH + varU64Length(ann.rootSeq);
  let previous: SignatureHop | null = null;
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i] as SignatureHop;
    if (!knownGood(hop, previous, ann, crypto)) {
      if (bytes === null) bytes = encodeAnnouncement(ann);
      if (!crypto.verify(hop.signer, bytes.subarray(0, p), hop.signature)) return false;
      crypto.memo?.set(hop, { previous, rootKey: ann.rootKey, rootSeq: ann.rootSeq });
    }
    p += varU64Length(hop.port) + KEY_LENGTH + SIGNATURE_LENGTH;
    previous = hop;
  }
  return true;
}

/**
 * Parse the payload in bytes[offset, end). Entries are parsed while ≥ 97 bytes remain; a shorter
 * tail is silently ignored, as in the reference (§3.7). An entry whose multi-byte port leaves too
 * few bytes for key + signature is a decode error. Keys and signatures are copied, so the object
 * does not pin the receive buffer.
 */
export function decodeAnnouncement(
  bytes: Uint8Array,
  offset: number,
  end: number,
): RootAnnouncement | CodecError {
  if (end > bytes.length || offset < 0 || offset > end) {
    return new CodecError(
      'decode-error',
      `announcement: bounds [${offset}, ${end}) outside the buffer`,
    );
  }
  if (end - offset < KEY_LENGTH + 1) {
    return new CodecError('decode-error', `announcement: ${end - offset} bytes, need at least 33`);
  }
  const rootKey = copyBytes(bytes, offset, offset + KEY_LENGTH);
  const cursor = { pos: offset + KEY_LENGTH };
  const rootSeq = readVarU64Number(bytes, cursor, end);
  if (rootSeq < 0) return varU64Error(rootSeq, 'announcement root sequence', offset + KEY_LENGTH);
  const hops: SignatureHop[] = [];
  while (end - cursor.pos >= MIN_ENTRY_LENGTH) {
    const at = cursor.pos;
    const port = readVarU64Number(bytes, cursor, end);
    if (port < 0) return varU64Error(port, `announcement entry ${hops.length + 1} port`, at);
    const p = cursor.pos;
    if (end - p < KEY_LENGTH + SIGNATURE_LENGTH) {
      return new CodecError(
        'decode-error',
        `announcement entry ${hops.length + 1} at offset ${at}: truncated after its port`,
      );
    }
    const signer = copyBytes(bytes, p, p + KEY_LENGTH);
    const signature = copyBytes(bytes, p + KEY_LENGTH, p + KEY_LENGTH + SIGNATURE_LENGTH);
    hops.push({ port, signer, signature });
    cursor.pos = p + KEY_LENGTH + SIGNATURE_LENGTH;
  }
  return { rootKey, rootSeq, hops };
}

/** The hop ports in order: the receiver's coordinates when sent by its parent (§3.7). */
export function announcementCoords(ann: RootAnnouncement): number[] {
  const hops = ann.hops;
  const out = new Array<number>(hops.length);
  for (let i = 0; i < hops.length; i++) out[i] = (hops[i] as SignatureHop).port;
  return out;
}

/** The sender's own coordinates: the hop ports without the last [types/announcement.go: PeerCoords]. */
export function announcementPeerCoords(ann: RootAnnouncement): number[] {
  const hops = ann.hops;
  const n = hops.length > 0 ? hops.length - 1 : 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (hops[i] as SignatureHop).port;
  return out;
}

/** Announcements up to this many entries are checked for repeated signers pair by pair. */
const PAIRWISE_SIGNERS = 8;

/**
 * Index of the first entry before i with the signer of hops[i], or −1, recording i in `table`:
 * an open-addressing set of entry indexes + 1 (0 = empty) keyed by the signer's leading bytes.
 * Comparing every pair of signers is O(depth²) key comparisons per announcement received, 10% of
 * a run while the tree of geo:30000 (depth ~150) formed.
 */
function seenBefore(hops: readonly SignatureHop[], i: number, table: number[]): number {
  const k = (hops[i] as SignatureHop).signer;
  const mask = table.length - 1;
  let h = (((k[0] as number) << 16) ^ ((k[1] as number) << 8) ^ (k[2] as number)) & mask;
  for (let e = table[h] as number; e !== 0; e = table[h] as number) {
    if (keysEqual((hops[e - 1] as SignatureHop).signer, k)) return e - 1;
    h = (h + 1) & mask;
  }
  table[h] = i + 1;
  return -1;
}

/** Index of the first entry before i with the signer of hops[i], or −1, pair by pair. */
function seenBeforePairwise(hops: readonly SignatureHop[], i: number): number {
  const k = (hops[i] as SignatureHop).signer;
  for (let j = 0; j < i; j++) if (keysEqual((hops[j] as SignatureHop).signer, k)) return j;
  return -1;
}

function fail(why: string): CodecError {
  return new CodecError('announcement-sanity', `announcement ${why}`);
}

/**
 * Sanity checks of PROTOCOL.md §5.4 step 2 [types/announcement.go: SanityCheck]: at least one
 * entry; first signer = root key; no hop port 0; last signer = the key of the arrival link; no
 * signer twice. Returns a CodecError with reason 'announcement-sanity', or null when sane. Entries
 * are checked in order, port before repeat, and a repeat names the first earlier entry with that
 * signer, as the reference's pairwise loop does.
 */
export function checkAnnouncementSanity(
  ann: RootAnnouncement,
  linkKey: PublicKey,
): CodecError | null {
  const hops = ann.hops;
  if (hops.length === 0) return fail('has no entries');
  if (!keysEqual((hops[0] as SignatureHop).signer, ann.rootKey)) {
    return fail('first signer is not the root key');
  }
  const last = hops[hops.length - 1] as SignatureHop;
  if (!keysEqual(last.signer, linkKey)) return fail("last signer is not the link's key");
  let table: number[] | null = null;
  if (hops.length > PAIRWISE_SIGNERS) {
    let size = 16;
    while (size < 2 * hops.length) size *= 2;
    // A plain array of small integers: on the JS heap, cheaper to make per call than a typed one.
    table = new Array<number>(size).fill(0);
  }
  for (let i = 0; i < hops.length; i++) {
    if ((hops[i] as SignatureHop).port === 0) return fail(`entry ${i + 1} has hop port 0`);
    const j = table === null ? seenBeforePairwise(hops, i) : seenBefore(hops, i, table);
    if (j >= 0) return fail(`signer of entry ${i + 1} repeats entry ${j + 1}`);
  }
  return null;
}
