/**
 * live/transcripts.test.ts — pinelab's live stack against byte transcripts of the real Pinecone
 * router (d0beb18), ../shared/interop (its README says what each shows). Each transcript is
 * replayed on a virtual clock (live/replay.ts): pinelab plays the scripted peer (same seed) and,
 * separately, the Go side, fed the other side's recorded bytes at their recorded times.
 *
 * Checked, per the interop README "Using them":
 * - pinelab's handshake for a seed is byte-identical to the recorded one (both roles);
 * - pinelab's frames equal the recorded ones byte for byte and in order: announcements, keepalives
 *   (±20 ms: 3 s after the last write) and traffic; bootstraps carry the recorded fields and, with
 *   the recorded sequence (wall-clock ms), encode to the recorded bytes (their 1 s tick phase is
 *   independent of connect time, so ±1 s);
 * - every frame the real router sent is accepted and acted on (no close; root, parent, coordinates,
 *   descending, deliveries), and as the Go side pinelab's state matches the Go router's probes;
 * - the bad cases are refused as the real router refused them: closed, with no frame sent after a
 *   bad handshake, within a few ms of the recorded close.
 * Live sockets are exercised with a few of them in live/socket.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { fromHex, toHex } from '../router/keys.ts';
import type { BootstrapFrame } from '../router/types.ts';
import { FrameType } from '../router/types.ts';
import { buildBootstrapPayload, readBootstrapPayload } from '../router/wire/bootstrap.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { decodeFrame, encodeFrame } from '../router/wire/frame.ts';
import {
  replay,
  type Transcript,
  type TranscriptRecord,
  transcriptIdentity,
  type Written,
} from './replay.ts';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/interop/transcripts');
const crypto = createNodeEd25519();

function load(name: string): Transcript {
  const path = join(DIR, `${name}.json`);
  assert.ok(existsSync(path), `${path} is missing: these tests need ../shared/interop`);
  return JSON.parse(readFileSync(path, 'utf8')) as Transcript;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function endMs(t: Transcript): number {
  return Math.max(...t.records.map((r) => r.t_ms), ...t.go_state.map((s) => s.t_ms)) + 100;
}

/** The recorded handshake and frames of one side (WebSocket upgrade and close records dropped). */
function sent(t: Transcript, dir: TranscriptRecord['dir']): TranscriptRecord[] {
  return t.records.filter((r) => r.dir === dir && r.hex !== '' && !r.note.startsWith('websocket'));
}

/** When the script (the side pinelab does not play) closed, or null. */
function scriptCloseMs(t: Transcript, role: 'peer' | 'go'): number | null {
  const theirs = role === 'peer' ? 'go->peer' : 'peer->go';
  return t.records.find((r) => r.dir === theirs && r.hex === '')?.t_ms ?? null;
}

/**
 * pinelab's writes equal the recorded ones, in order (see the file comment for tolerances).
 * Extra writes after the last recorded one may only be keepalives the recorded side would have
 * sent after the recording stopped.
 */
