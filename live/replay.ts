/**
 * live/replay.ts — replays one side of an interop transcript (../shared/interop, README there)
 * against pinelab's live stack on a virtual clock: the recorded bytes of the real router (or of
 * the scripted peer) are fed in at their t_ms, and everything pinelab writes, and when it closes,
 * is recorded. Used by the transcript tests; live timing is exercised by the socket tests.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Ed25519 } from '../router/crypto.ts';
import { fromHex, keysEqual } from '../router/keys.ts';
import type { Identity, Micros } from '../router/types.ts';
import { FrameType } from '../router/types.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { decodeFrame } from '../router/wire/frame.ts';
import { ManualClock } from './clock.ts';
import { LiveHost, REMOTE_LINK } from './host.ts';
import { memoryPair } from './transport.ts';

export interface TranscriptRecord {
  readonly t_ms: number;
  readonly dir: 'go->peer' | 'peer->go';
  readonly hex: string;
  readonly note: string;
}

export interface Transcript {
  readonly name: string;
  readonly transport: 'tcp' | 'ws';
  readonly go_node: {
    readonly name: string;
    readonly seed_hex: string;
    readonly public_key_hex: string;
  };
  readonly peer: {
    readonly name: string;
    readonly seed_hex: string;
    readonly public_key_hex: string;
  };
  readonly t0_unix_ms: number;
  readonly outcome: {
    readonly closed_by: 'go' | 'peer';
    readonly go_close_t_ms?: number;
    readonly peer_close_t_ms?: number;
  };
  readonly records: readonly TranscriptRecord[];
  readonly go_state: readonly {
    readonly t_ms: number;
    readonly probe: Record<string, unknown> | null;
  }[];
}

/** README "Keys": seed = SHA-256(UTF-8 "pinecone-key:" + NAME), an RFC 8032 seed. */
export function transcriptIdentity(name: string, crypto: Ed25519): Identity {
  const seed = sha256(new TextEncoder().encode(`pinecone-key:${name}`));
  return { seed, publicKey: crypto.publicKey(seed) };
}

export interface Written {
  readonly tMs: number;
  readonly bytes: Uint8Array;
}

export interface ReplayResult {
  readonly host: LiveHost;
  /** pinelab's writes (one per handshake or frame), with the virtual ms they were made at. */
  readonly written: readonly Written[];
  /** When pinelab closed the stream, in ms, or null when it did not before the script ended. */
  readonly closedAtMs: number | null;
  /** pinelab's router state just before the script closed (or at the end). */
  readonly lastView: ReturnType<LiveHost['router']['snapshot']>;
  /** pinelab's state (admin JSON) at each go_state probe time, when pinelab plays the Go side. */
  readonly states: readonly { readonly tMs: number; readonly state: Record<string, unknown> }[];
}

/**
 * Play `role` ('peer' or 'go') of `t` with pinelab; the other side's records are fed in at their
 * t_ms. WebSocket upgrade records are skipped (the stream starts with the handshake message).
 * The script's own close (FIN) is applied at its time; the clock runs to `untilMs`.
 */
export function replay(
  t: Transcript,
  role: 'peer' | 'go',
  crypto: Ed25519,
  untilMs: number,
): ReplayResult {
  // The scripted peer originates traffic and does not echo; the Go side echoes (README).
  const clock = new ManualClock();
  const who = role === 'peer' ? t.peer : t.go_node;
  const identity = transcriptIdentity(who.name, crypto);
  const host = new LiveHost({
    identity,
    crypto,
    clock,
    // Bootstrap sequences are Unix ms (§3.8): the recording's wall clock at connect.
    options: { clockEpochMs: t.t0_unix_ms },
    echo: role === 'go',
  });
  host.start();
  const [ours, script] = memoryPair(clock);
  const written: Written[] = [];
  const origWrite = ours.write.bind(ours);
  ours.write = (bytes: Uint8Array): boolean => {
    written.push({ tMs: clock.now() / 1000, bytes: bytes.slice() });
    return origWrite(bytes);
  };
  let closedAtMs: number | null = null;
  ours.onClose(() => {
    if (closedAtMs === null && !script.closed) closedAtMs = clock.now() / 1000;
  });
  host.attach(ours, REMOTE_LINK, role === 'peer');
  const theirDir = role === 'peer' ? 'go->peer' : 'peer->go';
  const states: { tMs: number; state: Record<string, unknown> }[] = [];
  const events: { at: Micros; run: () => void }[] = [];
  let lastView: ReplayResult['lastView'] | null = null;
  for (const r of t.records) {
    if (r.dir !== theirDir) continue;
    if (r.note.startsWith('websocket upgrade')) continue;
    if (r.hex === '') {
      events.push({
        at: r.t_ms * 1000,
        run: () => {
          lastView = host.router.snapshot();
          script.close();
        },
      });
      continue;
    }
    const bytes = fromHex(r.hex) as Uint8Array;
    events.push({ at: r.t_ms * 1000, run: () => ours.receive(bytes) });
  }
  if (role === 'peer') {
    // The peer's own traffic (traffic transcripts): originated by pinelab's application at the
    // recorded time. To the Go key it is left to hybrid routing (§7.2: coordinates cache, else
    // SNEK), so the routing choice is pinelab's; to any other key the recorded coordinates are
    // forced (the 'stale-coords' frame of traffic-peer-is-root is deliberately mis-addressed).
    const goKey = fromHex(t.go_node.public_key_hex) as Uint8Array;
    for (const r of t.records) {
      if (r.dir !== 'peer->go' || r.hex === '') continue;
      const f = decodeFrame(fromHex(r.hex) as Uint8Array);
      if (f === null || isCodecError(f) || f.type !== FrameType.Traffic) continue;
      const route = keysEqual(f.destinationKey, goKey)
        ? undefined
        : { coords: f.destinationCoords, treeOnly: false };
      events.push({
        at: r.t_ms * 1000,
        run: () =>
          host.enter((now, fx) =>
            host.router.sendTraffic(now, f.destinationKey, f.payload, fx, route),
          ),
      });
    }
  }
  if (role === 'go') {
    for (const s of t.go_state) {
      // A probe of null: the Go process had crashed (bad-frame-length, §9.1): nothing to compare.
      if (s.probe === null) continue;
      events.push({
        at: s.t_ms * 1000,
        run: () => states.push({ tMs: s.t_ms, state: host.state() }),
      });
    }
  }
  // Stable: at equal times, records keep their recorded order.
  events.sort((a, b) => a.at - b.at);
  for (const e of events) {
    clock.advanceTo(e.at);
    e.run();
  }
  clock.advanceTo(untilMs * 1000);
  lastView ??= host.router.snapshot();
  host.stop();
  return { host, written, closedAtMs, states, lastView };
}
