/**
 * live/static-peers.ts — re-dialling static peers, as the reference's connection manager does
 * (PROTOCOL.md §4.6 [connections/manager.go]): a worker runs every 5 s and dials each static peer
 * that is not connected and whose next-attempt time has passed; the first dial is at once; a
 * failed attempt k (k = 1, 2, …) sets the next attempt to now + 2^k s, at most 1 h; a successful
 * connect resets the count. The dial itself (with its 5 s timeout) is the caller's.
 */
import type { Micros } from '../router/types.ts';
import { MICROS_PER_SECOND } from '../router/types.ts';
import type { Clock, TimerHandle } from './clock.ts';

/** §4.6 worker period. */
export const STATIC_PEER_INTERVAL: Micros = 5 * MICROS_PER_SECOND;
/** §4.6 backoff cap. */
export const STATIC_PEER_MAX_BACKOFF: Micros = 3600 * MICROS_PER_SECOND;
/** §4.6 dial timeout. */
export const DIAL_TIMEOUT_MS = 5000;

/** How a dial ends: up (handshake done), failed (never up), and later gone (an up link ended). */
export interface DialOutcome {
  up(): void;
  failed(reason: string): void;
  gone(): void;
}

export type Dialler = (uri: string, outcome: DialOutcome) => void;
export type StaticPeerLog = (
  event: string,
  uri: string,
  extra?: Record<string, number | string>,
) => void;

interface Entry {
  readonly uri: string;
  state: 'idle' | 'dialling' | 'up';
  failures: number;
  nextAttempt: Micros;
}

export class StaticPeers {
  private readonly entries: Entry[];
  private timer: TimerHandle | null = null;
  private stopped = false;

  private readonly clock: Clock;
  private readonly dial: Dialler;
  private readonly log: StaticPeerLog;

  constructor(uris: readonly string[], clock: Clock, dial: Dialler, log: StaticPeerLog = () => {}) {
    this.clock = clock;
    this.dial = dial;
    this.log = log;
    this.entries = uris.map((uri) => ({ uri, state: 'idle', failures: 0, nextAttempt: 0 }));
  }

  /** Dial every peer now, then run the worker every 5 s. */
  start(): void {
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** For the admin view and tests. */
  status(): { uri: string; state: string; failures: number; nextAttemptMs: number }[] {
    return this.entries.map((e) => ({
      uri: e.uri,
      state: e.state,
      failures: e.failures,
      nextAttemptMs: Math.floor(e.nextAttempt / 1000),
    }));
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const e of this.entries) {
      if (e.state === 'idle' && e.nextAttempt <= now) this.attempt(e);
    }
    this.timer = this.clock.at(now + STATIC_PEER_INTERVAL, () => this.tick());
  }

  private attempt(e: Entry): void {
    e.state = 'dialling';
    let settled = false;
    this.dial(e.uri, {
      up: () => {
        if (settled || this.stopped) return;
        settled = true;
        e.state = 'up';
        e.failures = 0;
        e.nextAttempt = 0;
      },
      failed: (reason) => {
        if (settled || this.stopped) return;
        settled = true;
        e.state = 'idle';
        e.failures++;
        const backoff = Math.min(2 ** e.failures * MICROS_PER_SECOND, STATIC_PEER_MAX_BACKOFF);
        e.nextAttempt = this.clock.now() + backoff;
        this.log('dial-failed', e.uri, { reason, failures: e.failures, retryInMs: backoff / 1000 });
      },
      gone: () => {
        if (this.stopped || e.state !== 'up') return;
        // Re-dialled at the next worker tick (0-5 s later, §4.6).
        e.state = 'idle';
      },
    });
  }
}