function assertSameFrames(t: Transcript, role: 'peer' | 'go', written: readonly Written[]): void {
  const rec = sent(t, role === 'peer' ? 'peer->go' : 'go->peer');
  const signer = transcriptIdentity(role === 'peer' ? t.peer.name : t.go_node.name, crypto);
  assert.ok(written.length >= rec.length, `pinelab wrote ${written.length} of ${rec.length}`);
  rec.forEach((r, i) => {
    const w = written[i] as Written;
    const what = `${t.name} as ${role}: write ${i} (${r.note.slice(0, 60)})`;
    const f = decodeFrame(fromHex(r.hex) as Uint8Array);
    if (f !== null && !isCodecError(f) && f.type === FrameType.Bootstrap) {
      const ours = decodeFrame(w.bytes) as BootstrapFrame;
      assert.equal(ours.type, FrameType.Bootstrap, `${what}: not a bootstrap`);
      assert.equal(hex(ours.destinationKey), hex(f.destinationKey), what);
      assert.equal(hex(ours.watermark.key), hex(f.watermark.key), what);
      const mine = readBootstrapPayload(ours.payload);
      const theirs = readBootstrapPayload(f.payload);
      assert.ok(!isCodecError(mine) && !isCodecError(theirs));
      assert.equal(hex(mine.rootKey), hex(theirs.rootKey), what);
      assert.equal(mine.rootSeq, theirs.rootSeq, what);
      assert.ok(Math.abs(w.tMs - r.t_ms) <= 1000, `${what}: at ${w.tMs} ms, recorded ${r.t_ms}`);
      // With the recorded sequence our bootstrap is the recorded bytes (signature included),
      // except when the recording deliberately corrupted it.
      if (!r.note.includes('BAD')) {
        const again = encodeFrame({
          ...ours,
          payload: buildBootstrapPayload(theirs.seq, mine.rootKey, mine.rootSeq, signer, crypto),
        });
        assert.equal(hex(again as Uint8Array), r.hex, `${what}: bytes with the recorded sequence`);
      }
      return;
    }
    assert.equal(hex(w.bytes), r.hex, `${what}: bytes`);
    const slack = role === 'go' && f !== null && !isCodecError(f) && f.type === 0 ? 150 : 20;
    assert.ok(Math.abs(w.tMs - r.t_ms) <= slack, `${what}: at ${w.tMs} ms, recorded ${r.t_ms}`);
  });
  const close = scriptCloseMs(t, role) ?? Number.POSITIVE_INFINITY;
  for (const w of written.slice(rec.length)) {
    assert.equal(
      hex(w.bytes),
      '70696e6500000000000a',
      `${t.name} as ${role}: unexpected extra write`,
    );
    assert.ok(close - w.tMs < 3000, `${t.name} as ${role}: extra keepalive at ${w.tMs} ms`);
  }
}

/** pinelab as the Go side: its state at each recorded probe time equals the Go router's. */
function assertGoStates(t: Transcript, states: ReturnType<typeof replay>['states']): void {
  const probes = t.go_state.filter((g) => g.probe !== null);
  assert.equal(states.length, probes.length);
  probes.forEach((g, i) => {
    const s = (states[i] as (typeof states)[number]).state;
    const p = g.probe as Record<string, unknown>;
    const what = `${t.name} as go: probe at ${g.t_ms} ms`;
    assert.equal(s.root, p.root, `${what}: root`);
    assert.equal(s.rootSeq, p.root_seq, `${what}: root sequence`);
    assert.equal(`[${(s.coords as number[]).join(' ')}]`, p.coords, `${what}: coordinates`);
    assert.equal(s.parent, (p.parent as string | undefined) ?? null, `${what}: parent`);
    const desc = p.descending as { key: string } | undefined;
    assert.equal(s.descending, desc?.key ?? null, `${what}: descending`);
    assert.equal(s.tableSize, p.table_size, `${what}: table size`);
    assert.equal((s.peers as unknown[]).length, p.active_peers, `${what}: peers`);
  });
}

const ALL = existsSync(DIR) ? readdirSync(DIR).map((f) => f.replace(/\.json$/, '')) : [];

test('every transcript in ../shared/interop has a test here (needs ../shared)', () => {
  assert.ok(ALL.length > 0, `${DIR} is missing: these tests need ../shared/interop`);
  const covered = new Set([...GOOD_BOTH, ...GO_ONLY_KEPT, ...Object.keys(REFUSED)]);
  assert.deepEqual(
    ALL.filter((n) => !covered.has(n)),
    [],
  );
});

/** Healthy peerings: pinelab plays either side and says the same bytes. */
const GOOD_BOTH = [
  'tcp-peer-is-root',
  'tcp-go-is-root',
  'ws-peer-is-root',
  'traffic-go-is-root',
  'traffic-peer-is-root',
];
/** The scripted peer's bytes are unusual on purpose: only the Go side can be played. */
const GO_ONLY_KEPT = [
  'handshake-extra-capability',
  'tolerated-oddities',
  'bad-bootstrap-signature',
];

for (const name of GOOD_BOTH) {
  test(`${name} (needs ../shared): pinelab as the peer sends the recorded bytes and acts on Go's frames`, () => {
    const t = load(name);
    const r = replay(t, 'peer', crypto, endMs(t));
    assert.equal(r.closedAtMs, null, 'pinelab must not drop the link');
    assertSameFrames(t, 'peer', r.written);
    const v = r.lastView;
    const goKey = t.go_node.public_key_hex;
    const peerIsRoot = t.peer.public_key_hex > goKey;
    // Acted on: the tree (Go's announcements), the snake (Go's bootstraps), the traffic (echoes).
    assert.equal(toHex(v.rootKey), peerIsRoot ? t.peer.public_key_hex : goKey);
    if (!peerIsRoot) {
      assert.equal(toHex(v.parentKey as Uint8Array), goKey);
      assert.deepEqual(v.coords, [1]);
    } else assert.equal(toHex(v.descendingKey as Uint8Array), goKey, "Go's bootstrap installed");
    const echoes = sent(t, 'go->peer').filter((x) => x.note.startsWith('traffic'));
    assert.deepEqual(
      r.host.deliveries.map((f) => Buffer.from(f.payload).toString()),
      echoes.map((x) => /payload="([^"]*)"/.exec(x.note)?.[1]),
      'every echo of the Go application reached ours',
    );
  });
  test(`${name} (needs ../shared): pinelab as the Go side sends the recorded bytes and reaches its state`, () => {
    const t = load(name);
    const r = replay(t, 'go', crypto, endMs(t));
    assert.equal(r.closedAtMs, null, 'pinelab must not drop the link');
    assertSameFrames(t, 'go', r.written);
    assertGoStates(t, r.states);
  });
}

for (const name of GO_ONLY_KEPT) {
  test(`${name} (needs ../shared): pinelab as the Go side keeps the link and sends the recorded bytes`, () => {
    const t = load(name);
    const r = replay(t, 'go', crypto, endMs(t));
    assert.equal(r.closedAtMs, null, 'pinelab must not drop the link');
    assertSameFrames(t, 'go', r.written);
    assertGoStates(t, r.states);
  });
}

/** Refused: how many frames pinelab (as the Go side) sends after its handshake, and when it closes. */
const REFUSED: Record<string, { frames: number }> = {
  'bad-handshake-signature': { frames: 0 },
  'bad-handshake-version': { frames: 0 },
  'bad-handshake-capabilities': { frames: 0 },
  'handshake-timeout': { frames: 0 },
  'bad-frame-magic': { frames: 1 },
  'bad-frame-length': { frames: 1 },
  'bad-announcement-signature': { frames: 1 },
  'bad-traffic-length': { frames: 1 },
  'announcement-replay': { frames: 7 },
  'silent-peer': { frames: 2 },
  'ws-silent-peer': { frames: 2 },
};

for (const [name, { frames }] of Object.entries(REFUSED)) {
  test(`${name} (needs ../shared): pinelab as the Go side closes as the real router did`, () => {
    const t = load(name);
    const r = replay(t, 'go', crypto, endMs(t));
    const recorded = t.outcome.go_close_t_ms as number;
    assert.equal(t.outcome.closed_by, 'go');
    assert.notEqual(r.closedAtMs, null, 'pinelab must close the link');
    // Go closes within 1-5 ms of the offending bytes on loopback; the replay has no latency.
    assert.ok(
      Math.abs((r.closedAtMs as number) - recorded) <= 5,
      `closed at ${r.closedAtMs} ms, the real router at ${recorded} ms`,
    );
    assert.equal(r.written.length, 1 + frames, 'frames sent before closing');
    assertSameFrames(t, 'go', r.written);
    assertGoStates(t, r.states);
  });
}
